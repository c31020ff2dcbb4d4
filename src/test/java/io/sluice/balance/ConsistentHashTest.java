package io.sluice.balance;

import static io.sluice.balance.Fixtures.backends;
import static io.sluice.balance.Fixtures.ctx;
import static io.sluice.balance.Fixtures.equal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.netty.handler.codec.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hash ring: key stability when a backend leaves, weights, key sources and bounded load. */
class ConsistentHashTest {
    private static final int KEYS = 10_000;

    private static BalanceOptions options(String key, int factor) {
        return new BalanceOptions(HashKey.parse(key), factor, Duration.ofSeconds(10), Duration.ZERO);
    }

    private static Backend pickFor(Picker p, PickContext ctx, int key) {
        HttpRequest r = Fixtures.get("/item");
        r.headers().set("X-User", "user-" + key);
        return Selection.select(p, ctx.reset(Fixtures.client(1), r, 0), null);
    }

    @Test
    void removingOneOfTenMovesAboutATenthOfTheKeys() {
        List<Backend> all = equal(10);
        Strategy s = new ConsistentHash(options("header:X-User", 0));
        Picker before = s.newPicker(null, all);
        List<Backend> nine = new ArrayList<>(all);
        Backend gone = nine.remove(4);
        Picker after = s.newPicker(before, nine);
        PickContext ctx = ctx(1);
        int moved = 0;
        int movedFromOthers = 0;
        for (int k = 0; k < KEYS; k++) {
            Backend was = pickFor(before, ctx, k);
            Backend now = pickFor(after, ctx, k);
            if (was != now) {
                moved++;
                if (was != gone) {
                    movedFromOthers++;
                }
            }
        }
        // Only the removed backend's keys move: 1/N of them, plus 5% slack.
        assertThat(moved).isLessThanOrEqualTo(KEYS / 10 + KEYS * 5 / 100);
        assertThat(movedFromOthers).isZero();
    }

    @Test
    void keysSpreadEvenlyAndWeightsHold() {
        Picker even = new ConsistentHash(options("header:X-User", 0)).newPicker(null, equal(4));
        PickContext ctx = ctx(2);
        int[] counts = new int[4];
        for (int k = 0; k < KEYS; k++) {
            counts[Fixtures.index(pickFor(even, ctx, k))]++;
        }
        for (int c : counts) {
            assertThat((double) c / KEYS).isCloseTo(0.25, within(0.04));
        }
        Picker weighted = new ConsistentHash(options("header:X-User", 0)).newPicker(null, backends(3, 1));
        int heavy = 0;
        for (int k = 0; k < KEYS; k++) {
            if (Fixtures.index(pickFor(weighted, ctx, k)) == 0) {
                heavy++;
            }
        }
        assertThat((double) heavy / KEYS).isCloseTo(0.75, within(0.75 * 0.05));
    }

    @Test
    void eachKeySourceIsStickyAndAMissingKeyFallsBackToTheClient() {
        List<Backend> bs = equal(8);
        for (String key : new String[] {"cookie:session", "query:user", "path", "client_ip", "header:X-User"}) {
            Picker p = new ConsistentHash(options(key, 0)).newPicker(null, bs);
            PickContext ctx = ctx(3);
            java.util.Set<Backend> distinct = new java.util.HashSet<>();
            for (int k = 0; k < 200; k++) {
                HttpRequest r = Fixtures.get("/p" + k + "?user=u" + k + "&x=1");
                r.headers().set("Cookie", "a=1; session=s" + k);
                r.headers().set("X-User", "h" + k);
                Backend first = Selection.select(p, ctx.reset(Fixtures.client(k), r, 0), null);
                assertThat(Selection.select(p, ctx.reset(Fixtures.client(k), r, 0), null)).as(key).isSameAs(first);
                distinct.add(first);
            }
            assertThat(distinct).as("keys of %s spread over backends", key).hasSizeGreaterThan(4);
        }
        // No cookie at all: the client's address decides, so one client still sticks.
        Picker p = new ConsistentHash(options("cookie:session", 0)).newPicker(null, bs);
        PickContext ctx = ctx(4);
        Backend a = Selection.select(p, ctx.reset(Fixtures.client(77), Fixtures.get("/"), 0), null);
        for (int i = 0; i < 20; i++) {
            assertThat(Selection.select(p, ctx.reset(Fixtures.client(77), Fixtures.get("/other" + i), 0), null)).isSameAs(a);
        }
    }

    @Test
    void boundedLoadMovesAHotKeyOffAnOverloadedBackend() {
        List<Backend> bs = equal(4);
        Picker bounded = new ConsistentHash(options("header:X-User", 125)).newPicker(null, bs);
        Picker unbounded = new ConsistentHash(options("header:X-User", 0)).newPicker(null, bs);
        PickContext ctx = ctx(5);
        Backend home = pickFor(unbounded, ctx, 7);
        assertThat(pickFor(bounded, ctx, 7)).as("within the bound the key stays home").isSameAs(home);
        // The hot key's backend now carries 12 of the pool's 12 in flight: far over 125% of the average.
        for (int i = 0; i < 12; i++) {
            home.state().requestStarted();
        }
        Backend moved = pickFor(bounded, ctx, 7);
        assertThat(moved).isNotSameAs(home);
        assertThat(pickFor(bounded, ctx, 7)).as("deterministic while loads stand still").isSameAs(moved);
        assertThat(pickFor(unbounded, ctx, 7)).as("without a bound it stays").isSameAs(home);
    }
}

package io.sluice.balance;

import static io.sluice.balance.Fixtures.ctx;
import static io.sluice.balance.Fixtures.equal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Slow start in Selection: a recovering backend gets its ramp's share, and ramping never refuses a request. */
class SlowStartTest {
    private static final long SLOW = 30_000_000_000L;

    @Test
    void aRampingBackendGetsItsShareOfItsNormalTraffic() {
        List<Backend> bs = equal(2);
        bs.get(0).state().startRamp(0);
        Picker p = Fixtures.picker("round_robin", bs);
        PickContext ctx = ctx(1);
        int toRamping = 0;
        long halfway = SLOW / 2;
        for (int i = 0; i < 10_000; i++) {
            if (Selection.select(p, ctx.reset(null, null, halfway), null, SLOW) == bs.get(0)) {
                toRamping++;
            }
        }
        // Round robin offers it half the requests; at 50% of its ramp it takes half of those: 25% (±3).
        assertThat(toRamping / 10_000.0).isCloseTo(0.25, within(0.03));
    }

    @Test
    void whenEveryBackendIsRampingRequestsStillGoThrough() {
        List<Backend> bs = equal(3);
        bs.forEach(b -> b.state().startRamp(0));
        Picker p = Fixtures.picker("least_connections", bs);
        PickContext ctx = ctx(2);
        for (int i = 0; i < 1_000; i++) {
            assertThat(Selection.select(p, ctx.reset(null, null, 1), null, SLOW)).isNotNull();
        }
    }

    @Test
    void hashingIsNotRampedSoKeysStayPut() {
        List<Backend> bs = equal(4);
        Picker p = Fixtures.picker("ip_hash", bs);
        PickContext ctx = ctx(3);
        Backend home = Selection.select(p, ctx.reset(Fixtures.client(5), null, 1), null, SLOW);
        home.state().startRamp(0);
        for (int i = 0; i < 200; i++) {
            assertThat(Selection.select(p, ctx.reset(Fixtures.client(5), null, 1), null, SLOW)).isSameAs(home);
        }
    }
}

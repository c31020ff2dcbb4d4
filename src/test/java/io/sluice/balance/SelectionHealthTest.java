package io.sluice.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.CircuitBreakerConfig;
import io.sluice.config.StatusSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Selection skips what cannot take a request, lets half-open breakers try, and panics when told to. */
class SelectionHealthTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void everyReasonToBeUnusableIsSkippedByEveryStrategy() {
        for (String strategy : Strategies.names()) {
            List<Backend> bs = Fixtures.equal(4);
            bs.get(0).state().setHealthBit(BackendState.FAILED_ACTIVE_CHECK, true);
            bs.get(1).state().setHealthBit(BackendState.ADMIN_DRAINED, true);
            openBreaker(bs.get(2), 0);
            int[] counts = Fixtures.count(Fixtures.picker(strategy, bs), Fixtures.ctx(3), 400, 4);
            assertThat(counts).as(strategy).containsExactly(0, 0, 0, 400);
        }
    }

    @Test
    void retriesSkipEveryBackendAlreadyTried() {
        List<Backend> bs = Fixtures.equal(3);
        Picker p = Fixtures.picker("round_robin", bs);
        PickContext ctx = Fixtures.ctx(1);
        Backend[] tried = {bs.get(0), bs.get(2)};
        for (int i = 0; i < 50; i++) {
            assertThat(Selection.select(p, ctx.reset(null, null, 0), tried, 2, 0, false)).isSameAs(bs.get(1));
        }
        Backend[] all = {bs.get(0), bs.get(1), bs.get(2)};
        assertThat(Selection.select(p, ctx.reset(null, null, 0), all, 3, 0, false)).isNull();
    }

    @Test
    void anOpenBreakerGetsTrialsOnlyAfterItsOpenPeriod() {
        List<Backend> bs = Fixtures.equal(2);
        openBreaker(bs.get(0), 0);
        Picker p = Fixtures.picker("round_robin", bs);
        PickContext ctx = Fixtures.ctx(1);
        int[] early = new int[2];
        for (int i = 0; i < 100; i++) {
            early[Fixtures.index(Selection.select(p, ctx.reset(null, null, 29 * SECOND), null, 0, 0, false))]++;
        }
        assertThat(early).containsExactly(0, 100);
        int[] later = new int[2];
        for (int i = 0; i < 100; i++) {
            later[Fixtures.index(Selection.select(p, ctx.reset(null, null, 30 * SECOND), null, 0, 0, false))]++;
        }
        assertThat(later[0]).as("five trial calls, no more until they report").isEqualTo(5);
    }

    @Test
    void panicModeUsesUnhealthyBackendsButNeverDrainedOnes() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger unavailable = new AtomicInteger();
        List<Backend> bs = List.of(backend(0, inFlight, unavailable), backend(1, inFlight, unavailable),
                backend(2, inFlight, unavailable));
        bs.get(0).state().setHealthBit(BackendState.FAILED_ACTIVE_CHECK, true);
        openBreaker(bs.get(1), 0);
        bs.get(2).state().setHealthBit(BackendState.ADMIN_DRAINED, true);
        assertThat(unavailable.get()).isEqualTo(3);
        Picker p = Fixtures.picker("round_robin", bs);
        PickContext ctx = Fixtures.ctx(1);
        assertThat(Selection.select(p, ctx.reset(null, null, 0), null, 0, 0, false)).isNull();
        int[] counts = new int[3];
        for (int i = 0; i < 300; i++) {
            counts[Fixtures.index(Selection.select(p, ctx.reset(null, null, 0), null, 0, 0, true))]++;
        }
        assertThat(counts[2]).isZero();
        assertThat(counts[0]).isBetween(100, 200);
        assertThat(counts[1]).isBetween(100, 200);
        bs.get(0).state().setHealthBit(BackendState.FAILED_ACTIVE_CHECK, false);
        assertThat(unavailable.get()).isEqualTo(2);
        bs.get(0).state().retired();
        assertThat(unavailable.get()).as("a retired healthy backend changes nothing").isEqualTo(2);
        bs.get(2).state().retired();
        assertThat(unavailable.get()).isEqualTo(1);
    }

    private static Backend backend(int i, AtomicInteger inFlight, AtomicInteger unavailable) {
        Backend template = Fixtures.equal(i + 1).get(i);
        return new Backend(template.endpoint(), new BackendState(inFlight, unavailable, "p/" + i));
    }

    private static void openBreaker(Backend b, long now) {
        b.state().breaker().configure(
                new CircuitBreakerConfig(true, 50, 10, 10, Duration.ofSeconds(30), 5, StatusSet.SERVER_ERRORS));
        for (int i = 0; i < 10; i++) {
            b.state().breaker().onOutcome(true, now);
        }
        assertThat(b.state().healthBits()).isEqualTo(BackendState.BREAKER_OPEN);
    }
}

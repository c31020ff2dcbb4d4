package io.sluice.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.CircuitBreakerConfig;
import io.sluice.config.StatusSet;
import io.sluice.health.CircuitBreaker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A backend whose breaker tripped comes back under every strategy: after {@code open_for} the selection
 * layer hands it its half-open trials (no strategy offers a tripped backend as a first choice), their
 * success closes the breaker and it takes its share again. Fake snapshots, a fake clock, seeded randomness;
 * each pick is reported back the way the proxy reports an attempt.
 */
class BreakerRecoveryTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long START = 7_000 * SECOND;
    private static final long LATENCY = 2_000_000L;
    private static final long HALF_LIFE = 10 * SECOND;
    private static final CircuitBreakerConfig BREAKER =
            new CircuitBreakerConfig(true, 50, 10, 10, Duration.ofSeconds(30), 3, StatusSet.SERVER_ERRORS);

    static List<String> strategies() {
        assertThat(Strategies.names()).hasSize(11);
        return List.copyOf(Strategies.names());
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void aTrippedBackendGetsItsTrialsAfterOpenForAndIsBackInRotation(String strategy) {
        List<Backend> bs = Fixtures.equal(3);
        for (Backend b : bs) {
            b.state().breaker().configure(BREAKER);
        }
        Picker p = Fixtures.picker(strategy, bs);
        PickContext ctx = Fixtures.ctx(11);
        Backend tripped = bs.get(1);
        CircuitBreaker breaker = tripped.state().breaker();
        long now = START;
        // Warm up: every backend answers, so the latency-aware strategies have numbers for all three.
        for (int i = 0; i < 60; i++) {
            pickAndReport(p, ctx, i, now, false);
            now += SECOND / 100;
        }
        for (int i = 0; i < 10; i++) {
            tripped.state().requestStarted();
            tripped.state().requestFinished(LATENCY, true, now, HALF_LIFE);
            breaker.onOutcome(true, now);
        }
        assertThat(breaker.state(now)).isEqualTo(CircuitBreaker.State.OPEN);
        long openedAt = now;

        int[] whileOpen = new int[3];
        for (int i = 0; i < 300; i++) {
            now = openedAt + (29 * SECOND) * i / 300;
            whileOpen[pickAndReport(p, ctx, i, now, false)]++;
        }
        assertThat(whileOpen[1]).as("nothing while open").isZero();

        now = openedAt + 30 * SECOND;
        int[] trials = new int[3];
        for (int i = 0; i < 3; i++) {
            trials[pickAndReport(p, ctx, 1000 + i, now, false)]++;
        }
        assertThat(trials[1]).as("the first picks after open_for are its trials").isEqualTo(3);
        assertThat(breaker.state(now)).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(tripped.available()).isTrue();

        // Two minutes of traffic. The adaptive strategy still prices the errors that tripped the breaker
        // (decaying), so it brings the backend back more gradually than the others, but it does.
        int[] after = new int[3];
        for (int i = 0; i < 1200; i++) {
            now += SECOND / 10;
            after[pickAndReport(p, ctx, 2000 + i, now, false)]++;
        }
        assertThat(after[1]).as("%s: back in rotation %s", strategy, Fixtures.histogram(after)).isGreaterThan(200);
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void aFailedTrialOpensItAgainAndTheNextPeriodBringsNewTrials(String strategy) {
        List<Backend> bs = Fixtures.equal(3);
        Backend tripped = bs.get(2);
        CircuitBreaker breaker = tripped.state().breaker();
        breaker.configure(BREAKER);
        Picker p = Fixtures.picker(strategy, bs);
        PickContext ctx = Fixtures.ctx(5);
        for (int i = 0; i < 10; i++) {
            breaker.onOutcome(true, START);
        }
        long now = START + 30 * SECOND;
        assertThat(pickAndReport(p, ctx, 0, now, true)).isEqualTo(2);
        assertThat(breaker.state(now)).isEqualTo(CircuitBreaker.State.OPEN);
        for (int i = 1; i < 100; i++) {
            assertThat(pickAndReport(p, ctx, i, now + i, false)).isNotEqualTo(2);
        }
        now += 30 * SECOND;
        for (int i = 0; i < 3; i++) {
            assertThat(pickAndReport(p, ctx, 200 + i, now, false)).as("trial %d", i).isEqualTo(2);
        }
        assertThat(breaker.state(now)).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void unreportedTrialsAreHandedOutAgainAfterAnotherOpenPeriod(String strategy) {
        List<Backend> bs = Fixtures.equal(2);
        Backend tripped = bs.get(0);
        CircuitBreaker breaker = tripped.state().breaker();
        breaker.configure(BREAKER);
        Picker p = Fixtures.picker(strategy, bs);
        PickContext ctx = Fixtures.ctx(9);
        for (int i = 0; i < 10; i++) {
            breaker.onOutcome(true, START);
        }
        long now = START + 30 * SECOND;
        int given = 0;
        for (int i = 0; i < 50; i++) {
            if (Selection.select(p, ctx.reset(Fixtures.client(i), null, now), null) == tripped) {
                given++; // abandoned: never reported
            }
        }
        assertThat(given).as("three trials, no more while they are out").isEqualTo(3);
        now += 30 * SECOND + 1;
        assertThat(Selection.select(p, ctx.reset(Fixtures.client(99), null, now), null)).isSameAs(tripped);
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void aBackendAlsoDownForFailedChecksGetsNoTrialUntilTheChecksPass(String strategy) {
        List<Backend> bs = Fixtures.equal(2);
        Backend tripped = bs.get(1);
        CircuitBreaker breaker = tripped.state().breaker();
        breaker.configure(BREAKER);
        for (int i = 0; i < 10; i++) {
            breaker.onOutcome(true, START);
        }
        tripped.state().setHealthBit(BackendState.FAILED_ACTIVE_CHECK, true);
        Picker p = Fixtures.picker(strategy, bs);
        PickContext ctx = Fixtures.ctx(2);
        long now = START + 60 * SECOND;
        for (int i = 0; i < 50; i++) {
            assertThat(pickAndReport(p, ctx, i, now, false)).isZero();
        }
        tripped.state().setHealthBit(BackendState.FAILED_ACTIVE_CHECK, false);
        assertThat(pickAndReport(p, ctx, 100, now, false)).isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void aBackendTheRequestAlreadyTriedIsNoTrial(String strategy) {
        List<Backend> bs = Fixtures.equal(2);
        Backend tripped = bs.get(0);
        CircuitBreaker breaker = tripped.state().breaker();
        breaker.configure(BREAKER);
        for (int i = 0; i < 10; i++) {
            breaker.onOutcome(true, START);
        }
        Picker p = Fixtures.picker(strategy, bs);
        PickContext ctx = Fixtures.ctx(4);
        long now = START + 30 * SECOND;
        Backend[] tried = {tripped};
        assertThat(Selection.select(p, ctx.reset(Fixtures.client(1), null, now), tried, 1, 0, false))
                .as("a backend the request already tried is no trial").isSameAs(bs.get(1));
        assertThat(breaker.state(now)).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(Selection.select(p, ctx.reset(Fixtures.client(2), null, now), null)).isSameAs(tripped);
    }

    /** One pick for client {@code i} at {@code now}, reported as the proxy would; the index picked. */
    private static int pickAndReport(Picker p, PickContext ctx, int i, long now, boolean failed) {
        Backend b = Selection.select(p, ctx.reset(Fixtures.client(i), null, now), null);
        BackendState s = b.state();
        s.requestStarted();
        s.requestFinished(LATENCY, failed, now, HALF_LIFE);
        s.breaker().onOutcome(failed, now);
        return Fixtures.index(b);
    }
}

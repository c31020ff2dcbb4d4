package io.sluice.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.config.CircuitBreakerConfig;
import io.sluice.config.StatusSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The breaker's states on a fake clock: nothing here waits. */
class CircuitBreakerTest {
    private static final long SECOND = 1_000_000_000L;
    private static final CircuitBreakerConfig CONFIG =
            new CircuitBreakerConfig(true, 50, 100, 20, Duration.ofSeconds(30), 5, StatusSet.SERVER_ERRORS);

    private final List<String> changes = new ArrayList<>();
    private final CircuitBreaker breaker = new CircuitBreaker(CONFIG,
            (from, to, why) -> changes.add(from.label() + "->" + to.label()));

    @Test
    void staysClosedBelowMinCallsEvenWhenEverythingFails() {
        for (int i = 0; i < 19; i++) {
            breaker.onOutcome(true, 0);
        }
        assertThat(breaker.state(0)).isEqualTo(CircuitBreaker.State.CLOSED);
        breaker.onOutcome(true, 0);
        assertThat(breaker.state(0)).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(changes).containsExactly("Closed->Open");
    }

    @Test
    void sixtyPercentFailuresOpenOnlyOnceTheWindowJudgesThemAndFortyPercentNever() {
        CircuitBreaker healthy = new CircuitBreaker(CONFIG, (f, t, w) -> changes.add("healthy " + t));
        for (int i = 0; i < 10_000; i++) {
            healthy.onOutcome(i % 5 < 2, i); // 40% fail
        }
        assertThat(healthy.state(10_000)).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(healthy.windowCalls()).isEqualTo(100);
        assertThat(healthy.windowFailures()).isEqualTo(40);

        int calls = 0;
        while (breaker.state(0) == CircuitBreaker.State.CLOSED) {
            breaker.onOutcome(calls % 5 < 3, 0); // 60% fail: f f f s s
            calls++;
        }
        // At 20 calls (12 failed) the rate is judged for the first time, and it is over 50%.
        assertThat(calls).isBetween(20, 21);
        assertThat(changes).containsExactly("Closed->Open");
    }

    @Test
    void openLetsNothingThroughUntilOpenForThenTrialsDecide() {
        openIt(0);
        for (long t = 0; t < 30 * SECOND; t += SECOND) {
            assertThat(breaker.tryAcquire(t)).as("at %d s", t / SECOND).isFalse();
        }
        long later = 30 * SECOND;
        assertThat(breaker.state(later)).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        for (int i = 0; i < 5; i++) {
            assertThat(breaker.tryAcquire(later)).as("trial %d", i).isTrue();
        }
        assertThat(breaker.tryAcquire(later)).as("only five trials").isFalse();
        for (int i = 0; i < 4; i++) {
            breaker.onOutcome(false, later);
            assertThat(breaker.state(later)).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        }
        breaker.onOutcome(false, later);
        assertThat(breaker.state(later)).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.tryAcquire(later)).isTrue();
        assertThat(breaker.windowCalls()).as("a fresh window after closing").isZero();
        assertThat(changes).containsExactly("Closed->Open", "Open->HalfOpen", "HalfOpen->Closed");
    }

    @Test
    void aFailedTrialOpensAgainForAnotherFullPeriod() {
        openIt(0);
        long t = 30 * SECOND;
        assertThat(breaker.tryAcquire(t)).isTrue();
        breaker.onOutcome(false, t);
        assertThat(breaker.tryAcquire(t)).isTrue();
        breaker.onOutcome(true, t);
        assertThat(breaker.state(t)).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.tryAcquire(t + 29 * SECOND)).isFalse();
        assertThat(breaker.tryAcquire(t + 30 * SECOND)).isTrue();
        assertThat(breaker.timesOpened()).isEqualTo(2);
        assertThat(changes).containsExactly("Closed->Open", "Open->HalfOpen", "HalfOpen->Open", "Open->HalfOpen");
    }

    @Test
    void trialsThatNeverReportDoNotKeepItHalfOpenForEver() {
        openIt(0);
        long t = 30 * SECOND;
        for (int i = 0; i < 5; i++) {
            assertThat(breaker.tryAcquire(t)).isTrue();
        }
        assertThat(breaker.tryAcquire(t + SECOND)).isFalse();
        assertThat(breaker.tryAcquire(t + 31 * SECOND)).as("a new round of trials").isTrue();
    }

    @Test
    void holdOffOpensForTheAskedTimeEvenWhenDisabled() {
        CircuitBreaker off = new CircuitBreaker(CircuitBreakerConfig.OFF, (f, t, w) -> changes.add(t.label()));
        for (int i = 0; i < 1000; i++) {
            off.onOutcome(true, 0);
        }
        assertThat(off.state(0)).as("a disabled breaker ignores failures").isEqualTo(CircuitBreaker.State.CLOSED);
        off.holdOff(0, 5 * SECOND);
        assertThat(off.tryAcquire(4 * SECOND)).isFalse();
        assertThat(off.tryAcquire(5 * SECOND)).isTrue();
        // Held off again while open: the longer wish wins, a shorter one does not cut it short.
        CircuitBreaker b = new CircuitBreaker(CONFIG, (f, t, w) -> { });
        b.holdOff(0, 10 * SECOND);
        b.holdOff(SECOND, 2 * SECOND);
        assertThat(b.tryAcquire(5 * SECOND)).isFalse();
        b.holdOff(SECOND, 20 * SECOND);
        assertThat(b.tryAcquire(15 * SECOND)).isFalse();
        assertThat(b.tryAcquire(21 * SECOND)).isTrue();
    }

    @Test
    void successesPushOldFailuresOutOfTheWindow() {
        for (int i = 0; i < 9; i++) {
            breaker.onOutcome(true, 0);
        }
        for (int i = 0; i < 100; i++) {
            breaker.onOutcome(false, 0);
        }
        assertThat(breaker.windowFailures()).isZero();
        assertThat(breaker.state(0)).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void resetClosesFromAnyState() {
        breaker.reset("nothing to do");
        openIt(0);
        breaker.reset("checks pass");
        assertThat(breaker.state(0)).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.tryAcquire(0)).isTrue();
        openIt(0);
        assertThat(breaker.tryAcquire(30 * SECOND)).isTrue();
        breaker.reset("checks pass");
        assertThat(breaker.state(30 * SECOND)).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(changes).containsExactly("Closed->Open", "Open->Closed", "Closed->Open", "Open->HalfOpen",
                "HalfOpen->Closed");
    }

    @Test
    void statusesCountAsConfigured() {
        assertThat(breaker.countsAsFailure(500)).isTrue();
        assertThat(breaker.countsAsFailure(503)).isTrue();
        assertThat(breaker.countsAsFailure(404)).isFalse();
        breaker.configure(new CircuitBreakerConfig(true, 50, 100, 20, Duration.ofSeconds(30), 5, StatusSet.of(503)));
        assertThat(breaker.countsAsFailure(500)).isFalse();
    }

    private void openIt(long now) {
        for (int i = 0; i < 20; i++) {
            breaker.onOutcome(true, now);
        }
        assertThat(breaker.state(now)).isEqualTo(CircuitBreaker.State.OPEN);
    }
}

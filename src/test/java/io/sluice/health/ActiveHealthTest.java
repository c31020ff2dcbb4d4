package io.sluice.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.health.ActiveHealth.Transition;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Rise/fall hysteresis of active health checks, and the counters operators read. */
class ActiveHealthTest {
    private static final int RISE = 2;
    private static final int FALL = 3;

    private final ActiveHealth health = new ActiveHealth();

    private Transition pass() {
        return health.record(true, null, RISE, FALL);
    }

    private Transition fail(String why) {
        return health.record(false, why, RISE, FALL);
    }

    @Test
    void startsHealthyWithNothingCounted() {
        assertThat(health.healthy()).isTrue();
        assertThat(health.passed()).isZero();
        assertThat(health.failed()).isZero();
        assertThat(health.transitions()).isZero();
        assertThat(health.lastFailure()).isNull();
    }

    @Test
    void fallFailuresInARowTakeItDownExactlyOnce() {
        assertThat(fail("a")).isEqualTo(Transition.NONE);
        assertThat(fail("b")).isEqualTo(Transition.NONE);
        assertThat(health.healthy()).isTrue();
        assertThat(fail("c")).isEqualTo(Transition.DOWN);
        assertThat(health.healthy()).isFalse();
        for (int i = 0; i < 10; i++) {
            assertThat(fail("more")).isEqualTo(Transition.NONE);
        }
        assertThat(health.transitions()).isEqualTo(1);
        assertThat(health.lastFailure()).isEqualTo("more");
    }

    @Test
    void aPassBreaksTheFailureStreak() {
        fail("x");
        fail("x");
        pass();
        fail("x");
        assertThat(fail("x")).isEqualTo(Transition.NONE);
        assertThat(health.healthy()).isTrue();
        assertThat(fail("x")).isEqualTo(Transition.DOWN);
    }

    @Test
    void riseSuccessesInARowBringItBack() {
        fail("x");
        fail("x");
        fail("x");
        assertThat(pass()).isEqualTo(Transition.NONE);
        assertThat(health.healthy()).isFalse();
        assertThat(pass()).isEqualTo(Transition.UP);
        assertThat(health.healthy()).isTrue();
        assertThat(pass()).isEqualTo(Transition.NONE);
        assertThat(health.transitions()).isEqualTo(2);
    }

    @Test
    void aFailureBreaksTheRecoveryStreak() {
        fail("x");
        fail("x");
        fail("x");
        pass();
        fail("x");
        assertThat(pass()).isEqualTo(Transition.NONE);
        assertThat(health.healthy()).isFalse();
        assertThat(pass()).isEqualTo(Transition.UP);
    }

    @Test
    void strictlyAlternatingResultsNeverTransition() {
        List<Transition> seen = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            seen.add(i % 2 == 0 ? pass() : fail("status 503"));
        }
        assertThat(seen).containsOnly(Transition.NONE);
        assertThat(health.transitions()).isZero();
        assertThat(health.healthy()).isTrue();
        assertThat(health.passed()).isEqualTo(500);
        assertThat(health.failed()).isEqualTo(500);
    }

    @Test
    void alternatingResultsKeepADownBackendDown() {
        fail("x");
        fail("x");
        fail("x");
        for (int i = 0; i < 1000; i++) {
            assertThat(i % 2 == 0 ? pass() : fail("x")).isEqualTo(Transition.NONE);
        }
        assertThat(health.healthy()).isFalse();
        assertThat(health.transitions()).isEqualTo(1);
    }

    @Test
    void countersAddUp() {
        int passes = 0;
        int failures = 0;
        int transitions = 0;
        Random random = new Random(42);
        for (int i = 0; i < 5000; i++) {
            boolean ok = random.nextInt(3) != 0;
            Transition t = ok ? pass() : fail("f" + i);
            if (ok) {
                passes++;
            } else {
                failures++;
            }
            if (t != Transition.NONE) {
                transitions++;
            }
        }
        assertThat(health.passed()).isEqualTo(passes);
        assertThat(health.failed()).isEqualTo(failures);
        assertThat(health.passed() + health.failed()).isEqualTo(5000);
        assertThat(health.transitions()).isEqualTo(transitions);
    }

    @Test
    void thresholdsOfOneFollowEveryResult() {
        assertThat(health.record(false, "x", 1, 1)).isEqualTo(Transition.DOWN);
        assertThat(health.record(true, null, 1, 1)).isEqualTo(Transition.UP);
        assertThat(health.record(false, "y", 1, 1)).isEqualTo(Transition.DOWN);
        assertThat(health.transitions()).isEqualTo(3);
        assertThat(health.lastFailure()).isEqualTo("y");
    }
}

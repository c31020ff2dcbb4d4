package io.sluice.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Latency and error estimates and the slow-start ramp, on a fake clock. */
class BackendStateTest {
    private static final long MS = 1_000_000L;
    private static final long HALF_LIFE = 10_000 * MS;

    private static void report(BackendState s, long latency, boolean failed, long now) {
        s.requestStarted();
        s.requestFinished(latency, failed, now, HALF_LIFE);
    }

    @Test
    void everythingIsUnknownBeforeTheFirstResponse() {
        BackendState s = new BackendState();
        assertThat(s.peakEwma(0, HALF_LIFE)).isNaN();
        assertThat(s.averageLatency(0, HALF_LIFE)).isNaN();
        assertThat(s.recentLatency(0, HALF_LIFE)).isNaN();
        assertThat(s.errorRate(0, HALF_LIFE)).isZero();
    }

    @Test
    void aSlowResponseRaisesThePeakAtOnceThenItDecaysWithTheHalfLife() {
        BackendState s = new BackendState();
        long now = 1_000 * MS;
        for (int i = 0; i < 100; i++) {
            report(s, 2 * MS, false, now += MS);
        }
        assertThat(s.peakEwma(now, HALF_LIFE)).isCloseTo(2 * MS, within(0.01 * MS));
        report(s, 80 * MS, false, now += MS);
        assertThat(s.peakEwma(now, HALF_LIFE)).as("peak taken at once").isEqualTo(80 * MS);
        assertThat(s.averageLatency(now, HALF_LIFE)).as("the plain average barely moves").isLessThan(3 * MS);
        // Fast responses one half-life later pull it halfway back down.
        report(s, 2 * MS, false, now += HALF_LIFE);
        assertThat(s.peakEwma(now, HALF_LIFE)).isCloseTo(41 * MS, within(0.5 * MS));
    }

    @Test
    void idleEstimatesDecayTowardZeroSoABackendIsTriedAgain() {
        BackendState s = new BackendState();
        long now = 1_000 * MS;
        report(s, 50 * MS, true, now);
        double err = s.errorRate(now, HALF_LIFE);
        assertThat(s.peakEwma(now + HALF_LIFE, HALF_LIFE)).isCloseTo(25 * MS, within(0.01 * MS));
        assertThat(s.recentLatency(now + 2 * HALF_LIFE, HALF_LIFE)).isCloseTo(12.5 * MS, within(0.01 * MS));
        assertThat(s.errorRate(now + HALF_LIFE, HALF_LIFE)).isCloseTo(err / 2, within(1e-9));
    }

    @Test
    void recentLatencyFollowsTheLastFewResponses() {
        BackendState s = new BackendState();
        long now = 1_000 * MS;
        report(s, 40 * MS, false, now);
        for (int i = 0; i < 15; i++) {
            report(s, 4 * MS, false, now += MS);
        }
        // Each response counts a quarter: 4 + 36 x 0.75^15 = 4.5 ms, while the time-weighted average lags.
        assertThat(s.recentLatency(now, HALF_LIFE)).isCloseTo(4.48 * MS, within(0.01 * MS));
        assertThat(s.averageLatency(now, HALF_LIFE)).isGreaterThan(39 * MS);
    }

    @Test
    void aFastAnswerAfterALongIdleStartsFromTheDecayedEstimate() {
        BackendState s = new BackendState();
        long now = 1_000 * MS;
        report(s, 40 * MS, false, now);
        now += 3 * HALF_LIFE;
        assertThat(s.recentLatency(now, HALF_LIFE)).isCloseTo(5 * MS, within(0.01 * MS));
        report(s, MS, false, now);
        // 5 ms decayed, then a quarter of the way to 1 ms: 4 ms, not 30 ms.
        assertThat(s.recentLatency(now, HALF_LIFE)).isCloseTo(4 * MS, within(0.01 * MS));
    }

    @Test
    void errorRateCountsRecentFailures() {
        BackendState s = new BackendState();
        long now = 1_000 * MS;
        for (int i = 0; i < 200; i++) {
            report(s, MS, i % 2 == 0, now += MS);
        }
        assertThat(s.errorRate(now, HALF_LIFE)).isCloseTo(0.5, within(0.06));
        assertThat(s.requests()).isEqualTo(200);
        assertThat(s.failures()).isEqualTo(100);
        assertThat(s.inFlight()).isZero();
    }

    @Test
    void rampGrowsLinearlyFromAFloorAndEnds() {
        BackendState s = new BackendState();
        long slow = 30_000 * MS;
        assertThat(s.rampFactor(0, slow)).as("not ramping").isEqualTo(1.0);
        s.startRamp(1_000 * MS);
        assertThat(s.rampFactor(1_000 * MS, slow)).isEqualTo(0.05);
        assertThat(s.rampFactor(16_000 * MS, slow)).isCloseTo(0.5, within(1e-9));
        assertThat(s.rampFactor(31_000 * MS, slow)).isEqualTo(1.0);
        assertThat(s.rampFactor(1_000 * MS, slow)).as("ended for good").isEqualTo(1.0);
        assertThat(s.rampFactor(1_000 * MS, 0)).as("no slow start configured").isEqualTo(1.0);
    }

    @Test
    void recoveringFromTheLastHealthBitStartsTheRamp() {
        BackendState s = new BackendState();
        s.setHealthBit(BackendState.FAILED_ACTIVE_CHECK, true);
        s.setHealthBit(BackendState.ADMIN_DRAINED, true);
        assertThat(s.available()).isFalse();
        s.setHealthBit(BackendState.FAILED_ACTIVE_CHECK, false);
        assertThat(s.rampFactor(System.nanoTime(), 30_000 * MS)).as("still drained: no ramp yet").isEqualTo(1.0);
        s.setHealthBit(BackendState.ADMIN_DRAINED, false);
        assertThat(s.available()).isTrue();
        assertThat(s.rampFactor(System.nanoTime(), 30_000 * MS)).isLessThan(0.1);
    }
}

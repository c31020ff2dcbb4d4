package io.sluice.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Buckets and the quantiles read from them. */
class LatencyHistogramTest {

    @Test
    void samplesLandInTheFirstBucketWhoseBoundHoldsThem() {
        LatencyHistogram h = new LatencyHistogram();
        h.record(100_000);        // 0.1 ms -> <= 0.25 ms
        h.record(250_000);        // exactly on a bound: that bucket
        h.record(1_200_000);      // 1.2 ms -> <= 1.5 ms
        h.record(90_000_000_000L); // 90 s -> +Inf
        long[] c = h.counts();
        assertThat(c[0]).isEqualTo(2);
        assertThat(c[3]).isEqualTo(1);
        assertThat(c[c.length - 1]).isEqualTo(1);
        assertThat(h.sumNanos()).isEqualTo(100_000 + 250_000 + 1_200_000 + 90_000_000_000L);
    }

    @Test
    void quantilesInterpolateInsideTheirBucket() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 0; i < 100; i++) {
            h.record(i < 90 ? 4_000_000 : 40_000_000); // 90 x 4 ms (bucket 3-5 ms), 10 x 40 ms (30-50 ms)
        }
        long[] c = h.counts();
        assertThat(LatencyHistogram.quantileMillis(c, 0.5)).isCloseTo(3 + 2 * (50.0 / 90), within(1e-9));
        assertThat(LatencyHistogram.quantileMillis(c, 0.9)).isCloseTo(5.0, within(1e-9));
        assertThat(LatencyHistogram.quantileMillis(c, 0.99)).isCloseTo(30 + 20 * 0.9, within(1e-9));
        assertThat(LatencyHistogram.quantileMillis(new long[c.length], 0.5)).isNaN();
    }

    @Test
    void statusClassesCountNoStatusAndFiveHundredsAsFailures() {
        StatusCounts s = new StatusCounts();
        s.record(200, 1);
        s.record(404, 1);
        s.record(503, 1);
        s.record(0, 1);
        s.record(99, 1);
        assertThat(s.total()).isEqualTo(5);
        assertThat(s.count(2)).isEqualTo(1);
        assertThat(s.count(4)).isEqualTo(1);
        assertThat(s.count(0)).isEqualTo(2);
        assertThat(s.failures()).isEqualTo(3);
    }
}

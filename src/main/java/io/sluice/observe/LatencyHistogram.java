package io.sluice.observe;

import io.sluice.runtime.StripedCounters;

/**
 * Counts durations into fixed buckets, from 250 µs to 60 s, for Prometheus histograms, percentiles and the
 * per-second history. Thread-safe and lock-free: a sample costs a short scan of the bounds and two adds to
 * {@link StripedCounters}, which each event loop makes in memory of its own, with no atomic instruction.
 */
public final class LatencyHistogram {
    /** Upper bounds of the buckets in seconds; a last bucket (+Inf) takes the rest. */
    public static final double[] BOUNDS = {
        0.00025, 0.0005, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075,
        0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60
    };
    private static final long[] BOUND_NANOS = new long[BOUNDS.length];

    static {
        for (int i = 0; i < BOUNDS.length; i++) {
            BOUND_NANOS[i] = Math.round(BOUNDS[i] * 1e9);
        }
    }

    /** The buckets' counts, then (at {@link #SUM}) the sum of the durations in nanoseconds. */
    private static final int SUM = BOUNDS.length + 1;
    private final StripedCounters cells = new StripedCounters(SUM + 1);

    /** Records one duration. */
    public void record(long nanos) {
        int i = 0;
        while (i < BOUND_NANOS.length && nanos > BOUND_NANOS[i]) {
            i++;
        }
        cells.increment(i);
        cells.add(SUM, nanos);
    }

    /** The count of each bucket (not cumulative), the last one for durations above every bound. */
    public long[] counts() {
        return java.util.Arrays.copyOf(cells.sums(), SUM);
    }

    /** The sum of every duration recorded, in nanoseconds. */
    public long sumNanos() {
        return cells.sum(SUM);
    }

    /**
     * The {@code q} quantile (0 to 1) of the durations counted in {@code counts}, in milliseconds, found by
     * linear interpolation inside its bucket (as Prometheus' histogram_quantile does); NaN when nothing was
     * counted. A quantile in the last, open bucket is reported as the highest bound.
     */
    public static double quantileMillis(long[] counts, double q) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return Double.NaN;
        }
        double rank = q * total;
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            long c = counts[i];
            if (c > 0 && seen + c >= rank) {
                if (i == BOUNDS.length) {
                    return BOUNDS[BOUNDS.length - 1] * 1000;
                }
                double lower = i == 0 ? 0 : BOUNDS[i - 1];
                double upper = BOUNDS[i];
                double within = (rank - seen) / c;
                return (lower + (upper - lower) * within) * 1000;
            }
            seen += c;
        }
        return BOUNDS[BOUNDS.length - 1] * 1000;
    }
}

package io.sluice.observe;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts durations into fixed buckets, from 250 µs to 60 s, for Prometheus histograms, percentiles and the
 * per-second history. Thread-safe and lock-free: a sample costs a short scan of the bounds and two
 * {@link LongAdder} increments, so event loops on every core can record into one histogram without
 * contending on a single word.
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

    private final LongAdder[] buckets = new LongAdder[BOUNDS.length + 1];
    private final LongAdder sumNanos = new LongAdder();

    public LatencyHistogram() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    /** Records one duration. */
    public void record(long nanos) {
        int i = 0;
        while (i < BOUND_NANOS.length && nanos > BOUND_NANOS[i]) {
            i++;
        }
        buckets[i].increment();
        sumNanos.add(nanos);
    }

    /** The count of each bucket (not cumulative), the last one for durations above every bound. */
    public long[] counts() {
        long[] out = new long[buckets.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = buckets[i].sum();
        }
        return out;
    }

    /** The sum of every duration recorded, in nanoseconds. */
    public long sumNanos() {
        return sumNanos.sum();
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

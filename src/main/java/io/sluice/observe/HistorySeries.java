package io.sluice.observe;

import java.util.Arrays;

/**
 * One pool's or backend's history: per sample, requests per second, error rate, p50 and p99 latency and
 * requests in flight, in two rings (1 s for 15 minutes, 1 min for 24 hours). Thread-safe: methods are
 * synchronized; the sampler thread writes once a second and readers copy.
 */
public final class HistorySeries {
    private final String kind;
    private final String pool;
    private final String backend;
    private final Ring seconds = new Ring(History.SECONDS);
    private final Ring minutes = new Ring(History.MINUTES);
    private StatusCounts source;
    private int inFlightNow;
    private long lastTotal = -1;
    private long lastFailures;
    private long[] lastBuckets;
    private long minuteStart = -1;
    private long minuteTotal;
    private long minuteFailures;
    private long[] minuteBuckets;
    private int minuteInFlightMax;

    HistorySeries(String kind, String pool, String backend) {
        this.kind = kind;
        this.pool = pool;
        this.backend = backend;
    }

    /** "pool" or "backend". */
    public String kind() {
        return kind;
    }

    public String pool() {
        return pool;
    }

    /** The backend's address, or null for a pool's series. */
    public String backend() {
        return backend;
    }

    synchronized void pending(StatusCounts counts, int inFlight) {
        this.source = counts;
        this.inFlightNow = inFlight;
    }

    /** Adds the sample of the second ending at {@code nowMillis}. */
    synchronized void sample(long nowMillis) {
        long total = source.total();
        long failures = source.failures();
        long[] buckets = source.latency().counts();
        if (lastTotal < 0) {
            lastTotal = total;
            lastFailures = failures;
            lastBuckets = buckets;
            minuteBuckets = new long[buckets.length];
            minuteStart = nowMillis;
            return;
        }
        long n = Math.max(0, total - lastTotal);
        long f = Math.max(0, failures - lastFailures);
        long[] delta = new long[buckets.length];
        for (int i = 0; i < buckets.length; i++) {
            delta[i] = Math.max(0, buckets[i] - lastBuckets[i]);
            minuteBuckets[i] += delta[i];
        }
        lastTotal = total;
        lastFailures = failures;
        lastBuckets = buckets;
        seconds.add(nowMillis, n, f, delta, inFlightNow, 1);
        minuteTotal += n;
        minuteFailures += f;
        minuteInFlightMax = Math.max(minuteInFlightMax, inFlightNow);
        if (nowMillis - minuteStart >= 60_000) {
            minutes.add(nowMillis, minuteTotal, minuteFailures, minuteBuckets, minuteInFlightMax, 60);
            minuteStart = nowMillis;
            minuteTotal = 0;
            minuteFailures = 0;
            minuteBuckets = new long[buckets.length];
            minuteInFlightMax = 0;
        }
    }

    /** The last {@code count} samples at 1 s ({@code perMinute} false) or 1 min resolution, oldest first. */
    public synchronized Samples last(int count, boolean perMinute) {
        return (perMinute ? minutes : seconds).last(count);
    }

    /** Samples copied out of a ring; arrays aligned, oldest first; NaN latency where nothing was counted. */
    public record Samples(long[] timeMillis, double[] rps, double[] errorRate, double[] p50Millis,
                          double[] p99Millis, int[] inFlight) {
    }

    private static final class Ring {
        private final long[] t;
        private final double[] rps;
        private final double[] err;
        private final double[] p50;
        private final double[] p99;
        private final int[] inFlight;
        private int next;
        private int size;

        Ring(int capacity) {
            t = new long[capacity];
            rps = new double[capacity];
            err = new double[capacity];
            p50 = new double[capacity];
            p99 = new double[capacity];
            inFlight = new int[capacity];
        }

        void add(long time, long n, long failures, long[] buckets, int flight, int seconds) {
            int i = next;
            t[i] = time;
            rps[i] = (double) n / seconds;
            err[i] = n == 0 ? 0 : (double) failures / n;
            p50[i] = LatencyHistogram.quantileMillis(buckets, 0.5);
            p99[i] = LatencyHistogram.quantileMillis(buckets, 0.99);
            inFlight[i] = flight;
            next = (i + 1) % t.length;
            size = Math.min(size + 1, t.length);
        }

        Samples last(int count) {
            int n = Math.min(count, size);
            long[] ot = new long[n];
            double[] orps = new double[n];
            double[] oerr = new double[n];
            double[] o50 = new double[n];
            double[] o99 = new double[n];
            int[] ofl = new int[n];
            int start = (next - n + t.length) % t.length;
            for (int k = 0; k < n; k++) {
                int i = (start + k) % t.length;
                ot[k] = t[i];
                orps[k] = rps[i];
                oerr[k] = err[i];
                o50[k] = p50[i];
                o99[k] = p99[i];
                ofl[k] = inFlight[i];
            }
            return new Samples(ot, orps, oerr, o50, o99, ofl);
        }

        @Override
        public String toString() {
            return "Ring" + Arrays.toString(Arrays.copyOf(t, size));
        }
    }
}

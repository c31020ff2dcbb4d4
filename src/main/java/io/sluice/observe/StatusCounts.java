package io.sluice.observe;

import io.sluice.runtime.StripedCounters;

/**
 * Requests counted by status class — 1xx to 5xx, and "none" for a request that got no status (the client
 * left, or the connection was cut) — with their durations. Thread-safe and lock-free.
 */
public final class StatusCounts {
    /** Labels of the classes, by index: none, 1xx, 2xx, 3xx, 4xx, 5xx. */
    public static final String[] CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

    private final StripedCounters byClass = new StripedCounters(CLASSES.length);
    private final LatencyHistogram latency = new LatencyHistogram();

    /** The class index of a status: 0 for none, 1-5 for 1xx-5xx. */
    public static int classOf(int status) {
        int c = status / 100;
        return c >= 1 && c <= 5 ? c : 0;
    }

    /** Counts one request with its status (0 for none) and duration. */
    public void record(int status, long nanos) {
        byClass.increment(classOf(status));
        latency.record(nanos);
    }

    /** Requests of one class. */
    public long count(int classIndex) {
        return byClass.sum(classIndex);
    }

    /** Every request counted. */
    public long total() {
        long n = 0;
        for (long c : byClass.sums()) {
            n += c;
        }
        return n;
    }

    /** Requests that failed: 5xx or no status at all. */
    public long failures() {
        long[] c = byClass.sums();
        return c[5] + c[0];
    }

    public LatencyHistogram latency() {
        return latency;
    }
}

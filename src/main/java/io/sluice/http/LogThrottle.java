package io.sluice.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets one event through per period, across all threads: for WARN lines an operator must see but a busy proxy
 * would otherwise repeat thousands of times a second. The first event passes. Thread-safe.
 */
final class LogThrottle {
    private final long periodNanos;
    private final AtomicLong last;

    LogThrottle(long periodNanos) {
        this.periodNanos = periodNanos;
        this.last = new AtomicLong(System.nanoTime() - periodNanos);
    }

    /** True for at most one call per period; the caller logs at WARN then, at a lower level (or not) otherwise. */
    boolean allow() {
        long now = System.nanoTime();
        long prev = last.get();
        return now - prev >= periodNanos && last.compareAndSet(prev, now);
    }
}

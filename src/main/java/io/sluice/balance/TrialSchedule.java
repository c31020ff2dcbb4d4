package io.sluice.balance;

import java.util.concurrent.atomic.AtomicLong;

/**
 * When a pool's next half-open trial may be due: the earliest moment at which one of its tripped circuit
 * breakers lets a trial call through, or nothing. One per pool, shared by the pool's {@link BackendState}s,
 * so that {@link Selection} learns with one read per request whether it must look for a breaker wanting a
 * trial, rather than scanning the pool on every pick.
 *
 * <p>The time is a hint that may be early, never late: whoever opens a breaker (or clears another reason
 * a tripped backend was down) moves it earlier; the pick that finds it due {@link #take takes} it and then
 * puts back the next moment of every tripped breaker it looked at. A pick that finds nothing due costs one
 * volatile read. Times are in the callers' clock ({@link System#nanoTime()} terms), compared so that
 * wrapping does not matter.
 *
 * <p>Thread-safe and lock-free.
 */
public final class TrialSchedule {
    private static final long NONE = Long.MIN_VALUE;

    private final AtomicLong due = new AtomicLong(NONE);

    /** Makes sure a look happens at {@code nanos} or earlier. */
    void atOrBefore(long nanos) {
        for (;;) {
            long cur = due.get();
            if (cur != NONE && cur - nanos <= 0) {
                return;
            }
            if (due.compareAndSet(cur, nanos == NONE ? NONE + 1 : nanos)) {
                return;
            }
        }
    }

    /**
     * True, and the schedule cleared, when a look is due at {@code nowNanos}; the caller must then look at
     * every tripped breaker of the pool and put each one's next moment back with {@link #atOrBefore}.
     * False (nothing changed) when nothing is due or another caller took it first.
     */
    boolean take(long nowNanos) {
        long cur = due.get();
        return cur != NONE && nowNanos - cur >= 0 && due.compareAndSet(cur, NONE);
    }

    /** True while some look is scheduled (tests and diagnostics). */
    boolean pending() {
        return due.get() != NONE;
    }
}

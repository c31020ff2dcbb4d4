package io.sluice.balance;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live state of one backend, shared by every event loop: in-flight requests, counters and health bits.
 * Kept per address and carried over when a reload keeps the backend. Thread-safe and lock-free.
 *
 * <p>Health is a bitset: each reason a backend may be unusable (failed active check, open breaker,
 * drained by an operator) owns one bit, and the backend is usable only while no bit is set.
 */
public final class BackendState {
    /** Set when active health checks have declared the backend down. */
    public static final int FAILED_ACTIVE_CHECK = 1;
    /** Set while the backend's circuit breaker is open. */
    public static final int BREAKER_OPEN = 1 << 1;
    /** Set when an operator drained the backend. */
    public static final int ADMIN_DRAINED = 1 << 2;

    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger healthBits = new AtomicInteger();
    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();

    /** Requests sent to this backend and not yet finished. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Called when a request starts going to this backend. */
    public void requestStarted() {
        inFlight.incrementAndGet();
    }

    /** Called exactly once per {@link #requestStarted()}. */
    public void requestFinished(boolean failed) {
        inFlight.decrementAndGet();
        requests.increment();
        if (failed) {
            failures.increment();
        }
    }

    /** Finished requests. */
    public long requests() {
        return requests.sum();
    }

    /** Finished requests that failed (local failure or 5xx). */
    public long failures() {
        return failures.sum();
    }

    /** True while no health bit is set. */
    public boolean available() {
        return healthBits.get() == 0;
    }

    /** The current health bits. */
    public int healthBits() {
        return healthBits.get();
    }

    /** Sets or clears one health bit. */
    public void setHealthBit(int bit, boolean on) {
        if (on) {
            healthBits.getAndUpdate(b -> b | bit);
        } else {
            healthBits.getAndUpdate(b -> b & ~bit);
        }
    }
}

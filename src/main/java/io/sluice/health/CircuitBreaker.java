package io.sluice.health;

import io.sluice.config.CircuitBreakerConfig;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One backend's circuit breaker. Closed, it counts the outcomes of the last {@code window} calls in a ring
 * of bits and opens when, with at least {@code minCalls} counted, the failed share reaches
 * {@code failureRate}. Open, it lets nothing through for {@code openFor}; then, half-open, it lets
 * {@code halfOpenCalls} trial calls through: all succeeding closes it (with a fresh window), one failing
 * opens it again. A backend's 503 with Retry-After holds it open for that long ({@link #holdOff}).
 *
 * <p>Every method takes the time from the caller, so tests drive it with a fake clock.
 *
 * <p>Thread-safe and lock-free: an outcome costs a few atomic operations on this backend's own words (no
 * lock, no allocation), which Resilience4j's count-based window, synchronized per call, does not offer;
 * that is why it is written here. State changes are compare-and-set, so each happens once and its
 * {@link Listener} hears it once.
 */
public final class CircuitBreaker {
    /** Breaker states, named as the admin API shows them. */
    public enum State {
        /** Calls flow; outcomes are counted. */
        CLOSED("Closed"),
        /** No calls until the open period ends. */
        OPEN("Open"),
        /** A few trial calls decide whether to close or open again. */
        HALF_OPEN("HalfOpen");

        private final String label;

        State(String label) {
            this.label = label;
        }

        /** "Closed", "Open" or "HalfOpen". */
        public String label() {
            return label;
        }
    }

    /** Hears each state change once; called on the thread that caused it, which may be an event loop. */
    @FunctionalInterface
    public interface Listener {
        void changed(State from, State to, String reason);
    }

    private static final int CLOSED = 0;
    private static final int OPEN = 1;
    private static final int HALF_OPEN = 2;
    private static final State[] STATES = State.values();

    private final Listener listener;
    private volatile CircuitBreakerConfig config;
    private volatile AtomicLongArray ring;
    private final AtomicLong calls = new AtomicLong();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger state = new AtomicInteger(CLOSED);
    private volatile long openUntil;
    private volatile long halfOpenSince;
    private final AtomicInteger trialsGiven = new AtomicInteger();
    private final AtomicInteger trialsPassed = new AtomicInteger();
    private final AtomicLong opened = new AtomicLong();

    public CircuitBreaker(CircuitBreakerConfig config, Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        configure(config);
    }

    /**
     * Applies a (re)loaded configuration. A new window size starts a fresh window; the state is kept.
     */
    public void configure(CircuitBreakerConfig c) {
        Objects.requireNonNull(c, "config");
        CircuitBreakerConfig old = this.config;
        this.config = c;
        if (old == null || old.window() != c.window()) {
            resetWindow(c.window());
        }
    }

    public CircuitBreakerConfig config() {
        return config;
    }

    private void resetWindow(int window) {
        ring = new AtomicLongArray((window + 63) >>> 6);
        calls.set(0);
        failures.set(0);
    }

    /** True when a status counts as a failure for this breaker (local failures always do). */
    public boolean countsAsFailure(int status) {
        return config.failureStatus().contains(status);
    }

    /**
     * Whether a call may go to the backend now. Closed: yes. Open: no, until the open period ends, when the
     * breaker turns half-open and this call is its first trial. Half-open: yes while trial calls are left.
     * A trial call must be followed by exactly one {@link #onOutcome}.
     */
    public boolean tryAcquire(long nowNanos) {
        int s = state.get();
        if (s == CLOSED) {
            return true;
        }
        if (s == OPEN) {
            if (nowNanos - openUntil < 0 || !state.compareAndSet(OPEN, HALF_OPEN)) {
                return state.get() == HALF_OPEN && trial(nowNanos);
            }
            halfOpenSince = nowNanos;
            trialsPassed.set(0);
            trialsGiven.set(0);
            listener.changed(State.OPEN, State.HALF_OPEN, "open period over; letting "
                    + config.halfOpenCalls() + " trial call(s) through");
        }
        return trial(nowNanos);
    }

    private boolean trial(long nowNanos) {
        CircuitBreakerConfig c = config;
        if (trialsGiven.getAndIncrement() < c.halfOpenCalls()) {
            return true;
        }
        // Trials that never reported (their requests were abandoned) must not keep it half-open for ever.
        long since = halfOpenSince;
        if (nowNanos - since > c.openFor().toNanos()) {
            halfOpenSince = nowNanos;
            trialsGiven.set(1);
            trialsPassed.set(0);
            return true;
        }
        return false;
    }

    /**
     * Counts the outcome of one call that {@link #tryAcquire} let through.
     *
     * @param failed a connect failure, reset or timeout, or a status {@link #countsAsFailure}
     */
    public void onOutcome(boolean failed, long nowNanos) {
        CircuitBreakerConfig c = config;
        int s = state.get();
        if (s == HALF_OPEN) {
            if (failed) {
                open(HALF_OPEN, nowNanos, c.openFor().toNanos(), "a trial call failed");
            } else if (trialsPassed.incrementAndGet() >= c.halfOpenCalls() && state.compareAndSet(HALF_OPEN, CLOSED)) {
                resetWindow(c.window());
                listener.changed(State.HALF_OPEN, State.CLOSED, c.halfOpenCalls() + " trial call(s) succeeded");
            }
            return;
        }
        if (s != CLOSED || !c.enabled()) {
            return;
        }
        AtomicLongArray r = ring;
        long i = calls.getAndIncrement();
        int slot = (int) (i % c.window());
        if (slot >= r.length() << 6) {
            return; // the window was just resized; this call lands in the new one
        }
        int word = slot >>> 6;
        long bit = 1L << slot;
        long before;
        long after;
        do {
            before = r.get(word);
            after = failed ? before | bit : before & ~bit;
        } while (before != after && !r.compareAndSet(word, before, after));
        int delta = (failed ? 1 : 0) - ((before & bit) != 0 ? 1 : 0);
        int f = delta == 0 ? failures.get() : failures.addAndGet(delta);
        long counted = Math.min(i + 1, c.window());
        if (counted >= c.minCalls() && (long) f * 100 >= (long) c.failureRate() * counted) {
            open(CLOSED, nowNanos, c.openFor().toNanos(), f + " of the last " + counted + " calls failed");
        }
    }

    /**
     * The backend said it is unavailable (503 with Retry-After): let nothing through for {@code nanos},
     * or longer if the breaker is already open for longer.
     */
    public void holdOff(long nowNanos, long nanos) {
        long until = nowNanos + nanos;
        for (;;) {
            int s = state.get();
            if (s == OPEN) {
                if (until - openUntil > 0) {
                    openUntil = until;
                }
                return;
            }
            if (open(s, nowNanos, nanos, "the backend asked for " + Math.max(1, nanos / 1_000_000_000L)
                    + "s with 503 and Retry-After")) {
                return;
            }
        }
    }

    /**
     * Closes the breaker whatever its state, with an empty window: active health checks found the backend
     * healthy again after taking it down, and their word is fresher than the breaker's open period.
     */
    public void reset(String reason) {
        for (;;) {
            int s = state.get();
            if (s == CLOSED) {
                return;
            }
            if (state.compareAndSet(s, CLOSED)) {
                resetWindow(config.window());
                listener.changed(STATES[s], State.CLOSED, reason);
                return;
            }
        }
    }

    private boolean open(int from, long nowNanos, long forNanos, String reason) {
        openUntil = nowNanos + forNanos;
        if (!state.compareAndSet(from, OPEN)) {
            return false;
        }
        openUntil = nowNanos + forNanos;
        opened.incrementAndGet();
        listener.changed(STATES[from], State.OPEN, reason);
        return true;
    }

    /** When the current or last open period ends (or ended), in the callers' clock. */
    public long openUntilNanos() {
        return openUntil;
    }

    /**
     * When this breaker will next let a trial call through, in the callers' clock: {@code nowNanos} when
     * {@link #tryAcquire} would let one through now; the end of the open period while open; while half-open
     * with every trial out, the moment unreported trials are given up on. A closed breaker answers
     * {@code nowNanos}. Reads only, so {@link io.sluice.balance.Selection} can ask without using a trial.
     */
    public long nextTrialNanos(long nowNanos) {
        int s = state.get();
        if (s == OPEN) {
            return openUntil;
        }
        if (s == HALF_OPEN) {
            CircuitBreakerConfig c = config;
            return trialsGiven.get() < c.halfOpenCalls() ? nowNanos : halfOpenSince + c.openFor().toNanos() + 1;
        }
        return nowNanos;
    }

    /** The state now; an open breaker whose period is over shows as half-open (its next call is a trial). */
    public State state(long nowNanos) {
        int s = state.get();
        if (s == OPEN && nowNanos - openUntil >= 0) {
            return State.HALF_OPEN;
        }
        return STATES[s];
    }

    /** How many times the breaker has opened. */
    public long timesOpened() {
        return opened.get();
    }

    /** Failed calls in the current window. */
    public int windowFailures() {
        return failures.get();
    }

    /** Calls counted in the current window. */
    public long windowCalls() {
        return Math.min(calls.get(), config.window());
    }
}

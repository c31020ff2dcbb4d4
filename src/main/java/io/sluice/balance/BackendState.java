package io.sluice.balance;

import io.sluice.config.CircuitBreakerConfig;
import io.sluice.health.ActiveHealth;
import io.sluice.health.CircuitBreaker;
import io.sluice.observe.LatencyHistogram;
import io.sluice.observe.StatusCounts;
import io.sluice.runtime.StripedCounters;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live state of one backend, shared by every event loop: in-flight requests, counters, latency and error
 * estimates, slow-start ramp and health bits. Kept per pool and address and carried over when a reload or a
 * strategy swap keeps the backend. Thread-safe and lock-free: estimates are updated with compare-and-set
 * on one word each, so concurrent reports from different event loops are never lost, though their
 * timestamps may interleave (the estimates are approximate by nature).
 *
 * <p>Health is a bitset: each reason a backend may be unusable (failed active check, open breaker,
 * drained by an operator) owns one bit, and the backend is usable only while no bit is set. The backend's
 * {@link CircuitBreaker} and {@link ActiveHealth} live here too, so that they carry over with the rest.
 *
 * <p>Latency estimates, all in nanoseconds and all unknown ({@code NaN}) until the first response:
 * <ul>
 *   <li>{@link #peakEwma} — peak-sensitive moving average: a response slower than the estimate replaces it
 *       at once; faster ones pull it down with a weight that grows with the time since the last sample
 *       (a sample's weight halves every half-life).</li>
 *   <li>{@link #averageLatency} — the same time-weighted average without the peak rule.</li>
 *   <li>{@link #recentLatency} — the last few responses (each new one counts a quarter).</li>
 * </ul>
 * All three, and the error rate, decay toward zero while the backend gets no traffic (halving each
 * half-life), so a backend once slow or failing is tried again after a while instead of being shunned
 * for ever.
 */
public final class BackendState {
    private static final Logger log = LoggerFactory.getLogger(BackendState.class);

    /** Set when active health checks have declared the backend down. */
    public static final int FAILED_ACTIVE_CHECK = 1;
    /** Set while the backend's circuit breaker is open. */
    public static final int BREAKER_OPEN = 1 << 1;
    /** Set when an operator drained the backend. */
    public static final int ADMIN_DRAINED = 1 << 2;

    private static final long NOT_RAMPING = Long.MIN_VALUE;
    private static final double RECENT_WEIGHT = 0.25;
    private static final double ERROR_WEIGHT = 0.1;
    private static final double MIN_RAMP = 0.05;
    private static final long NONE = Double.doubleToRawLongBits(Double.NaN);

    private static final VarHandle IN_FLIGHT;
    private static final VarHandle PEAK;
    private static final VarHandle AVERAGE;
    private static final VarHandle RECENT;
    private static final VarHandle ERRORS;
    private static final VarHandle LAST_SAMPLE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            IN_FLIGHT = l.findVarHandle(BackendState.class, "inFlight", int.class);
            PEAK = l.findVarHandle(BackendState.class, "peak", long.class);
            AVERAGE = l.findVarHandle(BackendState.class, "average", long.class);
            RECENT = l.findVarHandle(BackendState.class, "recent", long.class);
            ERRORS = l.findVarHandle(BackendState.class, "errors", long.class);
            LAST_SAMPLE = l.findVarHandle(BackendState.class, "lastSampleNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    // The numbers a pick reads live in this object's own fields (updated through VarHandles), not in
    // separate atomic objects: one memory reference per backend instead of one per number.
    private volatile boolean retired;
    private volatile int inFlight;
    private volatile long peak = NONE;
    private volatile long average = NONE;
    private volatile long recent = NONE;
    private volatile long errors = Double.doubleToRawLongBits(0.0);
    private final AtomicInteger poolInFlight;
    private final AtomicInteger poolUnavailable;
    private final String label;
    private final TrialSchedule trials;
    private final AtomicInteger healthBits = new AtomicInteger();
    private final CircuitBreaker breaker;
    private final ActiveHealth activeHealth = new ActiveHealth();
    private final StatusCounts attempts = new StatusCounts();
    private final LatencyHistogram connectTime = new LatencyHistogram();
    /** Finished requests (0) and those that failed (1). */
    private final StripedCounters finished = new StripedCounters(2);
    private volatile long lastSampleNanos;
    private volatile long rampStartNanos = NOT_RAMPING;

    /** A backend of its own, not counted with any pool (tests, tools). */
    public BackendState() {
        this(new AtomicInteger(), new AtomicInteger(), "backend");
    }

    /**
     * A backend whose in-flight requests are also counted in {@code poolInFlight}, a counter shared by
     * the backends of one pool, so that strategies can read the pool's load in one step.
     */
    public BackendState(AtomicInteger poolInFlight) {
        this(poolInFlight, new AtomicInteger(), "backend");
    }

    /**
     * A backend of a pool whose in-flight requests and unusable backends are counted in counters shared by
     * the pool's backends.
     *
     * @param label names the backend in log lines, e.g. "web/127.0.0.1:3001"
     */
    public BackendState(AtomicInteger poolInFlight, AtomicInteger poolUnavailable, String label) {
        this(poolInFlight, poolUnavailable, label, new TrialSchedule());
    }

    /**
     * A backend of a pool whose counters and trial schedule are shared by the pool's backends. Sharing the
     * schedule is what lets {@link Selection} hand out half-open trials under every strategy; a backend with
     * a schedule of its own gets trials only when its picker offers it as a first choice.
     *
     * @param trials when the pool's next half-open trial may be due
     */
    public BackendState(AtomicInteger poolInFlight, AtomicInteger poolUnavailable, String label,
                        TrialSchedule trials) {
        this.poolInFlight = Objects.requireNonNull(poolInFlight, "poolInFlight");
        this.poolUnavailable = Objects.requireNonNull(poolUnavailable, "poolUnavailable");
        this.label = Objects.requireNonNull(label, "label");
        this.trials = Objects.requireNonNull(trials, "trials");
        this.breaker = new CircuitBreaker(CircuitBreakerConfig.DEFAULTS, this::breakerChanged);
    }

    private void breakerChanged(CircuitBreaker.State from, CircuitBreaker.State to, String reason) {
        log.info("{}: circuit breaker {} -> {} ({})", label, from.label(), to.label(), reason);
        if (to == CircuitBreaker.State.OPEN) {
            setHealthBit(BREAKER_OPEN, true);
        } else if (to == CircuitBreaker.State.CLOSED) {
            setHealthBit(BREAKER_OPEN, false);
        }
    }

    /** This backend's circuit breaker. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** When the trial calls of this backend's pool may be due; shared by the pool's backends. */
    public TrialSchedule trials() {
        return trials;
    }

    /** What active health checks found about this backend. */
    public ActiveHealth activeHealth() {
        return activeHealth;
    }

    /** Attempts sent to this backend by the status it answered (none for local failures), with their latency. */
    public StatusCounts attempts() {
        return attempts;
    }

    /** How long new connections to this backend took to open. */
    public LatencyHistogram connectTime() {
        return connectTime;
    }

    /** "pool/host:port", for log lines. */
    public String label() {
        return label;
    }

    /** Requests in flight to every backend of this backend's pool. */
    public int poolInFlight() {
        return poolInFlight.get();
    }

    /** Requests sent to this backend and not yet finished. */
    public int inFlight() {
        return inFlight;
    }

    /** Called when a request starts going to this backend. */
    public void requestStarted() {
        IN_FLIGHT.getAndAdd(this, 1);
        poolInFlight.incrementAndGet();
    }

    /**
     * Called exactly once per {@link #requestStarted()}, with what the request came to.
     *
     * @param latencyNanos  from choosing the backend to the end of the response or the failure
     * @param failed        a local failure or a 5xx
     * @param nowNanos      the time of the report
     * @param halfLifeNanos the pool's averaging half-life
     */
    public void requestFinished(long latencyNanos, boolean failed, long nowNanos, long halfLifeNanos) {
        released();
        sample(latencyNanos, failed, nowNanos, halfLifeNanos);
    }

    /**
     * Ends what {@link #requestStarted()} began without a latency sample: an L4 connection closing, whose
     * sample (the connect time) was taken with {@link #sample} when it opened.
     */
    public void released() {
        IN_FLIGHT.getAndAdd(this, -1);
        poolInFlight.decrementAndGet();
    }

    /**
     * Feeds one result to the counters and latency estimates without touching the in-flight count: L4 reports
     * a connection's connect time when it opens, and its in-flight slot only when it closes.
     */
    public void sample(long latencyNanos, boolean failed, long nowNanos, long halfLifeNanos) {
        finished.increment(0);
        if (failed) {
            finished.increment(1);
        }
        long prev = lastSampleNanos;
        long dt = Math.max(0L, nowNanos - prev);
        boolean first = Double.isNaN(Double.longBitsToDouble(average));
        double keep = first ? 0.0 : halving(dt, halfLifeNanos);
        double x = latencyNanos;
        double idle = first ? 1.0 : decayFactor(dt, halfLifeNanos);
        double e = failed ? 1.0 : 0.0;
        // Each estimate is read, updated and written back with a release store, not a compare-and-swap: two event
        // loops sampling the same backend at the same instant may lose one sample of an estimate, which moves
        // it by a fraction of that sample, and no event loop pays a locked instruction per request for it.
        double v = Double.longBitsToDouble(peak);
        v = Double.isNaN(v) || x > v ? x : v * keep + x * (1 - keep);
        PEAK.setRelease(this, Double.doubleToRawLongBits(v));
        v = Double.longBitsToDouble(average);
        v = Double.isNaN(v) ? x : v * keep + x * (1 - keep);
        AVERAGE.setRelease(this, Double.doubleToRawLongBits(v));
        // Start from what reads showed (decayed while idle), so a backend that was slow long ago and now answers
        // fast does not get its old slowness back with the first new sample.
        v = Double.longBitsToDouble(recent) * idle;
        v = Double.isNaN(v) ? x : v + RECENT_WEIGHT * (x - v);
        RECENT.setRelease(this, Double.doubleToRawLongBits(v));
        v = Double.longBitsToDouble(errors) * idle;
        v = v + ERROR_WEIGHT * (e - v);
        ERRORS.setRelease(this, Double.doubleToRawLongBits(v));
        if (nowNanos - prev > 0 || first) {
            LAST_SAMPLE.setRelease(this, nowNanos);
        }
    }

    /** 2^(-dt/halfLife) for the decay of an idle estimate, 1 for gaps too short to matter. */
    private static double decayFactor(long dt, long halfLifeNanos) {
        return dt <= halfLifeNanos >> 6 ? 1.0 : halving(dt, halfLifeNanos);
    }

    /**
     * 2^(-dt/halfLife), to about 2e-5 relative: whole halvings exactly (a binary exponent shift), the
     * fraction by its series. Several times cheaper than {@link Math#exp}, which matters because picks read
     * estimates of several backends.
     */
    static double halving(long dt, long halfLifeNanos) {
        double x = (double) dt / halfLifeNanos;
        if (x >= 1000) {
            return 0.0;
        }
        int whole = (int) x;
        double f = (x - whole) * 0.6931471805599453;
        // e^-f for f in [0, ln 2): Taylor terms to f^6.
        double p = 1 - f * (1 - f * (0.5 - f * (1.0 / 6 - f * (1.0 / 24 - f * (1.0 / 120 - f / 720)))));
        return Math.scalb(p, -whole);
    }

    private double read(long bits, long nowNanos, long halfLifeNanos) {
        double v = Double.longBitsToDouble(bits);
        if (Double.isNaN(v)) {
            return v;
        }
        return v * decayFactor(Math.max(0L, nowNanos - lastSampleNanos), halfLifeNanos);
    }

    /** Peak-sensitive latency average as of {@code nowNanos}; NaN before the first response. */
    public double peakEwma(long nowNanos, long halfLifeNanos) {
        return read(peak, nowNanos, halfLifeNanos);
    }

    /** Time-weighted latency average as of {@code nowNanos}; NaN before the first response. */
    public double averageLatency(long nowNanos, long halfLifeNanos) {
        return read(average, nowNanos, halfLifeNanos);
    }

    /** Latency of the last few responses as of {@code nowNanos}; NaN before the first response. */
    public double recentLatency(long nowNanos, long halfLifeNanos) {
        return read(recent, nowNanos, halfLifeNanos);
    }

    /** Share of recent requests that failed, 0 to 1 (each new outcome counts a tenth). */
    public double errorRate(long nowNanos, long halfLifeNanos) {
        return read(errors, nowNanos, halfLifeNanos);
    }

    /** Share of recent requests that failed as of the last outcome, without idle decay; 0 to 1. */
    public double errorRate() {
        return Double.longBitsToDouble(errors);
    }

    /** Finished requests. */
    public long requests() {
        return finished.sum(0);
    }

    /** Finished requests that failed (local failure or 5xx). */
    public long failures() {
        return finished.sum(1);
    }

    /** True while no health bit is set. */
    public boolean available() {
        return healthBits.get() == 0;
    }

    /** The current health bits. */
    public int healthBits() {
        return healthBits.get();
    }

    /** True unless an operator drained the backend: what panic mode looks at. */
    public boolean notDrained() {
        return (healthBits.get() & ADMIN_DRAINED) == 0;
    }

    /**
     * Sets or clears one health bit. A backend whose last bit clears (it recovered) starts its slow start.
     * The pool's count of unusable backends follows. A backend left with only its breaker's bit (the
     * breaker opened, opened again after a failed trial, or the other reasons cleared) puts the end of its
     * open period on the pool's {@link TrialSchedule}, so that {@link Selection} gives it its trials.
     */
    public void setHealthBit(int bit, boolean on) {
        int before = on ? healthBits.getAndUpdate(b -> b | bit) : healthBits.getAndUpdate(b -> b & ~bit);
        int after = on ? before | bit : before & ~bit;
        if (after == BREAKER_OPEN) {
            trials.atOrBefore(breaker.openUntilNanos());
        }
        if (before == 0 && after != 0) {
            poolUnavailable.incrementAndGet();
        } else if (before != 0 && after == 0) {
            poolUnavailable.decrementAndGet();
            startRamp(System.nanoTime());
        }
    }

    /** Backends of this backend's pool with a health bit set. */
    public int poolUnavailable() {
        return poolUnavailable.get();
    }

    /** Called when the backend leaves its pool: it no longer counts among the pool's unusable ones. */
    public void retired() {
        retired = true;
        if (healthBits.getAndSet(0) != 0) {
            poolUnavailable.decrementAndGet();
        }
    }

    /**
     * True once a reload took this backend out of its pool: requests already on it finish, but its connections
     * are not kept for reuse.
     */
    public boolean isRetired() {
        return retired;
    }

    /** Starts a slow start now: the backend joined or recovered. */
    public void startRamp(long nowNanos) {
        rampStartNanos = nowNanos;
    }

    /**
     * The share of its weight this backend should get now: 1 when not ramping, else growing linearly from
     * 5% to 100% over {@code slowStartNanos} since it joined or recovered.
     */
    public double rampFactor(long nowNanos, long slowStartNanos) {
        long start = rampStartNanos;
        if (start == NOT_RAMPING || slowStartNanos <= 0) {
            return 1.0;
        }
        long elapsed = nowNanos - start;
        if (elapsed >= slowStartNanos) {
            rampStartNanos = NOT_RAMPING;
            return 1.0;
        }
        return Math.max(MIN_RAMP, (double) Math.max(0L, elapsed) / slowStartNanos);
    }
}

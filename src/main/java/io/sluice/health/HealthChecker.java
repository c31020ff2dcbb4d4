package io.sluice.health;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.balance.Backend;
import io.sluice.balance.BackendState;
import io.sluice.config.HealthCheckConfig;
import io.sluice.config.ProxyVersion;
import io.sluice.config.HostPort;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RuntimeSnapshot;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the active health checks of every pool that configures them, and turns the results into each
 * backend's {@link BackendState#FAILED_ACTIVE_CHECK} bit through its {@link ActiveHealth} (rise/fall
 * hysteresis, so a backend whose probes alternate never changes state).
 *
 * <p>Each checked backend is probed on one event loop of the group, chosen once, with at most one probe in
 * flight: the next probe is scheduled when the previous one has finished, {@code interval} after the
 * previous one started (at once if that moment has passed). The first probe of a backend waits a random
 * part of {@code min(interval, 1s)}, so that many backends do not probe in lockstep; later ones keep the
 * exact interval, so a dead backend is down within about {@code unhealthy_threshold x interval}.
 *
 * <p>{@link #apply} follows a reload: backends no longer checked stop being probed and lose the bit, new
 * ones start, kept ones carry on with the new check settings (their health state lives in
 * {@link BackendState}, so it survives). A failing probe, or one that throws, counts as a failed check and
 * never stops the schedule. State changes are logged once each at INFO; single probes at DEBUG only.
 *
 * <p>Checks and circuit breakers meet in two places, as Envoy's successful check un-ejects a host: checks
 * bringing a backend back up close its breaker at once, and a check passing on a backend whose breaker's
 * open period is over (half-open) closes it too, so a backend that tripped on failing requests and passes
 * its checks comes back even if no request is sent its way. Within the open period the breaker's finding
 * stands: it saw real requests fail, which a probe of one path does not disprove.
 *
 * <p>Thread-safe: {@link #apply} and {@link #close} are synchronized and never block (they only hand work
 * to the event loops); everything about one backend's probing happens on its event loop.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);
    private static final long MAX_FIRST_DELAY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long past its timeout a probe may run before the checker gives up on it (a faulty plug-in). */
    private static final long BACKSTOP_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Probe HTTP = new HttpProbe();
    private static final Probe TCP = new TcpProbe();

    private final EventLoopGroup group;
    private final Function<HealthCheckConfig, Probe> probes;
    private final LongSupplier clock;
    private final LongAdder probesRun = new LongAdder();
    private final Map<Key, Checked> checked = new HashMap<>();
    /**
     * The loop each backend's probing runs on, kept when its probing stops: started again, it returns to
     * that loop, so its old probing's last task (which clears the bit) runs before the new one's first.
     */
    private final Map<BackendState, EventLoop> loops = new WeakHashMap<>();
    private boolean closed;

    private record Key(String pool, HostPort address) {
    }

    /** A checker using the built-in probes ({@link HttpProbe}, {@link TcpProbe}) on this group's loops. */
    public HealthChecker(EventLoopGroup group) {
        this(group, HealthChecker::builtIn);
    }

    /**
     * A checker whose probes come from {@code probes}, asked once per checked backend and reload.
     *
     * @param probes the probe for a check; must not return null
     */
    public HealthChecker(EventLoopGroup group, Function<HealthCheckConfig, Probe> probes) {
        this(group, probes, System::nanoTime);
    }

    /**
     * A checker whose probes come from {@code probes}, reading breakers' time from {@code clock}.
     *
     * @param clock the clock the circuit breakers run on, in {@link System#nanoTime()} terms (the proxy's)
     */
    public HealthChecker(EventLoopGroup group, Function<HealthCheckConfig, Probe> probes, LongSupplier clock) {
        this.group = Objects.requireNonNull(group, "group");
        this.probes = Objects.requireNonNull(probes, "probes");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The built-in probe for the check's type. */
    public static Probe builtIn(HealthCheckConfig check) {
        return check.type() == HealthCheckConfig.Type.HTTP ? HTTP : TCP;
    }

    /**
     * Checks exactly the backends of this snapshot's pools that have a health check: starts probing new
     * ones, stops (and clears the bit of) those no longer present or whose pool lost its check, and hands
     * changed check settings to the others. Does nothing once closed.
     */
    public synchronized void apply(RuntimeSnapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        if (closed) {
            return;
        }
        // Ask for every probe first, so that a faulty probe factory fails the call before anything changed.
        Map<Key, Target> wanted = new LinkedHashMap<>();
        for (PoolRuntime pool : snapshot.pools()) {
            HealthCheckConfig check = pool.config().healthCheck();
            if (check == null) {
                continue;
            }
            for (Backend b : pool.backends()) {
                Key key = new Key(pool.name(), b.endpoint().address());
                if (!wanted.containsKey(key)) { // listed twice: one state, so one probe
                    Probe probe = Objects.requireNonNull(probes.apply(check), "probe for " + check);
                    ProxyVersion proxyHeader = pool.config().sendProxyProtocol();
                    if (probe == HTTP && (pool.upstreamTls() != null || proxyHeader != ProxyVersion.NONE)) {
                        // HTTPS backends, and backends that expect a PROXY header (a LOCAL one from a probe)
                        probe = new HttpProbe(pool.upstreamTls(), pool.config().tls(), proxyHeader);
                    } else if (probe == TCP && proxyHeader != ProxyVersion.NONE) {
                        probe = new TcpProbe(proxyHeader);
                    }
                    wanted.put(key, new Target(b, check, probe));
                }
            }
        }
        Map<Key, Checked> next = new HashMap<>();
        for (Map.Entry<Key, Target> e : wanted.entrySet()) {
            Target t = e.getValue();
            Checked c = checked.remove(e.getKey());
            if (c != null && c.state == t.backend.state()) {
                c.update(t);
            } else {
                if (c != null) {
                    c.stop();
                }
                EventLoop loop = loops.computeIfAbsent(t.backend.state(), s -> group.next());
                c = new Checked(loop, t);
                c.start();
            }
            next.put(e.getKey(), c);
        }
        for (Checked c : checked.values()) {
            c.stop();
        }
        checked.clear();
        checked.putAll(next);
    }

    /** Probes finished since this checker was made, passed or failed, over all backends. */
    public long probesRun() {
        return probesRun.sum();
    }

    /** How many backends are being probed now. */
    public synchronized int checkedBackends() {
        return checked.size();
    }

    /**
     * Stops every backend's probing: pending probes are cancelled (their connections closed on their event
     * loops) and the bits this checker set are cleared. Idempotent; does not wait.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Checked c : checked.values()) {
            c.stop();
        }
        checked.clear();
    }

    /** What to probe for one backend, as one reload says. */
    private record Target(Backend backend, HealthCheckConfig check, Probe probe) {
    }

    /**
     * The probing of one backend. The fields the caller of {@link #apply} writes are volatile and read when
     * a probe starts; the rest is confined to {@link #loop}.
     */
    private final class Checked {
        private final EventLoop loop;
        private final BackendState state;
        private volatile Target target;
        private volatile boolean stopped;
        private ScheduledFuture<?> next;
        private Promise<Probe.Result> inFlight;
        private long lastStartNanos;
        private boolean probed;
        /** Results in a row alike: positive for passes, negative for failures. */
        private int streak;
        private boolean warnedOfError;

        Checked(EventLoop loop, Target target) {
            this.loop = loop;
            this.state = target.backend.state();
            this.target = target;
        }

        void start() {
            onLoop(() -> {
                if (stopped) {
                    return;
                }
                if (!state.activeHealth().healthy()) {
                    // Checks stopped while it was down, and its bit was cleared then; until it passes again
                    // it is down, as its health record says (and as it must be for a failure to count).
                    state.setHealthBit(BackendState.FAILED_ACTIVE_CHECK, true);
                    log.info("{}: health checks resume; down until {} pass in a row", state.label(),
                            target.check.healthyThreshold());
                }
                long interval = target.check.interval().toNanos();
                schedule(ThreadLocalRandom.current().nextLong(Math.min(interval, MAX_FIRST_DELAY_NANOS)));
            });
        }

        void update(Target t) {
            Target old = target;
            target = t;
            if (!old.check.interval().equals(t.check.interval())) {
                onLoop(this::reschedule);
            }
        }

        void stop() {
            stopped = true;
            onLoop(this::halt);
        }

        /** On the loop: a waiting probe waits for the new interval instead (one in flight uses it next). */
        private void reschedule() {
            if (stopped || next == null || !probed || !next.cancel(false)) {
                return;
            }
            next = null;
            scheduleAfterLastStart();
        }

        /** On the loop (or the caller's thread once the loop is gone): the last task of this probing. */
        private void halt() {
            if (next != null) {
                next.cancel(false);
                next = null;
            }
            if (inFlight != null) {
                inFlight.cancel(false);
                inFlight = null;
            }
            if ((state.healthBits() & BackendState.FAILED_ACTIVE_CHECK) != 0) {
                state.setHealthBit(BackendState.FAILED_ACTIVE_CHECK, false);
                log.info("{}: no longer health-checked, so no longer down for failing checks", state.label());
            }
        }

        private void probe() {
            next = null;
            if (stopped) {
                return;
            }
            Target t = target;
            lastStartNanos = System.nanoTime();
            probed = true;
            Promise<Probe.Result> promise = loop.newPromise();
            inFlight = promise;
            String late = "probe did not finish within " + ProbeChannels.describe(t.check.timeout());
            ScheduledFuture<?> backstop = loop.schedule(() -> promise.trySuccess(Probe.Result.fail(late)),
                    t.check.timeout().toNanos() + BACKSTOP_GRACE_NANOS, TimeUnit.NANOSECONDS);
            promise.addListener(f -> finished(promise, backstop, t));
            try {
                t.probe.run(t.backend, t.check, loop, promise);
            } catch (Throwable e) {
                if (!warnedOfError) {
                    warnedOfError = true;
                    log.warn("{}: health check probe threw; counted as a failed check", state.label(), e);
                }
                promise.trySuccess(Probe.Result.fail("probe error: " + ProbeChannels.reason(e, t.check.timeout())));
            }
        }

        private void finished(Promise<Probe.Result> promise, ScheduledFuture<?> backstop, Target t) {
            backstop.cancel(false);
            if (inFlight == promise) {
                inFlight = null;
            }
            if (stopped || promise.isCancelled()) {
                return;
            }
            try {
                Probe.Result r;
                if (promise.isSuccess()) {
                    r = promise.getNow() != null ? promise.getNow() : Probe.Result.fail("probe gave no result");
                } else {
                    r = Probe.Result.fail(ProbeChannels.reason(promise.cause(), t.check.timeout()));
                }
                record(r, t.check);
            } catch (Throwable e) {
                log.warn("{}: could not record a health check result", state.label(), e);
            } finally {
                scheduleAfterLastStart();
            }
        }

        private void record(Probe.Result r, HealthCheckConfig check) {
            probesRun.increment();
            streak = r.ok() ? Math.max(0, streak) + 1 : Math.min(0, streak) - 1;
            ActiveHealth.Transition change = state.activeHealth().record(r.ok(), r.reason(),
                    check.healthyThreshold(), check.unhealthyThreshold());
            switch (change) {
                case DOWN -> {
                    state.setHealthBit(BackendState.FAILED_ACTIVE_CHECK, true);
                    int n = Math.max(-streak, check.unhealthyThreshold());
                    log.info("{}: down after {} failed health {} in a row (last: {})", state.label(), n,
                            checks(n), r.reason());
                }
                case UP -> {
                    // Passing checks are fresher news than an open breaker's timer (as Envoy un-ejects).
                    state.breaker().reset("health checks pass again");
                    state.setHealthBit(BackendState.FAILED_ACTIVE_CHECK, false);
                    int n = Math.max(streak, check.healthyThreshold());
                    log.info("{}: up again after {} passed health {} in a row", state.label(), n, checks(n));
                }
                default -> {
                    log.debug("{}: health check {}", state.label(), r.ok() ? "passed" : r.reason());
                    if (r.ok() && state.activeHealth().healthy()
                            && state.breaker().state(clock.getAsLong()) == CircuitBreaker.State.HALF_OPEN) {
                        state.breaker().reset("open period over and a health check passed");
                    }
                }
            }
        }

        private void scheduleAfterLastStart() {
            long interval = target.check.interval().toNanos();
            schedule(Math.max(0L, interval - (System.nanoTime() - lastStartNanos)));
        }

        private void schedule(long delayNanos) {
            if (stopped) {
                return;
            }
            try {
                next = loop.schedule(this::probe, delayNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // the event loop is shutting down: so is the checking
            }
        }

        private void onLoop(Runnable task) {
            try {
                loop.execute(task);
            } catch (RejectedExecutionException e) {
                task.run(); // the loop is gone, and with it any concurrent probing of this backend
            }
        }
    }

    private static String checks(int n) {
        return n == 1 ? "check" : "checks";
    }
}

package io.sluice;

import io.netty.channel.EventLoopGroup;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.admin.AdminContext;
import io.sluice.admin.AdminServer;
import io.sluice.config.Config;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigFile;
import io.sluice.health.HealthChecker;
import io.sluice.l4.Detector;
import io.sluice.l4.DetectorSet;
import io.sluice.l4.L4Events;
import io.sluice.observe.History;
import io.sluice.observe.MetricsCollector;
import io.sluice.observe.ReloadStats;
import io.sluice.observe.Telemetry;
import io.sluice.observe.Tracing;
import io.sluice.observe.TurnMetrics;
import io.sluice.http.ProxyContext;
import io.sluice.runtime.BackendRegistry;
import io.sluice.runtime.LeakDetection;
import io.sluice.runtime.OutcomeListener;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RuntimeSnapshot;
import io.sluice.runtime.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Sluice proxy: the library entry point, and what the command line uses.
 *
 * <pre>{@code
 * Sluice sluice = Sluice.builder().config(config).build().start();
 * ...
 * sluice.shutdown(Duration.ofSeconds(10));
 * }</pre>
 *
 * Thread-safe: {@link #start()} and {@link #shutdown(Duration)} may be called from any thread, once each.
 */
public final class Sluice implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Sluice.class);

    /** The configuration in force: the one built with, then each reload's. */
    private volatile Config config;
    private final DetectorSet detectors;
    private final BackendRegistry registry = new BackendRegistry();
    private final AtomicReference<RuntimeSnapshot> snapshot = new AtomicReference<>();
    private final ProxyContext proxy;
    private final LongSupplier clock;
    private final Telemetry telemetry;
    private final History history;
    private final PrometheusRegistry metrics;
    private final ListenerSet listeners;
    private final L4Events l4Events;
    private final ReloadStats reloads = new ReloadStats();
    private final ConfigFile configFile;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private AdminServer admin;
    private HealthChecker healthChecker;
    private volatile boolean stopped;
    private int threads;

    private Sluice(Builder b) {
        this.config = b.config;
        this.detectors = DetectorSet.of(b.detectors);
        this.snapshot.set(RuntimeSnapshot.build(config, registry, null, detectors));
        registry.markStarted();
        this.clock = b.clock;
        this.telemetry = new Telemetry(config, b.tracing);
        this.proxy = new ProxyContext(snapshot, b.outcomes, b.clock, telemetry);
        this.l4Events = telemetry.l4();
        this.listeners = new ListenerSet(proxy, l4Events, snapshot::get, clock);
        this.configFile = b.configFile;
        reloads.started(b.configText == null ? config.toString() : b.configText);
        this.history = new History(snapshot::get);
        this.metrics = new PrometheusRegistry();
        metrics.register(new MetricsCollector(snapshot::get, telemetry, this::openConnections,
                proxy::upstreamConnections, proxy::upstreamQueued, clock));
        metrics.register(reloads.collector());
        metrics.register(new TurnMetrics(this::stunListeners));
        JvmMetrics.builder().register(metrics);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds every listener and the admin listener. On failure everything already bound is closed again.
     *
     * @throws IllegalStateException when a socket cannot be bound (the message names the address)
     */
    public synchronized Sluice start() throws InterruptedException {
        threads = config.workers() > 0 ? config.workers() : Transport.defaultThreads();
        Transport.use(config.transport());
        boss = Transport.newGroup(1, "sluice-accept");
        workers = Transport.newGroup(threads, "sluice-io");
        try {
            listeners.bindAll(config, boss, workers);
            healthChecker = new HealthChecker(workers, HealthChecker::builtIn, clock);
            healthChecker.apply(snapshot.get());
            if (config.metrics().enabled()) {
                history.start();
            }
            if (config.admin().enabled()) {
                admin = new AdminServer(config.admin(), adminContext());
                ListenerSet.bindOrExplain(() -> admin.start(boss), config.admin().bind().toString());
            }
        } catch (RuntimeException | InterruptedException e) {
            shutdown(Duration.ZERO);
            throw e;
        }
        List<String> bound = listeners.describe();
        log.info("sluice started: {} event loop(s), {} transport, leak detection {}, listeners {}{}", threads,
                Transport.name(), LeakDetection.describe(), bound, admin == null ? "" : ", admin " + admin.localAddress());
        return this;
    }

    /** The address a listener is bound to, by listener name. */
    public InetSocketAddress listenerAddress(String name) {
        return listeners.address(name);
    }

    /**
     * The relay of the named turn listener (its allocations and statistics), or null when there is no turn
     * listener of that name.
     */
    public io.sluice.turn.TurnService turn(String listener) {
        io.sluice.turn.StunListener l = listeners.stun(listener);
        return l == null ? null : l.turn();
    }

    /** Every stun and turn listener now (their STUN counters, and the relay of each turn one). */
    public List<io.sluice.turn.StunListener> stunListeners() {
        return listeners.stunListeners();
    }

    /** Open client connections of the named listener (0 for an unknown name). */
    private int openConnections(String listener) {
        return listeners.openConnections(listener);
    }

    /** The address of the clear-text listener that redirects to the named https listener, or null. */
    public InetSocketAddress redirectAddress(String name) {
        return listeners.redirectAddress(name);
    }

    /** Client connections open now, across all listeners (an HTTP/2 connection counts once). */
    public int clientConnections() {
        return proxy.clients().size();
    }

    /** Backend connections open now, busy or idle (an HTTP/2 one counts once, whatever its streams). */
    public int upstreamConnections() {
        return proxy.upstreamConnections();
    }

    /** Requests waiting now for a backend connection under a pool's {@code connection_limit}. */
    public int upstreamQueued() {
        return proxy.upstreamQueued();
    }

    /** The per-second history of pools and backends (what {@code /_metrics/history} serves). */
    public History history() {
        return history;
    }

    /** The Prometheus registry that {@code /metrics} exposes; a library user may register more. */
    public PrometheusRegistry metricsRegistry() {
        return metrics;
    }

    /** The admin listener's address, or null when it is disabled. */
    public InetSocketAddress adminAddress() {
        return admin == null ? null : admin.localAddress();
    }

    /** Event-loop threads serving connections: {@code workers} from the config, or one per core. */
    public int eventLoopThreads() {
        return threads;
    }

    /**
     * Swaps a pool's load-balancing strategy while requests flow: requests already past their pick finish
     * as they were, later ones use the new strategy; backend stats carry over. The admin API's
     * {@code PUT /api/pools/{pool}/strategy} does the same.
     *
     * @throws IllegalArgumentException for an unknown pool or strategy; nothing changes then
     */
    public void setStrategy(String pool, String strategy) {
        PoolRuntime p = snapshot.get().pool(Objects.requireNonNull(pool, "pool"));
        if (p == null) {
            throw new IllegalArgumentException("no pool named \"" + pool + "\"");
        }
        p.swapStrategy(Objects.requireNonNull(strategy, "strategy"));
    }

    private AdminContext adminContext() {
        return new AdminContext(snapshot::get, clock, metrics, history, proxy::draining, new AdminReloads(this),
                this::stunListeners);
    }

    /** The snapshot the data path uses now. */
    public RuntimeSnapshot snapshot() {
        return snapshot.get();
    }

    /** The configuration in force: the one built with, or the last one a reload applied. */
    public Config config() {
        return config;
    }

    /** What reloads did so far, and the running configuration's text and hash. */
    public ReloadStats reloads() {
        return reloads;
    }

    /** The file reloads read, or null when this proxy was built from a {@link Config} alone. */
    public ConfigFile configFile() {
        return configFile;
    }

    /**
     * Reads the configuration file again ({@link Builder#configFile}) and applies it, as {@link #reload(Config)}.
     * A file with errors changes nothing: the result lists every error with its line:column. Blocks; call it
     * off the event loops. Reloads are serialised.
     *
     * @throws IllegalStateException when this proxy has no configuration file
     */
    public ReloadResult reload() {
        if (configFile == null) {
            throw new IllegalStateException("this proxy was built from a Config, not a file: nothing to reload from");
        }
        synchronized (this) {
            ConfigFile.Loaded loaded;
            try {
                loaded = configFile.load();
            } catch (ConfigException e) {
                List<String> errors = e.errors().stream().map(Object::toString).toList();
                return failed(configFile.path() + ": " + errors.size() + " error(s); still serving the running"
                        + " configuration", errors);
            }
            return apply(loaded.config(), loaded.text());
        }
    }

    /**
     * Applies a new configuration to the running proxy, atomically for requests: the new snapshot (routes,
     * pools, backends, strategies, health, breaker and retry settings, limits, headers, filters) is published
     * with one reference swap, so a request sees the whole old configuration or the whole new one. Backends
     * that stay keep their health, breaker, latency estimates, counters and pooled connections; removed ones
     * get no new requests and their connections close as their exchanges end. Listeners are reconciled (see
     * {@link ListenerSet}); access log and tracing settings are swapped. {@code workers} and {@code admin}
     * need a restart: a change to them is reported and the rest applied. On any error nothing changes.
     * Blocks (certificates, binding); call it off the event loops. Reloads are serialised.
     */
    public synchronized ReloadResult reload(Config next) {
        return apply(Objects.requireNonNull(next, "next"), null);
    }

    private ReloadResult apply(Config next, String text) {
        if (stopped || workers == null) {
            return failed("the proxy is not running", List.of("the proxy is not running"));
        }
        String configText = text != null ? text : next.toString();
        Config current = config;
        List<String> restart = ConfigDiff.needsRestart(current, next);
        ListenerSet.Plan plan;
        RuntimeSnapshot old = snapshot.get();
        RuntimeSnapshot built;
        try {
            plan = listeners.prepare(next);
            built = RuntimeSnapshot.build(next, registry, old, detectors);
        } catch (RuntimeException e) {
            return failed("the new configuration cannot be applied; still serving the running one",
                    List.of(e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        List<String> changes = new ArrayList<>(ConfigDiff.changes(current, next));
        changes.addAll(plan.changes());
        if (changes.isEmpty() && restart.isEmpty() && next.equals(current)) {
            reloads.unchanged(configText);
            log.info("reload: nothing changed");
            return new ReloadResult(ReloadResult.Outcome.UNCHANGED, List.of(), List.of(), List.of(), reloads.hash());
        }
        try {
            changes.addAll(telemetry.reconfigure(next));
        } catch (IllegalStateException e) {
            return failed("the new configuration cannot be applied; still serving the running one",
                    List.of(e.getMessage()));
        }
        if (admin != null && restart.stream().noneMatch(r -> r.startsWith("admin"))) {
            try {
                admin.update(next.admin()); // token and request limits
            } catch (IllegalStateException e) {
                return failed("the new admin settings cannot be applied; still serving the running configuration",
                        List.of(e.getMessage()));
            }
        }
        snapshot.set(built); // the one swap: from here on requests see the new configuration
        config = next;
        if (next.metrics().enabled()) {
            history.start(); // metrics turned on by this reload: the per-second history starts too
        }
        registry.retainOnly(built);
        proxy.retireBackends(ConfigDiff.retiredAddresses(old));
        healthChecker.apply(built);
        List<String> problems;
        try {
            problems = listeners.apply(plan, next.limits().drainTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problems = List.of("interrupted while binding new listeners");
        }
        reloads.succeeded(configText, changes);
        log.info("reload applied: {}", changes.isEmpty() ? "settings changed" : String.join("; ", changes));
        restart.forEach(r -> log.warn("reload: {} changed, which needs a restart; the running value stays", r));
        problems.forEach(pr -> log.error("reload: {}", pr));
        return new ReloadResult(ReloadResult.Outcome.APPLIED, changes, restart, problems, reloads.hash());
    }

    private ReloadResult failed(String headline, List<String> errors) {
        reloads.failed(errors);
        log.warn("reload refused: {}", headline);
        errors.forEach(e -> log.warn("  {}", e));
        return new ReloadResult(ReloadResult.Outcome.FAILED, List.of(), List.of(), errors, reloads.hash());
    }

    /**
     * Graceful stop: stop accepting, let requests in flight finish for up to {@code drain}, close the rest.
     * Returns when everything is closed.
     */
    public void shutdown(Duration drain) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
        }
        listeners.stopAll();
        if (admin != null) {
            admin.stop();
        }
        if (healthChecker != null) {
            healthChecker.close();
        }
        proxy.startDraining();
        try {
            boolean drained = proxy.clients().newCloseFuture().await(drain.toMillis(), TimeUnit.MILLISECONDS);
            if (!drained) {
                log.warn("drain timeout {} reached; closing {} connection(s)", drain, proxy.clients().size());
                proxy.clients().close().await(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        history.close();
        telemetry.close();
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        log.info("sluice stopped");
    }

    /** Shuts down with the configured drain timeout. */
    @Override
    public void close() {
        shutdown(config.limits().drainTimeout());
    }

    /** Builds a {@link Sluice}. Not thread-safe. */
    public static final class Builder {
        private Config config;
        private ConfigFile configFile;
        private String configText;
        private OutcomeListener outcomes = OutcomeListener.NONE;
        private LongSupplier clock = System::nanoTime;
        private Tracing tracing;
        private final List<Detector> detectors = new ArrayList<>();

        private Builder() {
        }

        /**
         * Makes a strategy of the library user's available under {@code name}, for this configuration and any
         * other loaded in this JVM (see {@link io.sluice.balance.Strategies#register}). A pool's
         * {@code strategy: NAME} then uses it for HTTP and L4 alike; it gets candidates, health, breakers, retries
         * and slow start from {@code Selection} like the built-ins. Call before building the configuration
         * when it is loaded from a file, so that its name validates.
         */
        public Builder strategy(String name, java.util.function.Function<io.sluice.balance.BalanceOptions,
                io.sluice.balance.Strategy> factory) {
            io.sluice.balance.Strategies.register(name, factory);
            return this;
        }

        /**
         * Makes a filter available to configurations under its name ({@code filters: [ NAME ]} or
         * {@code { NAME: SETTINGS }}), next to the built-ins and those found with {@code ServiceLoader}. Register
         * before loading a configuration file that names it.
         */
        public Builder filter(io.sluice.filter.FilterFactory factory) {
            io.sluice.filter.Filters.register(Objects.requireNonNull(factory, "factory"));
            return this;
        }

        /**
         * Adds a protocol detector that L4 routes can name in {@code match: { protocol: NAME }}, next to the
         * built-ins and those found with {@code ServiceLoader}; its name must not be taken.
         */
        public Builder detector(Detector detector) {
            this.detectors.add(Objects.requireNonNull(detector, "detector"));
            return this;
        }

        public Builder config(Config config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * The configuration as read from {@code file}, which {@link Sluice#reload()} (and so SIGHUP, the file
         * watch and {@code POST /api/reload}) reads again; {@code loaded} is what {@link ConfigFile#load()} gave.
         */
        public Builder configFile(ConfigFile file, ConfigFile.Loaded loaded) {
            this.configFile = Objects.requireNonNull(file, "file");
            this.config = loaded.config();
            this.configText = loaded.text();
            return this;
        }

        /** Receives one report per upstream attempt, on event-loop threads. */
        public Builder outcomeListener(OutcomeListener listener) {
            this.outcomes = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * The clock, in {@link System#nanoTime()} terms, that circuit breakers, retry budgets and latency
         * estimates go by (default {@code System::nanoTime}). Tests pass a fake one to step through a
         * breaker's open period without waiting; connection timeouts always run on real time.
         */
        public Builder clock(LongSupplier nanoClock) {
            this.clock = Objects.requireNonNull(nanoClock, "nanoClock");
            return this;
        }

        /**
         * Tracing to use instead of the one the configuration describes, e.g.
         * {@code Tracing.forTests(inMemoryExporter, 1.0, "test")}; Sluice closes it at shutdown.
         */
        public Builder tracing(Tracing value) {
            this.tracing = Objects.requireNonNull(value, "tracing");
            return this;
        }

        /** @throws IllegalStateException when the access log file cannot be opened */
        public Sluice build() {
            Objects.requireNonNull(config, "config");
            return new Sluice(this);
        }
    }

    /**
     * What {@code sluice status} prints for this proxy, built in-process (no admin listener needed): every pool
     * and backend with health, breaker, in flight, req/s, errors and p99, and the tcp and udp listeners with
     * their routes, open connections and routing results.
     */
    public String healthReport() {
        return io.sluice.admin.StatusTable.report(adminContext());
    }
}

package io.sluice.observe;

import io.sluice.config.AccessLogConfig;
import io.sluice.config.Config;
import io.sluice.config.TracingConfig;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the data path reports to, for one running proxy: whether metrics are recorded, the per-listener
 * counts, the L4 listeners' counts ({@link L4Stats}), the access log and tracing. Built once at start; a reload may replace the access log and tracing ({@link #reconfigure}); thread-safe.
 */
public final class Telemetry implements AutoCloseable {
    /** How long a replaced access log or tracer stays open for requests that began before the reload. */
    private static final long RETIRE_MILLIS = 2_000;
    private volatile boolean metrics;
    private volatile AccessLog accessLog;
    private volatile Tracing tracing;
    /** Tracing given by the library user (a test's exporter): a reload leaves it alone. */
    private final boolean tracingGiven;
    private volatile AccessLogConfig accessLogConfig;
    private volatile TracingConfig tracingConfig;
    private final Map<String, ListenerStats> listeners = new ConcurrentHashMap<>();
    private final L4Stats l4;

    /** Metrics, access log and tracing as the configuration says. */
    public Telemetry(Config config) {
        this(config, null);
    }

    /**
     * @param tracing tracing to use instead of the configured one (a test's in-memory exporter), or null
     * @throws IllegalStateException when the access log file cannot be opened
     */
    public Telemetry(Config config, Tracing tracing) {
        Objects.requireNonNull(config, "config");
        this.metrics = config.metrics().enabled();
        try {
            this.accessLog = AccessLog.create(config.accessLog());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        this.tracingGiven = tracing != null;
        this.tracing = tracing != null ? tracing : Tracing.create(config.tracing());
        this.accessLogConfig = config.accessLog();
        this.tracingConfig = config.tracing();
        this.l4 = new L4Stats(this::accessLog);
    }

    /**
     * Takes a reloaded configuration's access log and tracing settings, when they changed: the new log and
     * tracer serve requests from now on, and the old ones are flushed and closed on a thread of their own a
     * moment later (requests that started before may still report to them). Metrics are turned on or off for requests from now on.
     * Blocks on opening the new log file; call off the event loops.
     *
     * @return what changed, for the reload's summary
     * @throws IllegalStateException when the new access log file cannot be opened; nothing changed then
     */
    public synchronized java.util.List<String> reconfigure(Config next) {
        java.util.List<String> changed = new java.util.ArrayList<>();
        AccessLog oldLog = null;
        Tracing oldTracing = null;
        if (!next.accessLog().equals(accessLogConfig)) {
            AccessLog created;
            try {
                created = AccessLog.create(next.accessLog());
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            oldLog = accessLog;
            accessLog = created;
            accessLogConfig = next.accessLog();
            changed.add("access log");
        }
        if (metrics != next.metrics().enabled()) {
            metrics = next.metrics().enabled();
        }
        if (!tracingGiven && !next.tracing().equals(tracingConfig)) {
            oldTracing = tracing;
            tracing = Tracing.create(next.tracing());
            tracingConfig = next.tracing();
            changed.add("tracing");
        }
        if (oldLog != null || oldTracing != null) {
            AccessLog log = oldLog;
            Tracing tr = oldTracing;
            Thread closer = new Thread(() -> {
                try {
                    Thread.sleep(RETIRE_MILLIS); // let requests that hold them finish reporting
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (log != null) {
                    log.close();
                }
                if (tr != null) {
                    tr.close();
                }
            }, "sluice-telemetry-retire");
            closer.setDaemon(true);
            closer.start();
        }
        return changed;
    }

    /** True when requests are counted and timed. */
    public boolean metrics() {
        return metrics;
    }

    public AccessLog accessLog() {
        return accessLog;
    }

    public Tracing tracing() {
        return tracing;
    }

    /** The counts of the named listener, made on first use. */
    public ListenerStats listener(String name) {
        return listeners.computeIfAbsent(name, ListenerStats::new);
    }

    /** Where tcp and udp listeners report: their counts and access log lines. */
    public L4Stats l4() {
        return l4;
    }

    /** Every listener's counts. */
    public Iterable<ListenerStats> listeners() {
        return listeners.values();
    }

    /** Flushes and stops the access log and tracing; blocks for a few seconds at most. */
    @Override
    public void close() {
        accessLog.close();
        tracing.close();
    }
}

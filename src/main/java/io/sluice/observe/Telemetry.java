package io.sluice.observe;

import io.sluice.config.Config;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the data path reports to, for one running proxy: whether metrics are recorded, the per-listener
 * counts, the L4 listeners' counts ({@link L4Stats}), the access log and tracing. Built once at start; thread-safe.
 */
public final class Telemetry implements AutoCloseable {
    private final boolean metrics;
    private final AccessLog accessLog;
    private final Tracing tracing;
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
        this.tracing = tracing != null ? tracing : Tracing.create(config.tracing());
        this.l4 = new L4Stats(accessLog);
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

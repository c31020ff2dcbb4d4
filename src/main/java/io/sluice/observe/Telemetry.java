package io.sluice.observe;

import io.sluice.config.Config;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the data path reports to, for one running proxy: whether metrics are recorded, the per-listener
 * counts, the access log and tracing. Built once at start; thread-safe.
 */
public final class Telemetry implements AutoCloseable {
    private final boolean metrics;
    private final Map<String, ListenerStats> listeners = new ConcurrentHashMap<>();

    public Telemetry(Config config) {
        Objects.requireNonNull(config, "config");
        this.metrics = config.metrics().enabled();
    }

    /** True when requests are counted and timed. */
    public boolean metrics() {
        return metrics;
    }

    /** The counts of the named listener, made on first use. */
    public ListenerStats listener(String name) {
        return listeners.computeIfAbsent(name, ListenerStats::new);
    }

    /** Every listener's counts. */
    public Iterable<ListenerStats> listeners() {
        return listeners.values();
    }

    @Override
    public void close() {
    }
}

package io.sluice.config;

import java.util.List;
import java.util.Objects;

/**
 * The whole configuration after parsing and validation: what the YAML said, with every default filled in.
 * Immutable; thread-safe. Build one with {@link ConfigLoader}, or directly in code for the library API.
 *
 * @param listeners the listeners, at least one
 * @param pools     the backend pools, names unique
 * @param admin     the admin listener
 * @param limits    limits applied to every client connection
 * @param headers   which informational headers to add
 * @param workers   event-loop threads; 0 means one per core
 * @param accessLog the access log
 * @param tracing   OpenTelemetry tracing
 * @param metrics   whether requests are counted and timed
 */
public record Config(List<ListenerConfig> listeners, List<PoolConfig> pools, AdminConfig admin,
                     LimitsConfig limits, HeadersConfig headers, int workers, AccessLogConfig accessLog,
                     TracingConfig tracing, MetricsConfig metrics) {

    public Config {
        listeners = List.copyOf(Objects.requireNonNull(listeners, "listeners"));
        pools = List.copyOf(Objects.requireNonNull(pools, "pools"));
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(headers, "headers");
        if (workers < 0) {
            throw new IllegalArgumentException("workers must be >= 0");
        }
        Objects.requireNonNull(accessLog, "accessLog");
        Objects.requireNonNull(tracing, "tracing");
        Objects.requireNonNull(metrics, "metrics");
    }

    /** A configuration with no access log, no tracing and metrics on. */
    public Config(List<ListenerConfig> listeners, List<PoolConfig> pools, AdminConfig admin, LimitsConfig limits,
                  HeadersConfig headers, int workers) {
        this(listeners, pools, admin, limits, headers, workers, AccessLogConfig.OFF, TracingConfig.OFF,
                MetricsConfig.ON);
    }

    /** This configuration with another access log. */
    public Config withAccessLog(AccessLogConfig value) {
        return new Config(listeners, pools, admin, limits, headers, workers, value, tracing, metrics);
    }

    /** This configuration with other tracing. */
    public Config withTracing(TracingConfig value) {
        return new Config(listeners, pools, admin, limits, headers, workers, accessLog, value, metrics);
    }

    /** This configuration with metrics on or off. */
    public Config withMetrics(MetricsConfig value) {
        return new Config(listeners, pools, admin, limits, headers, workers, accessLog, tracing, value);
    }

    /** The pool with this name, or null. */
    public PoolConfig pool(String name) {
        for (PoolConfig p : pools) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }
}

package io.sluice.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The whole configuration after parsing and validation: what the YAML said, with every default filled in.
 * Immutable; thread-safe. Build one with {@link ConfigLoader}, or in code for the library API ({@link #builder()}).
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
 * @param geoip     the MaxMind database of the geo route conditions; null for none
 * @param transport the socket transport asked for: {@code auto}, {@code io_uring}, {@code epoll} or {@code nio}
 */
public record Config(List<ListenerConfig> listeners, List<PoolConfig> pools, AdminConfig admin,
                     LimitsConfig limits, HeadersConfig headers, int workers, AccessLogConfig accessLog,
                     TracingConfig tracing, MetricsConfig metrics, GeoIpConfig geoip, String transport) {

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
        transport = transport == null ? "auto" : transport;
    }

    /** A configuration on the automatically chosen transport. */
    public Config(List<ListenerConfig> listeners, List<PoolConfig> pools, AdminConfig admin, LimitsConfig limits,
                  HeadersConfig headers, int workers, AccessLogConfig accessLog, TracingConfig tracing,
                  MetricsConfig metrics, GeoIpConfig geoip) {
        this(listeners, pools, admin, limits, headers, workers, accessLog, tracing, metrics, geoip, "auto");
    }

    /** A configuration without a geo database. */
    public Config(List<ListenerConfig> listeners, List<PoolConfig> pools, AdminConfig admin, LimitsConfig limits,
                  HeadersConfig headers, int workers, AccessLogConfig accessLog, TracingConfig tracing,
                  MetricsConfig metrics) {
        this(listeners, pools, admin, limits, headers, workers, accessLog, tracing, metrics, null);
    }

    /** A configuration with no access log, no tracing and metrics on. */
    public Config(List<ListenerConfig> listeners, List<PoolConfig> pools, AdminConfig admin, LimitsConfig limits,
                  HeadersConfig headers, int workers) {
        this(listeners, pools, admin, limits, headers, workers, AccessLogConfig.OFF, TracingConfig.OFF,
                MetricsConfig.ON);
    }

    /** This configuration with another access log. */
    public Config withAccessLog(AccessLogConfig value) {
        return new Config(listeners, pools, admin, limits, headers, workers, value, tracing, metrics, geoip, transport);
    }

    /** This configuration with other tracing. */
    public Config withTracing(TracingConfig value) {
        return new Config(listeners, pools, admin, limits, headers, workers, accessLog, value, metrics, geoip, transport);
    }

    /** This configuration with metrics on or off. */
    public Config withMetrics(MetricsConfig value) {
        return new Config(listeners, pools, admin, limits, headers, workers, accessLog, tracing, value, geoip, transport);
    }

    /** This configuration on another transport ({@code auto}, {@code io_uring}, {@code epoll} or {@code nio}). */
    public Config withTransport(String value) {
        return new Config(listeners, pools, admin, limits, headers, workers, accessLog, tracing, metrics, geoip, value);
    }

    /**
     * A builder with the defaults a YAML file without those sections gets: admin on 127.0.0.1:9901, default
     * limits and headers, one event loop per core, no access log, no tracing, metrics on.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link Config} in code; listeners and pools keep the order they were added in. Not thread-safe. */
    public static final class Builder {
        private final List<ListenerConfig> listeners = new ArrayList<>();
        private final List<PoolConfig> pools = new ArrayList<>();
        private AdminConfig admin = AdminConfig.DEFAULTS;
        private LimitsConfig limits = LimitsConfig.DEFAULTS;
        private HeadersConfig headers = HeadersConfig.DEFAULTS;
        private int workers;
        private AccessLogConfig accessLog = AccessLogConfig.OFF;
        private TracingConfig tracing = TracingConfig.OFF;
        private MetricsConfig metrics = MetricsConfig.ON;
        private GeoIpConfig geoip;

        private Builder() {
        }

        public Builder listener(ListenerConfig value) {
            listeners.add(Objects.requireNonNull(value, "listener"));
            return this;
        }

        public Builder pool(PoolConfig value) {
            pools.add(Objects.requireNonNull(value, "pool"));
            return this;
        }

        public Builder admin(AdminConfig value) {
            this.admin = value;
            return this;
        }

        /** No admin listener ({@code Sluice.healthReport()} still works). */
        public Builder withoutAdmin() {
            return admin(new AdminConfig(false, AdminConfig.DEFAULTS.bind(), null));
        }

        public Builder limits(LimitsConfig value) {
            this.limits = value;
            return this;
        }

        public Builder headers(HeadersConfig value) {
            this.headers = value;
            return this;
        }

        /** Event-loop threads; 0 (default) means one per core. */
        public Builder workers(int value) {
            this.workers = value;
            return this;
        }

        public Builder accessLog(AccessLogConfig value) {
            this.accessLog = value;
            return this;
        }

        public Builder tracing(TracingConfig value) {
            this.tracing = value;
            return this;
        }

        public Builder metrics(MetricsConfig value) {
            this.metrics = value;
            return this;
        }

        /** The MaxMind database of the geo route conditions. */
        public Builder geoip(GeoIpConfig value) {
            this.geoip = value;
            return this;
        }

        public Config build() {
            return new Config(listeners, pools, admin, limits, headers, workers, accessLog, tracing, metrics, geoip);
        }
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

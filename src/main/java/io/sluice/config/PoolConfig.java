package io.sluice.config;

import io.sluice.balance.BalanceOptions;
import java.util.List;
import java.util.Objects;

/**
 * A named set of backends with the strategy that chooses among them and the rules that keep it healthy.
 * Immutable; thread-safe. {@link #builder(String)} builds one in code.
 *
 * @param name           unique pool name
 * @param strategy       load-balancing strategy name, e.g. "round_robin"; another accepted form of a known name
 *                       ("RoundRobin", "weighted") becomes the canonical one
 * @param backends       the backends; may be empty (requests then get 503)
 * @param timeouts       upstream timeouts
 * @param healthCheck    active health checks, or null when none is configured
 * @param balance        the strategy's tuning: hash key, bounded load, EWMA half-life, slow start
 * @param breaker        the per-backend circuit breaker
 * @param retry          retries of failed attempts, with their budget
 * @param fallbackPool   the pool that takes requests no backend of this one can take, or null
 * @param panicThreshold when fewer than this percentage of backends are healthy, balance over all of them
 *                       as if healthy (drained ones excepted); 0 (default) = never
 * @param protocol       how Sluice talks to the backends: HTTP/1.1 (default), HTTP/2 over TLS, or h2c
 * @param tls            TLS towards the backends; null for clear text (an {@code h2} pool always uses TLS,
 *                       with {@link UpstreamTlsConfig#DEFAULTS} when this is null)
 * @param sendProxyProtocol the PROXY protocol header written first on every connection to a backend, telling it
 *                       who the client is; {@link ProxyVersion#NONE} (default) for none
 * @param connectionLimit connections to each backend at most, and the queue of requests waiting for one;
 *                       {@link ConnectionLimitConfig#NONE} (default) for no limit
 */
public record PoolConfig(String name, String strategy, List<BackendConfig> backends, TimeoutsConfig timeouts,
                         HealthCheckConfig healthCheck, BalanceOptions balance, CircuitBreakerConfig breaker,
                         RetryConfig retry, String fallbackPool, int panicThreshold,
                         UpstreamProtocol protocol, UpstreamTlsConfig tls, ProxyVersion sendProxyProtocol,
                         ConnectionLimitConfig connectionLimit) {
    public PoolConfig {
        Objects.requireNonNull(sendProxyProtocol, "sendProxyProtocol");
        Objects.requireNonNull(connectionLimit, "connectionLimit");
        if (protocol == UpstreamProtocol.UDP && sendProxyProtocol != ProxyVersion.NONE) {
            throw new IllegalArgumentException("PROXY headers are sent on TCP connections only");
        }
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(strategy, "strategy");
        String canonical = io.sluice.balance.Strategies.canonical(strategy); // "Weighted" is weighted_round_robin
        strategy = canonical == null ? strategy : canonical;
        backends = List.copyOf(Objects.requireNonNull(backends, "backends"));
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(balance, "balance");
        Objects.requireNonNull(breaker, "breaker");
        Objects.requireNonNull(retry, "retry");
        if (panicThreshold < 0 || panicThreshold > 100) {
            throw new IllegalArgumentException("panicThreshold must be 0-100");
        }
        if (name.equals(fallbackPool)) {
            throw new IllegalArgumentException("a pool cannot be its own fallback");
        }
        Objects.requireNonNull(protocol, "protocol");
        if (protocol == UpstreamProtocol.H2 && tls == null) {
            tls = UpstreamTlsConfig.DEFAULTS;
        }
        if (protocol == UpstreamProtocol.H2C && tls != null) {
            throw new IllegalArgumentException("h2c is clear text; use h2 for HTTP/2 over TLS");
        }
    }

    /** A pool without PROXY headers towards its backends. */
    public PoolConfig(String name, String strategy, List<BackendConfig> backends, TimeoutsConfig timeouts,
                      HealthCheckConfig healthCheck, BalanceOptions balance, CircuitBreakerConfig breaker,
                      RetryConfig retry, String fallbackPool, int panicThreshold, UpstreamProtocol protocol,
                      UpstreamTlsConfig tls) {
        this(name, strategy, backends, timeouts, healthCheck, balance, breaker, retry, fallbackPool, panicThreshold,
                protocol, tls, ProxyVersion.NONE, ConnectionLimitConfig.NONE);
    }

    /** Whether Sluice talks TLS to the backends. */
    public boolean secure() {
        return tls != null;
    }

    /** A pool with default balancing, breaker and retries, no fallback and no panic mode. */
    public PoolConfig(String name, String strategy, List<BackendConfig> backends, TimeoutsConfig timeouts,
                      HealthCheckConfig healthCheck) {
        this(name, strategy, backends, timeouts, healthCheck, BalanceOptions.DEFAULTS);
    }

    /** A pool with default breaker and retries, no fallback and no panic mode. */
    public PoolConfig(String name, String strategy, List<BackendConfig> backends, TimeoutsConfig timeouts,
                      HealthCheckConfig healthCheck, BalanceOptions balance) {
        this(name, strategy, backends, timeouts, healthCheck, balance, CircuitBreakerConfig.DEFAULTS,
                RetryConfig.DEFAULTS, null, 0, UpstreamProtocol.HTTP1, null);
    }

    /** A builder starting from the defaults. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder starting from this pool. */
    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.strategy = strategy;
        b.backends = backends;
        b.timeouts = timeouts;
        b.healthCheck = healthCheck;
        b.balance = balance;
        b.breaker = breaker;
        b.retry = retry;
        b.fallbackPool = fallbackPool;
        b.panicThreshold = panicThreshold;
        b.protocol = protocol;
        b.tls = tls;
        b.sendProxyProtocol = sendProxyProtocol;
        b.connectionLimit = connectionLimit;
        return b;
    }

    /** Builds a {@link PoolConfig}; every field starts at its default. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private String strategy = "round_robin";
        private List<BackendConfig> backends = List.of();
        private TimeoutsConfig timeouts = TimeoutsConfig.DEFAULTS;
        private HealthCheckConfig healthCheck;
        private BalanceOptions balance = BalanceOptions.DEFAULTS;
        private CircuitBreakerConfig breaker = CircuitBreakerConfig.DEFAULTS;
        private RetryConfig retry = RetryConfig.DEFAULTS;
        private String fallbackPool;
        private int panicThreshold;
        private UpstreamProtocol protocol = UpstreamProtocol.HTTP1;
        private UpstreamTlsConfig tls;
        private ProxyVersion sendProxyProtocol = ProxyVersion.NONE;
        private ConnectionLimitConfig connectionLimit = ConnectionLimitConfig.NONE;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder strategy(String value) {
            this.strategy = value;
            return this;
        }

        public Builder backends(List<BackendConfig> value) {
            this.backends = value;
            return this;
        }

        public Builder timeouts(TimeoutsConfig value) {
            this.timeouts = value;
            return this;
        }

        /** Active health checks; null for none. */
        public Builder healthCheck(HealthCheckConfig value) {
            this.healthCheck = value;
            return this;
        }

        public Builder balance(BalanceOptions value) {
            this.balance = value;
            return this;
        }

        public Builder breaker(CircuitBreakerConfig value) {
            this.breaker = value;
            return this;
        }

        public Builder retry(RetryConfig value) {
            this.retry = value;
            return this;
        }

        /** The fallback pool's name; null for none. */
        public Builder fallbackPool(String value) {
            this.fallbackPool = value;
            return this;
        }

        public Builder panicThreshold(int percent) {
            this.panicThreshold = percent;
            return this;
        }

        public Builder protocol(UpstreamProtocol value) {
            this.protocol = value;
            return this;
        }

        /** TLS towards the backends; null for clear text. */
        public Builder tls(UpstreamTlsConfig value) {
            this.tls = value;
            return this;
        }

        /** The PROXY header sent first on each backend connection; {@link ProxyVersion#NONE} for none. */
        public Builder sendProxyProtocol(ProxyVersion value) {
            this.sendProxyProtocol = value;
            return this;
        }

        /** Connections to each backend at most, and the queue for them; {@link ConnectionLimitConfig#NONE} for none. */
        public Builder connectionLimit(ConnectionLimitConfig value) {
            this.connectionLimit = value;
            return this;
        }

        public PoolConfig build() {
            return new PoolConfig(name, strategy, backends, timeouts, healthCheck, balance, breaker, retry,
                    fallbackPool, panicThreshold, protocol, tls, sendProxyProtocol, connectionLimit);
        }
    }
}

package io.sluice.config;

import io.sluice.balance.BalanceOptions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A named set of backends with the strategy that chooses among them. Immutable; thread-safe.
 *
 * @param name                unique pool name
 * @param strategy            load-balancing strategy name, e.g. "round_robin"
 * @param backends            the backends; may be empty (requests then get 503)
 * @param timeouts            upstream timeouts
 * @param healthCheckInterval interval for active health checks, or null when none is configured
 * @param balance             the strategy's tuning: hash key, bounded load, EWMA half-life, slow start
 */
public record PoolConfig(String name, String strategy, List<BackendConfig> backends, TimeoutsConfig timeouts,
                         Duration healthCheckInterval, BalanceOptions balance) {
    public PoolConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(strategy, "strategy");
        backends = List.copyOf(Objects.requireNonNull(backends, "backends"));
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(balance, "balance");
    }

    /** A pool with the default {@link BalanceOptions}. */
    public PoolConfig(String name, String strategy, List<BackendConfig> backends, TimeoutsConfig timeouts,
                      Duration healthCheckInterval) {
        this(name, strategy, backends, timeouts, healthCheckInterval, BalanceOptions.DEFAULTS);
    }
}

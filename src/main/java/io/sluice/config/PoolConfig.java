package io.sluice.config;

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
 */
public record PoolConfig(String name, String strategy, List<BackendConfig> backends, TimeoutsConfig timeouts,
                         Duration healthCheckInterval) {
    public PoolConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(strategy, "strategy");
        backends = List.copyOf(Objects.requireNonNull(backends, "backends"));
        Objects.requireNonNull(timeouts, "timeouts");
    }
}

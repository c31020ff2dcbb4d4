package io.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * A pool's per-backend circuit breaker, fed by the outcome of every request. Immutable; thread-safe.
 *
 * @param enabled       false turns the failure-rate breaker off (a backend's 503 with Retry-After still
 *                      holds it off for that long)
 * @param failureRate   percentage of failed calls, over the window, at or above which the breaker opens
 *                      (default 50)
 * @param window        how many of the most recent calls are looked at (default 100)
 * @param minCalls      calls in the window before the rate is judged at all (default 20)
 * @param openFor       how long an open breaker stays open before letting trial calls through (default 30s)
 * @param halfOpenCalls trial calls while half-open; all must succeed to close it (default 5)
 * @param failureStatus statuses that count as failures, besides connect failures, resets and timeouts
 *                      (default 500-599)
 */
public record CircuitBreakerConfig(boolean enabled, int failureRate, int window, int minCalls, Duration openFor,
                                   int halfOpenCalls, StatusSet failureStatus) {
    /** On: 50% of the last 100 calls (at least 20), open 30 s, 5 trial calls, 5xx count. */
    public static final CircuitBreakerConfig DEFAULTS =
            new CircuitBreakerConfig(true, 50, 100, 20, Duration.ofSeconds(30), 5, StatusSet.SERVER_ERRORS);

    /** The breaker off. */
    public static final CircuitBreakerConfig OFF =
            new CircuitBreakerConfig(false, 50, 100, 20, Duration.ofSeconds(30), 5, StatusSet.SERVER_ERRORS);

    public CircuitBreakerConfig {
        Objects.requireNonNull(openFor, "openFor");
        Objects.requireNonNull(failureStatus, "failureStatus");
        if (failureRate < 1 || failureRate > 100) {
            throw new IllegalArgumentException("failureRate must be 1-100");
        }
        if (window < 1 || minCalls < 1 || minCalls > window) {
            throw new IllegalArgumentException("window and minCalls must be at least 1, minCalls at most window");
        }
        if (openFor.isNegative() || openFor.isZero()) {
            throw new IllegalArgumentException("openFor must be positive");
        }
        if (halfOpenCalls < 1) {
            throw new IllegalArgumentException("halfOpenCalls must be at least 1");
        }
    }
}

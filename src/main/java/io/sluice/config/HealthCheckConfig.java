package io.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Active health checks of a pool's backends: what to probe, how often, and how many results in a row
 * change a backend's state (rise/fall hysteresis, so a flaky backend does not flap). Immutable;
 * thread-safe.
 *
 * @param type               {@link Type#HTTP} (a GET that must answer {@code expectStatus}) or {@link Type#TCP}
 *                           (the connection must open)
 * @param path               the HTTP path to GET (default {@code /})
 * @param expectStatus       statuses that count as healthy (default 200-399)
 * @param host               the Host header to send, or null for the backend's own host:port
 * @param interval           time between the starts of two probes of one backend (default 10s)
 * @param timeout            a probe not done within this fails (default 2s)
 * @param healthyThreshold   consecutive successes that bring a down backend back (rise, default 2)
 * @param unhealthyThreshold consecutive failures that take an up backend down (fall, default 3)
 */
public record HealthCheckConfig(Type type, String path, StatusSet expectStatus, String host, Duration interval,
                                Duration timeout, int healthyThreshold, int unhealthyThreshold) {
    /** What a probe does. */
    public enum Type {
        /** GET the path; healthy when the status is expected. */
        HTTP,
        /** Open a TCP connection and close it again. */
        TCP
    }

    /** An HTTP check of {@code /} every 10 s, 2 s timeout, rise 2, fall 3. */
    public static final HealthCheckConfig DEFAULTS = new HealthCheckConfig(Type.HTTP, "/", StatusSet.SUCCESS, null,
            Duration.ofSeconds(10), Duration.ofSeconds(2), 2, 3);

    public HealthCheckConfig {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(expectStatus, "expectStatus");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with /");
        }
        if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("interval and timeout must be positive");
        }
        if (healthyThreshold < 1 || unhealthyThreshold < 1) {
            throw new IllegalArgumentException("thresholds must be at least 1");
        }
    }

    /** The defaults with another interval. */
    public static HealthCheckConfig every(Duration interval) {
        return DEFAULTS.withInterval(interval);
    }

    public HealthCheckConfig withInterval(Duration value) {
        return new HealthCheckConfig(type, path, expectStatus, host, value, timeout, healthyThreshold,
                unhealthyThreshold);
    }

    public HealthCheckConfig withPath(String value) {
        return new HealthCheckConfig(type, value, expectStatus, host, interval, timeout, healthyThreshold,
                unhealthyThreshold);
    }

    public HealthCheckConfig withTimeout(Duration value) {
        return new HealthCheckConfig(type, path, expectStatus, host, interval, value, healthyThreshold,
                unhealthyThreshold);
    }

    public HealthCheckConfig withThresholds(int healthy, int unhealthy) {
        return new HealthCheckConfig(type, path, expectStatus, host, interval, timeout, healthy, unhealthy);
    }

    public HealthCheckConfig withType(Type value) {
        return new HealthCheckConfig(value, path, expectStatus, host, interval, timeout, healthyThreshold,
                unhealthyThreshold);
    }

}

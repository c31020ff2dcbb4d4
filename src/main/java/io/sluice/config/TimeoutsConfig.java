package io.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Upstream timeouts of a pool. Immutable; thread-safe.
 *
 * @param connect  to establish a TCP connection to a backend (default 5s)
 * @param response from the end of sending the request to the response headers (default 60s)
 * @param idle     an idle pooled upstream connection is closed after this (default 60s)
 */
public record TimeoutsConfig(Duration connect, Duration response, Duration idle) {
    public static final TimeoutsConfig DEFAULTS =
            new TimeoutsConfig(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(60));

    public TimeoutsConfig {
        Objects.requireNonNull(connect, "connect");
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(idle, "idle");
    }
}

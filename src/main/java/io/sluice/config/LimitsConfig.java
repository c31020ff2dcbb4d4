package io.sluice.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits on client connections and requests. Immutable; thread-safe.
 *
 * @param maxHeaderSize  request line plus headers, in bytes (default 16 KiB); over it: 431 (414 for the line)
 * @param maxBodySize    request body, in bytes (default 10 MiB); over it: 413
 * @param headerTimeout  a request's headers must arrive within this (default 10s); else 408
 * @param idleTimeout    a client connection with no request in flight closes after this (default 60s)
 * @param maxConnections client connections open at once per listener (default 10000); more are refused
 * @param drainTimeout   on shutdown, how long in-flight requests may take to finish (default 10s)
 */
public record LimitsConfig(long maxHeaderSize, long maxBodySize, Duration headerTimeout, Duration idleTimeout,
                           int maxConnections, Duration drainTimeout) {
    public static final LimitsConfig DEFAULTS = new LimitsConfig(16 * 1024, 10L * 1024 * 1024,
            Duration.ofSeconds(10), Duration.ofSeconds(60), 10_000, Duration.ofSeconds(10));

    public LimitsConfig {
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
    }
}

package io.sluice.config;

/**
 * Informational headers Sluice adds. Immutable; thread-safe.
 *
 * @param forwardedBy   add {@code X-Forwarded-By: sluice} to requests sent to backends (default false)
 * @param backendServer add {@code X-Backend-Server: host:port} to responses sent to clients (default false)
 */
public record HeadersConfig(boolean forwardedBy, boolean backendServer) {
    public static final HeadersConfig DEFAULTS = new HeadersConfig(false, false);
}

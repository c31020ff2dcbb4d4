package io.sluice.config;

/**
 * Informational headers Sluice adds. Immutable; thread-safe.
 *
 * @param forwardedBy   add {@code X-Forwarded-By: sluice} to requests sent to backends (default false)
 * @param backendServer add {@code X-Backend-Server: host:port} to responses sent to clients (default false)
 * @param requestId     give every proxied request an {@code X-Request-Id} (the client's when it is sane, else a
 *                      new one), seen by filters, the backend, the access log and the trace (default true)
 */
public record HeadersConfig(boolean forwardedBy, boolean backendServer, boolean requestId) {
    public static final HeadersConfig DEFAULTS = new HeadersConfig(false, false, true);

    /** The informational headers with the request id on (its default). */
    public HeadersConfig(boolean forwardedBy, boolean backendServer) {
        this(forwardedBy, backendServer, true);
    }
}

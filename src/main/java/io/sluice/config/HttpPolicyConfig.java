package io.sluice.config;

import java.util.List;
import java.util.Objects;

/**
 * What an http or https listener applies to every request and connection, before and besides its routes.
 * Immutable; thread-safe.
 *
 * @param filters             filters run on every route of the listener, before the route's own
 * @param maxConnectionsPerIp open connections one client address may have; 0 for no limit
 * @param clientIpHeader      a header ({@code X-Forwarded-For}) that names the client when the connection comes
 *                            from one of the listener's {@code trusted_proxies}; null to use only the connection
 *                            (and its PROXY header)
 * @param statusEndpoints     whether the listener itself answers {@code GET /lb-health}, {@code /lb-stats},
 *                            {@code /_health} and {@code /_metrics} before routing (off by default in the full
 *                            form; on in quick mode and the short form)
 */
public record HttpPolicyConfig(List<FilterConfig> filters, int maxConnectionsPerIp, String clientIpHeader,
                               boolean statusEndpoints) {
    /** No filters, no limit, no header, no status endpoints. */
    public static final HttpPolicyConfig NONE = new HttpPolicyConfig(List.of(), 0, null, false);

    public HttpPolicyConfig {
        filters = List.copyOf(Objects.requireNonNull(filters, "filters"));
        if (maxConnectionsPerIp < 0) {
            throw new IllegalArgumentException("maxConnectionsPerIp must be >= 0");
        }
    }

    /** A policy without status endpoints. */
    public HttpPolicyConfig(List<FilterConfig> filters, int maxConnectionsPerIp, String clientIpHeader) {
        this(filters, maxConnectionsPerIp, clientIpHeader, false);
    }

    /** This policy with the status endpoints on or off. */
    public HttpPolicyConfig withStatusEndpoints(boolean on) {
        return new HttpPolicyConfig(filters, maxConnectionsPerIp, clientIpHeader, on);
    }
}

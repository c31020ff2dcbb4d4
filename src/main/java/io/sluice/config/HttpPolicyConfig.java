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
 */
public record HttpPolicyConfig(List<FilterConfig> filters, int maxConnectionsPerIp, String clientIpHeader) {
    /** No filters, no limit, no header. */
    public static final HttpPolicyConfig NONE = new HttpPolicyConfig(List.of(), 0, null);

    public HttpPolicyConfig {
        filters = List.copyOf(Objects.requireNonNull(filters, "filters"));
        if (maxConnectionsPerIp < 0) {
            throw new IllegalArgumentException("maxConnectionsPerIp must be >= 0");
        }
    }
}

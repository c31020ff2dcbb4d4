package io.sluice.config;

import java.util.List;
import java.util.Objects;

/**
 * One listening socket and its ordered routes (first match wins). Immutable; thread-safe.
 *
 * @param name             unique name, used in logs and metrics
 * @param bind             address to listen on
 * @param protocol         "http" (clear text: HTTP/1.1, and HTTP/2 with prior knowledge) or "https" (TLS)
 * @param routes           ordered routes; at least one
 * @param tls              certificates and TLS settings; set exactly when the protocol is "https"
 * @param redirectHttpFrom a clear-text address whose requests get a 301 to this listener; null for none
 * @param http2            HTTP/2 settings
 */
public record ListenerConfig(String name, HostPort bind, String protocol, List<RouteConfig> routes,
                             ListenerTlsConfig tls, HostPort redirectHttpFrom, Http2Config http2) {
    public static final String HTTP = "http";
    public static final String HTTPS = "https";

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(protocol, "protocol");
        routes = List.copyOf(Objects.requireNonNull(routes, "routes"));
        Objects.requireNonNull(http2, "http2");
        if (protocol.equals(HTTPS) != (tls != null)) {
            throw new IllegalArgumentException("tls is set exactly for https listeners");
        }
        if (redirectHttpFrom != null && tls == null) {
            throw new IllegalArgumentException("redirect_http_from needs an https listener");
        }
    }

    /** A clear-text listener with default HTTP/2 settings. */
    public ListenerConfig(String name, HostPort bind, String protocol, List<RouteConfig> routes) {
        this(name, bind, protocol, routes, null, null, Http2Config.DEFAULTS);
    }

    /** Whether the listener terminates TLS. */
    public boolean secure() {
        return tls != null;
    }
}

package io.sluice.config;

import java.util.List;
import java.util.Objects;

/**
 * One listening socket and its ordered routes (first match wins). Immutable; thread-safe.
 *
 * @param name             unique name, used in logs and metrics
 * @param bind             address to listen on
 * @param protocol         "http" (clear text: HTTP/1.1, and HTTP/2 with prior knowledge), "https" (TLS), "tcp" or
 *                         "udp" (L4: bytes or datagrams passed on as they are, routed by {@code l4})
 * @param routes           ordered HTTP routes; at least one for http and https, none for tcp and udp
 * @param tls              certificates and TLS settings; set exactly when the protocol is "https"
 * @param redirectHttpFrom a clear-text address whose requests get a 301 to this listener; null for none
 * @param http2            HTTP/2 settings
 * @param proxyProtocol    whether connections start with a PROXY header naming the real client
 * @param l4               the routes and limits of a tcp or udp listener; null for http and https
 * @param policy           filters and limits of an http or https listener ({@link HttpPolicyConfig#NONE} for L4)
 * @param stun             the transports, timeouts and relay of a "stun" (STUN server) or "turn" (STUN and TURN
 *                         relay) listener; null for the others
 */
public record ListenerConfig(String name, HostPort bind, String protocol, List<RouteConfig> routes,
                             ListenerTlsConfig tls, HostPort redirectHttpFrom, Http2Config http2,
                             ProxyProtocolConfig proxyProtocol, L4Config l4, HttpPolicyConfig policy,
                             StunConfig stun) {
    public static final String HTTP = "http";
    public static final String HTTPS = "https";
    public static final String TCP = "tcp";
    public static final String UDP = "udp";
    public static final String STUN = "stun";
    public static final String TURN = "turn";

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(protocol, "protocol");
        routes = List.copyOf(Objects.requireNonNull(routes, "routes"));
        Objects.requireNonNull(http2, "http2");
        boolean stunKind = protocol.equals(STUN) || protocol.equals(TURN);
        if (protocol.equals(HTTPS) ? tls == null : tls != null && !stunKind) {
            throw new IllegalArgumentException("tls is set for https listeners, and may be for stun and turn ones");
        }
        if (redirectHttpFrom != null && !protocol.equals(HTTPS)) {
            throw new IllegalArgumentException("redirect_http_from needs an https listener");
        }
        Objects.requireNonNull(proxyProtocol, "proxyProtocol");
        boolean layer4 = protocol.equals(TCP) || protocol.equals(UDP);
        if (layer4 != (l4 != null)) {
            throw new IllegalArgumentException("l4 is set exactly for tcp and udp listeners");
        }
        if (layer4 && !routes.isEmpty()) {
            throw new IllegalArgumentException("tcp and udp listeners route with l4, not HTTP routes");
        }
        if (protocol.equals(UDP) && proxyProtocol.enabled()) {
            throw new IllegalArgumentException("PROXY headers are read on TCP connections only");
        }
        Objects.requireNonNull(policy, "policy");
        if (layer4 && !policy.equals(HttpPolicyConfig.NONE)) {
            throw new IllegalArgumentException("filters and per-client limits apply to http and https listeners");
        }
        if (stunKind != (stun != null)) {
            throw new IllegalArgumentException("stun is set exactly for stun and turn listeners");
        }
        if (stun != null && protocol.equals(TURN) != (stun.turn() != null)) {
            throw new IllegalArgumentException("a turn listener, and only one, has relay settings");
        }
        if (stun != null && tls != null && stun.udp()) {
            throw new IllegalArgumentException("a stun or turn listener with TLS serves TCP only (no DTLS)");
        }
        if (stun != null && (!routes.isEmpty() || proxyProtocol.enabled() || !policy.equals(HttpPolicyConfig.NONE))) {
            throw new IllegalArgumentException("a stun listener has no routes, PROXY headers or HTTP policy");
        }
    }

    /** A listener of any protocol but stun. */
    public ListenerConfig(String name, HostPort bind, String protocol, List<RouteConfig> routes,
                          ListenerTlsConfig tls, HostPort redirectHttpFrom, Http2Config http2,
                          ProxyProtocolConfig proxyProtocol, L4Config l4, HttpPolicyConfig policy) {
        this(name, bind, protocol, routes, tls, redirectHttpFrom, http2, proxyProtocol, l4, policy, null);
    }

    /** A stun listener (a STUN server on {@code bind}), or a turn one when {@code stun} has relay settings. */
    public static ListenerConfig stun(String name, HostPort bind, StunConfig stun) {
        return stun(name, bind, stun, null);
    }

    /** A stun or turn listener whose TCP connections are TLS ({@code stuns:}, {@code turns:}) when {@code tls} is set. */
    public static ListenerConfig stun(String name, HostPort bind, StunConfig stun, ListenerTlsConfig tls) {
        return new ListenerConfig(name, bind, stun.turn() == null ? STUN : TURN, List.of(), tls, null,
                Http2Config.DEFAULTS, ProxyProtocolConfig.OFF, null, HttpPolicyConfig.NONE, stun);
    }

    /** Whether this is a stun or turn listener (a turn listener answers STUN too). */
    public boolean stunServer() {
        return stun != null;
    }

    /** A listener without filters or per-client limits. */
    public ListenerConfig(String name, HostPort bind, String protocol, List<RouteConfig> routes,
                          ListenerTlsConfig tls, HostPort redirectHttpFrom, Http2Config http2,
                          ProxyProtocolConfig proxyProtocol, L4Config l4) {
        this(name, bind, protocol, routes, tls, redirectHttpFrom, http2, proxyProtocol, l4, HttpPolicyConfig.NONE);
    }

    /** This listener with another policy. */
    public ListenerConfig withPolicy(HttpPolicyConfig value) {
        return new ListenerConfig(name, bind, protocol, routes, tls, redirectHttpFrom, http2, proxyProtocol, l4, value,
                stun);
    }

    /** An HTTP or HTTPS listener without PROXY headers. */
    public ListenerConfig(String name, HostPort bind, String protocol, List<RouteConfig> routes,
                          ListenerTlsConfig tls, HostPort redirectHttpFrom, Http2Config http2) {
        this(name, bind, protocol, routes, tls, redirectHttpFrom, http2, ProxyProtocolConfig.OFF, null);
    }

    /** A tcp or udp listener. */
    public static ListenerConfig l4(String name, HostPort bind, String protocol, L4Config l4,
                                    ProxyProtocolConfig proxyProtocol) {
        return new ListenerConfig(name, bind, protocol, List.of(), null, null, Http2Config.DEFAULTS, proxyProtocol, l4);
    }

    /** A tcp listener without PROXY headers. */
    public static ListenerConfig tcp(String name, HostPort bind, L4Config l4) {
        return l4(name, bind, TCP, l4, ProxyProtocolConfig.OFF);
    }

    /** A udp listener. */
    public static ListenerConfig udp(String name, HostPort bind, L4Config l4) {
        return l4(name, bind, UDP, l4, ProxyProtocolConfig.OFF);
    }

    /** Whether this is a tcp or udp listener. */
    public boolean layer4() {
        return l4 != null;
    }

    /** Whether this is a udp listener. */
    public boolean udp() {
        return protocol.equals(UDP);
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

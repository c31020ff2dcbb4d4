package io.sluice.config;

import static io.sluice.config.Binder.child;
import static io.sluice.config.Binder.index;
import static io.sluice.config.Binder.or;
import static io.sluice.config.Binder.value;
import static io.sluice.config.SchemaType.address;
import static io.sluice.config.SchemaType.anyOf;
import static io.sluice.config.SchemaType.bool;
import static io.sluice.config.SchemaType.duration;
import static io.sluice.config.SchemaType.integer;
import static io.sluice.config.SchemaType.list;
import static io.sluice.config.SchemaType.listOrOne;
import static io.sluice.config.SchemaType.name;
import static io.sluice.config.SchemaType.oneOf;
import static io.sluice.config.SchemaType.ref;
import static io.sluice.config.SchemaType.size;
import static io.sluice.config.SchemaType.string;
import static io.sluice.config.Section.key;
import static io.sluice.config.Section.required;

import io.sluice.l4.Detector;
import io.sluice.l4.detect.Detectors;
import io.sluice.l4.detect.PrefixDetector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Binds what is particular to {@code tcp} and {@code udp} listeners (routes by detected protocol, SNI, ALPN or
 * first bytes; fallback; detection and idle limits), and the {@code proxy_protocol} settings every TCP listener
 * may have. Stateless; thread-safe (state is in the {@link Binder} and {@link Refs} passed in).
 */
final class L4Binder {
    /** {@code proxy_protocol} of tcp, http and https listeners. */
    static final Section.Key PROXY_PROTOCOL = key("proxy_protocol", anyOf(bool(), oneOf(List.of("accept", "require",
            "required", "off"))), "Read a PROXY header from trusted_proxies: off (default), accept or require.");
    /** {@code trusted_proxies} of tcp, http and https listeners. */
    static final Section.Key TRUSTED_PROXIES = key("trusted_proxies", list(string()), "Addresses and ranges such as"
            + " 10.0.0.0/8 allowed to send PROXY headers (or a client_ip_header).");
    static final Section TCP_MATCH = match("tcp_match", false);
    static final Section UDP_MATCH = match("udp_match", true);
    static final Section TCP_ROUTE = route("tcp_route", TCP_MATCH);
    static final Section UDP_ROUTE = route("udp_route", UDP_MATCH);
    static final Section TARGET = Section.of("l4_target", "Where an L4 fallback goes: one of pool and listener.",
            key("pool", string(), "A pool with protocol tcp (or udp)."),
            key("listener", string(), "An http or https listener of this Sluice that takes the connection."));
    static final Section TCP_LISTENER = Section.of("tcp_listener", "A tcp listener: routes connections by"
                    + " detected protocol, SNI, ALPN or first bytes.",
            required("name", name(), "The listener's name, used in logs, metrics and `listener:` routes."),
            required("bind", address(), "The address to listen on, e.g. 0.0.0.0:443."),
            required("protocol", oneOf(List.of(ListenerConfig.TCP)), "tcp."),
            key("routes", list(ref(TCP_ROUTE)), "First match wins."),
            key("fallback", anyOf(string(), ref(TARGET)), "A pool name, or { pool } or { listener }, for anything"
                    + " else or nothing decided in time."),
            key("detect_timeout", duration(), "How long to wait for bytes that decide the route (default 3s)."),
            key("detect_buffer", size(), "The most held while deciding, 64 bytes to 1MiB (default 16KiB)."),
            key("idle_timeout", duration(), "No byte either way for this long closes the connection (default 10m)."),
            key("max_connections", integer(1, 10_000_000), "Most connections at once (default"
                    + " limits.max_connections)."),
            PROXY_PROTOCOL, TRUSTED_PROXIES);
    static final Section UDP_LISTENER = Section.of("udp_listener", "A udp listener: routes sessions by the"
                    + " protocol of their first datagram.",
            required("name", name(), "The listener's name, used in logs and metrics."),
            required("bind", address(), "The address to listen on, e.g. 0.0.0.0:53."),
            required("protocol", oneOf(List.of(ListenerConfig.UDP)), "udp."),
            key("routes", list(ref(UDP_ROUTE)), "First match wins."),
            key("fallback", anyOf(string(), ref(TARGET)), "A pool name, or { pool }, for anything else."),
            key("session_idle_timeout", duration(), "A session with no datagram for this long ends (default 30s)."),
            key("max_sessions", integer(1, 10_000_000), "Most sessions at once (default 10000)."));

    private L4Binder() {
    }

    private static Section match(String name, boolean udp) {
        return Section.of(name, "Conditions of an L4 route; all given must hold.",
                key("protocol", oneOf(() -> protocols(udp)), "The protocol detected from the first bytes."),
                key("sni", listOrOne(string()), "Server names of a TLS or QUIC client hello; *.domain for every"
                        + " name below it."),
                key("alpn", listOrOne(string()), "ALPN protocols of a TLS or QUIC client hello, such as h2."),
                key("prefix", string(), "The bytes the connection starts with, as text."),
                key("prefix_hex", string(), "The bytes the connection starts with, as hex such as \"16 03\"."));
    }

    private static Section route(String name, Section match) {
        return Section.of(name, "An L4 route: a match and where it goes (one of pool and listener).",
                key("match", ref(match), "Conditions; a route without match matches everything."),
                key("pool", string(), "The pool that gets the matching connections."),
                key("listener", string(), "An http or https listener of this Sluice that takes them."));
    }

    /** The settings of a tcp or udp listener; null after errors. */
    static L4Config l4(Binder b, YamlNode.Mapping m, String path, boolean udp, LimitsConfig limits, Refs refs,
                       String listener) {
        int before = b.errorCount();
        keys(b, m, path, udp);
        List<L4RouteConfig> routes = new ArrayList<>();
        YamlNode routesNode = value(m, "routes");
        List<YamlNode> items = b.sequence(routesNode, child(path, "routes"), "a list of routes");
        if (items != null) {
            for (int i = 0; i < items.size(); i++) {
                L4RouteConfig r = route(b, items.get(i), index(child(path, "routes"), i), udp, refs, listener);
                if (r != null) {
                    routes.add(r);
                }
            }
        }
        YamlNode fallbackNode = value(m, "fallback");
        L4RouteConfig fallback = fallback(b, fallbackNode, child(path, "fallback"), udp, refs, listener);
        boolean noTargets = (items == null || items.isEmpty()) && fallbackNode == null
                && !(routesNode != null && items == null); // a `routes` that is not a list is reported already
        if (noTargets) {
            String only = refs.onlyPool();
            if (only != null) {
                fallback = L4RouteConfig.toPool(L4MatchConfig.ANY, only);
                refs.l4Target(listener, udp, only, null, child(path, "routes"), m);
            } else {
                noRoutes(b, m, path, udp, refs);
            }
        }
        Duration idle;
        int max;
        Duration detectTimeout = L4Config.DETECT_TIMEOUT;
        int detectBuffer = L4Config.DETECT_BUFFER;
        if (udp) {
            idle = or(b.duration(value(m, "session_idle_timeout"), child(path, "session_idle_timeout"), false),
                    L4Config.UDP_IDLE);
            max = or(b.integer(value(m, "max_sessions"), child(path, "max_sessions"), 1, 10_000_000),
                    L4Config.MAX_SESSIONS);
        } else {
            idle = or(b.duration(value(m, "idle_timeout"), child(path, "idle_timeout"), false), L4Config.TCP_IDLE);
            max = or(b.integer(value(m, "max_connections"), child(path, "max_connections"), 1, 10_000_000),
                    limits.maxConnections());
            detectTimeout = or(b.duration(value(m, "detect_timeout"), child(path, "detect_timeout"), false),
                    detectTimeout);
            Long buf = b.size(value(m, "detect_buffer"), child(path, "detect_buffer"), 64);
            if (buf != null && buf > 1024 * 1024) {
                b.error(child(path, "detect_buffer"), value(m, "detect_buffer"), "at most 1MiB is held while"
                        + " detecting, got " + buf + " bytes");
            } else if (buf != null) {
                detectBuffer = buf.intValue();
            }
        }
        if (b.errorCount() != before || (routes.isEmpty() && fallback == null)) {
            return null;
        }
        return new L4Config(routes, fallback, detectTimeout, detectBuffer, idle, max);
    }

    /**
     * Reports keys a tcp or udp listener does not take. Keys of HTTP listeners, and keys of the other kind of L4
     * listener, get a message of their own that says where they belong, instead of the list of allowed keys.
     */
    private static void keys(Binder b, YamlNode.Mapping m, String path, boolean udp) {
        List<String> allowed = (udp ? UDP_LISTENER : TCP_LISTENER).keys();
        String kind = udp ? "udp" : "tcp";
        for (YamlNode.Entry e : m.entries()) {
            String key = e.key();
            if (allowed.contains(key)) {
                continue;
            }
            String why = switch (key) {
                case "tls" -> "`tls` (certificates) belongs on https listeners; a " + kind + " listener passes "
                        + (udp ? "QUIC and DTLS through untouched (route them with `protocol: quic` and `sni`)"
                        : "TLS through untouched (route it with `protocol: tls` and `sni`), or hands it to an https"
                        + " listener with a `listener:` route");
                case "redirect_http_from" -> "`redirect_http_from` belongs on https listeners; this one is " + kind;
                case "http2" -> "`http2` applies to http and https listeners; a " + kind + " listener passes "
                        + (udp ? "datagrams" : "bytes") + " on without looking at HTTP";
                case "idle_timeout" -> udp ? "udp listeners end idle sessions after `session_idle_timeout`" : null;
                case "max_connections" -> udp ? "udp listeners limit sessions with `max_sessions`" : null;
                case "session_idle_timeout" -> udp ? null : "tcp listeners close idle connections after"
                        + " `idle_timeout`";
                case "max_sessions" -> udp ? null : "tcp listeners limit connections with `max_connections`";
                case "detect_timeout", "detect_buffer" -> udp ? "`" + key + "` applies to tcp listeners; a udp"
                        + " listener routes each session by its first datagram" : null;
                case "proxy_protocol", "trusted_proxies" -> udp ? "PROXY headers come at the start of TCP"
                        + " connections, so a udp listener cannot read them; remove `" + key + "`" : null;
                default -> null;
            };
            if (why == null) {
                why = "unknown key `" + key + "`" + Suggest.didYouMean(key, allowed) + " (allowed on " + kind
                        + " listeners: " + String.join(", ", allowed) + ")";
            }
            b.error(child(path, key), e.line(), e.column(), why);
        }
    }

    /** A listener with neither routes nor a fallback, and more than one pool to choose from. */
    private static void noRoutes(Binder b, YamlNode.Mapping m, String path, boolean udp, Refs refs) {
        if (refs.poolsDeclared() < 2) {
            return; // no pool: "no pools" is reported at the top; one with a bad name: its own error is
        }
        Set<String> names = refs.poolNames();
        String example = or(refs.poolFor(udp), "NAME");
        String msg = "no routes and no fallback: with more than one pool" + (names.isEmpty() ? "" : " ("
                + String.join(", ", names) + ")") + " say where " + (udp ? "sessions" : "connections") + " go, e.g."
                + " `fallback: " + example + "` or routes: [ { match: { protocol: " + (udp ? "dns" : "ssh")
                + " }, pool: " + example + " } ]";
        YamlNode.Entry e = m.entry("routes");
        if (e != null) {
            b.error(child(path, "routes"), e.line(), e.column(), msg);
        } else {
            b.error(child(path, "routes"), m, msg);
        }
    }

    /** {@code proxy_protocol} and {@code trusted_proxies} of a TCP, HTTP or HTTPS listener. */
    static ProxyProtocolConfig proxyProtocol(Binder b, YamlNode.Mapping m, String path) {
        return proxyProtocol(b, m, path, false);
    }

    /**
     * {@link #proxyProtocol(Binder, YamlNode.Mapping, String)}; {@code headerTrust} says that the listener also
     * believes a client-address header from {@code trusted_proxies}, so the list is not without effect.
     */
    static ProxyProtocolConfig proxyProtocol(Binder b, YamlNode.Mapping m, String path, boolean headerTrust) {
        YamlNode modeNode = value(m, "proxy_protocol");
        YamlNode trustedNode = value(m, "trusted_proxies");
        if (modeNode == null && trustedNode == null) {
            return ProxyProtocolConfig.OFF;
        }
        ProxyProtocolConfig.Mode mode = ProxyProtocolConfig.Mode.OFF;
        String text = b.text(modeNode, child(path, "proxy_protocol"), "accept, require or off");
        if (text != null) {
            switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "accept", "true" -> mode = ProxyProtocolConfig.Mode.ACCEPT;
                case "require", "required" -> mode = ProxyProtocolConfig.Mode.REQUIRE;
                case "off", "false" -> mode = ProxyProtocolConfig.Mode.OFF;
                default -> {
                    b.error(child(path, "proxy_protocol"), modeNode, "unknown value `" + text + "` (allowed: accept ="
                            + " read a PROXY header from trusted sources when one comes, require = every connection"
                            + " starts with one, off)");
                    return null;
                }
            }
        }
        List<CidrBlock> trusted = new ArrayList<>();
        List<YamlNode> items = b.sequence(trustedNode, child(path, "trusted_proxies"),
                "a list of addresses or ranges such as 10.0.0.0/8");
        if (items != null) {
            for (int i = 0; i < items.size(); i++) {
                String t = b.text(items.get(i), index(child(path, "trusted_proxies"), i), "an address or range");
                if (t == null) {
                    continue;
                }
                try {
                    trusted.add(CidrBlock.parse(t));
                } catch (IllegalArgumentException e) {
                    b.error(index(child(path, "trusted_proxies"), i), items.get(i), e.getMessage());
                }
            }
        }
        if (mode != ProxyProtocolConfig.Mode.OFF && trusted.isEmpty() && items == null && trustedNode == null) {
            b.error(child(path, "proxy_protocol"), modeNode, "`proxy_protocol: " + text.strip() + "` needs"
                    + " `trusted_proxies`, the addresses allowed to send PROXY headers, e.g. trusted_proxies:"
                    + " [ 10.0.0.0/8 ]; a header from anyone else closes the connection");
            return null;
        }
        if (mode != ProxyProtocolConfig.Mode.OFF && items != null && items.isEmpty()) {
            YamlNode.Entry e = m.entry("trusted_proxies");
            b.error(child(path, "trusted_proxies"), e.line(), e.column(), "an empty `trusted_proxies` lets no one"
                    + " send PROXY headers; list the proxies' addresses, e.g. [ 10.0.0.0/8 ], or set"
                    + " `proxy_protocol: off`");
            return null;
        }
        if (mode != ProxyProtocolConfig.Mode.OFF && trusted.isEmpty()) {
            return null; // the list's own errors are reported
        }
        if (mode == ProxyProtocolConfig.Mode.OFF && modeNode == null && headerTrust) {
            return new ProxyProtocolConfig(ProxyProtocolConfig.Mode.OFF, trusted);
        }
        if (mode == ProxyProtocolConfig.Mode.OFF && modeNode == null) {
            YamlNode.Entry e = m.entry("trusted_proxies");
            b.error(child(path, "trusted_proxies"), e.line(), e.column(), "`trusted_proxies` has no"
                    + " effect without `proxy_protocol: accept` (or require); add one, or remove the list");
            return null;
        }
        if (mode == ProxyProtocolConfig.Mode.OFF) {
            return headerTrust ? new ProxyProtocolConfig(mode, trusted) : ProxyProtocolConfig.OFF;
        }
        return new ProxyProtocolConfig(mode, trusted);
    }

    private static L4RouteConfig fallback(Binder b, YamlNode n, String path, boolean udp, Refs refs, String listener) {
        if (n == null) {
            return null;
        }
        if (n instanceof YamlNode.Scalar) {
            String pool = b.text(n, path, "a pool name");
            if (pool == null) {
                return null;
            }
            refs.l4Target(listener, udp, pool, null, path, n);
            return L4RouteConfig.toPool(L4MatchConfig.ANY, pool);
        }
        YamlNode.Mapping m = b.mapping(n, path, "a pool name, or { pool: NAME } or { listener: NAME }");
        if (m == null) {
            return null;
        }
        b.allowOnly(m, path, TARGET.keys());
        return target(b, m, path, L4MatchConfig.ANY, udp, refs, listener);
    }

    private static L4RouteConfig route(Binder b, YamlNode n, String path, boolean udp, Refs refs, String listener) {
        YamlNode.Mapping m = b.mapping(n, path, "a route (a map with match and pool or listener)");
        if (m == null) {
            if (Binder.absent(n)) {
                b.error(path, n, "empty route entry; a route needs `pool` or `listener`");
            }
            return null;
        }
        b.allowOnly(m, path, (udp ? UDP_ROUTE : TCP_ROUTE).keys());
        L4MatchConfig match = match(b, value(m, "match"), child(path, "match"), udp);
        L4RouteConfig r = target(b, m, path, match == null ? L4MatchConfig.ANY : match, udp, refs, listener);
        return match == null ? null : r;
    }

    private static L4RouteConfig target(Binder b, YamlNode.Mapping m, String path, L4MatchConfig match, boolean udp,
                                        Refs refs, String listener) {
        YamlNode poolNode = value(m, "pool");
        YamlNode listenerNode = value(m, "listener");
        if ((poolNode == null) == (listenerNode == null)) {
            b.error(path, m, poolNode == null ? "say where it goes: `pool: NAME` or `listener: NAME`"
                    : "give one of `pool` and `listener`, not both");
            return null;
        }
        if (poolNode != null) {
            String pool = b.text(poolNode, child(path, "pool"), "a pool name");
            if (pool == null) {
                return null;
            }
            refs.l4Target(listener, udp, pool, null, child(path, "pool"), poolNode);
            return L4RouteConfig.toPool(match, pool);
        }
        String target = b.text(listenerNode, child(path, "listener"), "a listener name");
        if (target == null) {
            return null;
        }
        if (udp) {
            b.error(child(path, "listener"), listenerNode, "a udp listener cannot hand datagrams to another listener"
                    + " (only tcp connections can be handed to an http or https listener); route them to a `pool`"
                    + " with `protocol: udp`");
            return null;
        }
        refs.l4Target(listener, false, null, target, child(path, "listener"), listenerNode);
        return L4RouteConfig.toListener(match, target);
    }

    private static L4MatchConfig match(Binder b, YamlNode n, String path, boolean udp) {
        if (n == null) {
            return L4MatchConfig.ANY;
        }
        YamlNode.Mapping m = b.mapping(n, path, "a map of conditions (" + String.join(", ", TCP_MATCH.keys()) + ")");
        if (m == null) {
            return null;
        }
        int before = b.errorCount();
        b.allowOnly(m, path, (udp ? UDP_MATCH : TCP_MATCH).keys());
        YamlNode protocolNode = value(m, "protocol");
        String protocol = b.text(protocolNode, child(path, "protocol"), "a protocol name");
        if (protocol != null) {
            protocol = protocol.strip().toLowerCase(Locale.ROOT);
            Set<String> known = protocols(udp);
            if (!known.contains(protocol)) {
                Set<String> other = protocols(!udp);
                b.error(child(path, "protocol"), protocolNode, (other.contains(protocol)
                        ? "`" + protocol + "` is detected on " + (udp ? "tcp" : "udp") + " listeners, not " + (udp ? "udp" : "tcp")
                        : "unknown protocol `" + protocol + "`" + Suggest.didYouMean(protocol, known))
                        + " (" + (udp ? "udp" : "tcp") + " listeners detect: " + String.join(", ", known) + ")");
            }
        }
        List<String> sni = names(b, value(m, "sni"), child(path, "sni"), true);
        List<String> alpn = names(b, value(m, "alpn"), child(path, "alpn"), false);
        if ((!sni.isEmpty() || !alpn.isEmpty()) && !"tls".equals(protocol) && !"quic".equals(protocol)
                && b.errorCount() == before) {
            String key = !sni.isEmpty() ? "sni" : "alpn";
            YamlNode.Entry e = m.entry(key);
            String hello = udp ? "quic" : "tls";
            b.error(child(path, key), e.line(), e.column(), "`" + key + "` is read from a " + (udp ? "QUIC" : "TLS")
                    + " client hello, so it needs `protocol: " + hello + "`" + (protocol == null ? " in this match"
                    : ", not `protocol: " + protocol + "`"));
        }
        byte[] prefix = prefix(b, m, path);
        if (b.errorCount() != before) {
            return null;
        }
        return new L4MatchConfig(protocol, sni, alpn, prefix);
    }

    private static byte[] prefix(Binder b, YamlNode.Mapping m, String path) {
        YamlNode text = value(m, "prefix");
        YamlNode hex = value(m, "prefix_hex");
        if (text != null && hex != null) {
            YamlNode.Entry e = m.entry("prefix_hex");
            b.error(child(path, "prefix_hex"), e.line(), e.column(), "give one of `prefix` and `prefix_hex`");
            return null;
        }
        if (text != null) {
            String t = b.text(text, child(path, "prefix"), "the bytes the connection starts with");
            if (t != null && t.isEmpty()) {
                b.error(child(path, "prefix"), text, "an empty prefix matches everything; leave `prefix` out");
                return null;
            }
            return t == null ? null : bounded(b, text, child(path, "prefix"),
                    t.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        if (hex != null) {
            String t = b.text(hex, child(path, "prefix_hex"), "hex bytes such as \"16 03\"");
            if (t == null) {
                return null;
            }
            String digits = t.replaceAll("[\\s:]", "");
            if (digits.isEmpty() || !digits.matches("[0-9A-Fa-f]+")) {
                b.error(child(path, "prefix_hex"), hex, "`" + t + "` is not hex bytes; write two hex digits a byte,"
                        + " such as \"16 03\" or \"1603\"");
                return null;
            }
            if (digits.length() % 2 != 0) {
                b.error(child(path, "prefix_hex"), hex, "`" + t + "` has an odd number of hex digits; write two a"
                        + " byte, such as \"16 03\"");
                return null;
            }
            return bounded(b, hex, child(path, "prefix_hex"), HexFormat.of().parseHex(digits));
        }
        return null;
    }

    /** A prefix no longer than a detector compares ({@link PrefixDetector#MAX_LENGTH} bytes); null after an error. */
    private static byte[] bounded(Binder b, YamlNode at, String path, byte[] prefix) {
        if (prefix.length > PrefixDetector.MAX_LENGTH) {
            b.error(path, at, "a prefix of " + prefix.length + " bytes is too long; at most " + PrefixDetector.MAX_LENGTH
                    + " are compared");
            return null;
        }
        return prefix;
    }

    /** One name or a list of names; server-name patterns are checked like route hosts. */
    private static List<String> names(Binder b, YamlNode n, String path, boolean hostNames) {
        List<String> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        List<YamlNode> items = n instanceof YamlNode.Sequence s ? s.items() : List.of(n);
        for (int i = 0; i < items.size(); i++) {
            String at = n instanceof YamlNode.Sequence ? index(path, i) : path;
            String t = b.text(items.get(i), at, hostNames ? "a server name or *.domain" : "a protocol name such as h2");
            if (t == null) {
                continue;
            }
            String v = hostNames ? t.strip().toLowerCase(Locale.ROOT) : t.strip();
            if (v.isEmpty()) {
                b.error(at, items.get(i), "empty name");
            } else if (hostNames && (v.indexOf(':') >= 0 || v.substring(v.startsWith("*.") ? 2 : 0).indexOf('*') >= 0
                    || !v.matches("[a-z0-9_.*-]+"))) {
                b.error(at, items.get(i), "bad server name `" + t + "`: a host name, or *.domain for every name below"
                        + " it (no port)");
            } else {
                out.add(v);
            }
        }
        return out;
    }

    /** Protocol names known for a transport: the built-ins, then any found by {@link ServiceLoader}. */
    static Set<String> protocols(boolean udp) {
        Set<String> out = new LinkedHashSet<>();
        List<Detector> all;
        try {
            all = Detectors.load(Thread.currentThread().getContextClassLoader());
        } catch (RuntimeException | java.util.ServiceConfigurationError e) {
            all = Detectors.builtIn(); // a broken provider is reported when Sluice starts; the built-ins still bind
        }
        for (Detector d : all) {
            if (udp ? d.datagram() : d.stream()) {
                out.add(d.protocol());
            }
        }
        return out;
    }
}

package io.sluice.config;

import static io.sluice.config.Binder.child;
import static io.sluice.config.Binder.index;
import static io.sluice.config.Binder.or;
import static io.sluice.config.Binder.value;
import static io.sluice.config.SchemaType.address;
import static io.sluice.config.SchemaType.anyOf;
import static io.sluice.config.SchemaType.bool;
import static io.sluice.config.SchemaType.filter;
import static io.sluice.config.SchemaType.flagOr;
import static io.sluice.config.SchemaType.integer;
import static io.sluice.config.SchemaType.list;
import static io.sluice.config.SchemaType.listOrOne;
import static io.sluice.config.SchemaType.map;
import static io.sluice.config.SchemaType.name;
import static io.sluice.config.SchemaType.oneOf;
import static io.sluice.config.SchemaType.ref;
import static io.sluice.config.SchemaType.settings;
import static io.sluice.config.SchemaType.string;
import static io.sluice.config.SchemaType.text;
import static io.sluice.config.Section.key;
import static io.sluice.config.Section.required;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Binds {@code listeners} entries with their routes and match conditions. Pools must be bound first, so
 * that a listener without routes can default to the only pool. Stateless; thread-safe (all state is in the
 * {@link Binder} and {@link Refs} passed in).
 */
final class ListenerBinder {
    static final String PROTOCOL = ListenerConfig.HTTP;
    private static final List<String> PROTOCOLS = List.of(ListenerConfig.HTTP, ListenerConfig.HTTPS,
            ListenerConfig.TCP, ListenerConfig.UDP, ListenerConfig.STUN, ListenerConfig.TURN);
    static final Section MATCH = Section.of("match", "Conditions of an HTTP route; all given must hold.",
            key("host", string(), "Host name, or *.domain for every name below it; no port."),
            key("path_prefix", string(), "The path starts with this, e.g. /api."),
            key("path", string(), "The path is exactly this."),
            key("methods", list(string()), "One of these methods, e.g. [GET, HEAD]."),
            key("headers", map(text()), "Header name to exact value."),
            key("country", listOrOne(string()), "ISO 3166-1 alpha-2 codes such as BR; needs geoip."),
            key("continent", listOrOne(oneOf(GeoBinder.CONTINENTS)), "Continent codes such as EU; needs geoip."),
            key("asn", listOrOne(anyOf(integer(1, 0xFFFF_FFFFL), string())), "AS numbers such as 64512; needs"
                    + " geoip.asn_database."));
    static final Section SPLIT = Section.of("split_share", "One pool's share of a traffic split.",
            required("pool", string(), "The pool that gets this share."),
            required("weight", integer(0, 1_000_000), "Its share, e.g. 5 of 100."));
    static final Section ROUTE = Section.of("route", "An HTTP route: a match and where matching requests go"
                    + " (pool, split or redirect).",
            key("match", ref(MATCH), "Conditions; a route without match matches everything."),
            key("pool", string(), "The pool that gets the matching requests."),
            key("split", list(ref(SPLIT)), "Weighted pools instead of one pool, e.g. a canary."),
            key("filters", list(filter()), "Filters for this route, after the listener's."),
            key("sticky", settings(), "Sticky sessions by cookie: the settings of the sticky filter."),
            key("redirect", settings(), "Answer with a redirect: the settings of the redirect filter, e.g."
                    + " { to: \"https://example.com{path}\", status: 301 }."));
    static final Section LISTENER = Section.of("listener", "An http or https listener and its routes.",
            required("name", name(), "The listener's name, used in logs and metrics."),
            required("bind", address(), "The address to listen on, e.g. 127.0.0.1:8080."),
            key("protocol", oneOf(PROTOCOLS), "http (default), https (needs tls), tcp, udp, stun or turn."),
            key("tls", ref(TlsBinder.LISTENER_TLS), "Certificates and TLS settings; https only."),
            key("redirect_http_from", address(), "A clear-text address whose requests get a 301 to https."),
            key("http2", flagOr(TlsBinder.HTTP2), "HTTP/2 settings, or false to turn it off."),
            key("routes", list(ref(ROUTE)), "First match wins; optional when there is one pool."),
            L4Binder.PROXY_PROTOCOL, L4Binder.TRUSTED_PROXIES,
            key("filters", list(filter()), "Filters for every route of this listener."),
            key("max_connections_per_ip", integer(1, 10_000_000), "Most connections from one client address."),
            key("client_ip_header", string(), "Header a trusted proxy names the client in, e.g. X-Forwarded-For;"
                    + " needs trusted_proxies."),
            key("status_endpoints", bool(), "Answer /lb-health, /lb-stats, /_health and /_metrics on this listener"
                    + " itself, before routing (default false)."));
    /** A listener of any protocol: {@code protocol} tcp and udp take other keys than http and https. */
    static final SchemaType ANY_LISTENER = new SchemaType.Switch("protocol", Map.of(ListenerConfig.TCP,
            L4Binder.TCP_LISTENER, ListenerConfig.UDP, L4Binder.UDP_LISTENER, ListenerConfig.STUN,
            StunBinder.STUN_LISTENER, ListenerConfig.TURN, StunBinder.TURN_LISTENER), LISTENER);
    /** RFC 9110 token characters, as used by methods and header names. */
    private static final String TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";

    private ListenerBinder() {
    }

    /** The {@code listeners} list; bad entries are left out after their errors are recorded. */
    static List<ListenerConfig> listeners(Binder b, YamlNode n, String path, Refs refs, LimitsConfig limits) {
        List<ListenerConfig> out = new ArrayList<>();
        List<YamlNode> items = b.sequence(n, path, "a list of listeners");
        if (items != null) {
            for (int i = 0; i < items.size(); i++) {
                ListenerConfig l = listener(b, items.get(i), index(path, i), refs, limits);
                if (l != null) {
                    out.add(l);
                }
            }
        }
        return out;
    }

    private static ListenerConfig listener(Binder b, YamlNode n, String path, Refs refs, LimitsConfig limits) {
        int before = b.errorCount();
        YamlNode.Mapping m = b.mapping(n, path, "a listener (a map with name, bind and routes)");
        if (m == null) {
            if (Binder.absent(n)) {
                b.error(path, n, "empty listener entry; a listener needs `name` and `bind`");
            }
            return null;
        }
        YamlNode nameNode = b.require(m, "name", path, "the listener's name, used in logs and metrics");
        String name = b.name(nameNode, child(path, "name"));
        if (name != null) {
            refs.listener(name, child(path, "name"), nameNode);
        }
        YamlNode bindNode = b.require(m, "bind", path, "the address to listen on, e.g. 127.0.0.1:8080");
        HostPort bind = b.address(bindNode, child(path, "bind"), true);
        boolean udpListener = value(m, "protocol") instanceof YamlNode.Scalar ps
                && ListenerConfig.UDP.equals(ps.text());
        String stunKind = value(m, "protocol") instanceof YamlNode.Scalar ps2
                && (ListenerConfig.STUN.equals(ps2.text()) || ListenerConfig.TURN.equals(ps2.text())) ? ps2.text() : null;
        if (stunKind != null) {
            if (name != null) {
                refs.listenerProtocol(name, stunKind);
            }
            return StunBinder.listener(b, m, path, name, bind, bindNode, refs, ListenerConfig.TURN.equals(stunKind));
        }
        if (bind != null && udpListener) {
            refs.udpBind(bind, child(path, "bind"), bindNode);
        } else if (bind != null) {
            refs.bind(bind, child(path, "bind"), bindNode);
        }
        YamlNode protocolNode = value(m, "protocol");
        String protocol = or(b.text(protocolNode, child(path, "protocol"), "a protocol name"), PROTOCOL);
        if (!PROTOCOLS.contains(protocol)) {
            b.error(child(path, "protocol"), protocolNode, "unknown protocol `" + protocol + "`"
                    + Suggest.didYouMean(protocol, PROTOCOLS) + " (allowed: http, https, tcp, udp, stun, turn)");
            protocol = null;
        }
        if (name != null && protocol != null) {
            refs.listenerProtocol(name, protocol);
        }
        if (ListenerConfig.TCP.equals(protocol) || ListenerConfig.UDP.equals(protocol)) {
            boolean udp = ListenerConfig.UDP.equals(protocol);
            L4Config l4 = L4Binder.l4(b, m, path, udp, limits, refs, name);
            ProxyProtocolConfig pp = udp ? ProxyProtocolConfig.OFF : L4Binder.proxyProtocol(b, m, path);
            return b.errorCount() == before && l4 != null && pp != null
                    ? ListenerConfig.l4(name, bind, protocol, l4, pp) : null;
        }
        b.allowOnly(m, path, LISTENER.keys());
        boolean https = ListenerConfig.HTTPS.equals(protocol);
        YamlNode.Entry tlsEntry = m.entry("tls");
        ListenerTlsConfig tls = null;
        if (tlsEntry != null && protocol != null && !https) {
            b.error(child(path, "tls"), tlsEntry.line(), tlsEntry.column(), "`tls` applies only to https"
                    + " listeners; add `protocol: https`");
        } else if (tlsEntry != null) {
            tls = TlsBinder.listenerTls(b, value(m, "tls"), child(path, "tls"));
            if (tls == null && Binder.absent(tlsEntry.value())) {
                b.error(child(path, "tls"), tlsEntry.line(), tlsEntry.column(), "`tls` has no value; give at least"
                        + " certificates: [ { cert: FILE, key: FILE } ]");
            }
        } else if (https) {
            b.error(child(path, "protocol"), protocolNode, "protocol `https` needs a `tls` block with the"
                    + " certificates, e.g. tls: { certificates: [ { cert: example.pem, key: example.key } ] }");
        }
        HostPort redirect = redirect(b, m, path, https, protocol != null, refs);
        Http2Config http2 = TlsBinder.http2(b, value(m, "http2"), child(path, "http2"));
        if (tls != null && !http2.enabled() && tls.alpn().equals(List.of("h2"))) {
            YamlNode.Entry e = m.entry("http2");
            b.error(child(path, "http2"), e.line(), e.column(), "HTTP/2 is off, but tls.alpn offers only h2;"
                    + " add http/1.1 to `alpn`, or turn HTTP/2 on");
        }
        String clientIpHeader = clientIpHeader(b, m, path);
        ProxyProtocolConfig pp = L4Binder.proxyProtocol(b, m, path, clientIpHeader != null);
        List<FilterConfig> filters = FilterBinder.filters(b, value(m, "filters"), child(path, "filters"), refs.presets());
        int perIp = or(b.integer(value(m, "max_connections_per_ip"), child(path, "max_connections_per_ip"), 1,
                10_000_000), 0);
        boolean status = or(b.bool(value(m, "status_endpoints"), child(path, "status_endpoints")), false);
        HttpPolicyConfig policy = filters.isEmpty() && perIp == 0 && clientIpHeader == null && !status
                ? HttpPolicyConfig.NONE : new HttpPolicyConfig(filters, perIp, clientIpHeader, status);
        List<RouteConfig> routes = routes(b, m, path, refs);
        // No routes without an error here happens when no pool is usable as the default (none declared, or
        // the only one is broken): that is reported with the pools, and this listener is left out.
        return b.errorCount() == before && routes != null
                ? new ListenerConfig(name, bind, protocol, routes, tls, redirect, http2, pp, null, policy) : null;
    }

    /**
     * {@code client_ip_header}: the header (X-Forwarded-For or one like it) a trusted proxy names the client in;
     * it needs {@code trusted_proxies}.
     */
    private static String clientIpHeader(Binder b, YamlNode.Mapping m, String path) {
        YamlNode n = value(m, "client_ip_header");
        String h = b.text(n, child(path, "client_ip_header"), "a header name such as X-Forwarded-For");
        if (h == null) {
            return null;
        }
        if (!h.strip().matches(TOKEN)) {
            b.error(child(path, "client_ip_header"), n, "bad header name \"" + h + "\"");
            return null;
        }
        if (value(m, "trusted_proxies") == null) {
            b.error(child(path, "client_ip_header"), n, "`client_ip_header` is believed only from the proxies"
                    + " in `trusted_proxies`; add them, e.g. trusted_proxies: [ 10.0.0.0/8 ]");
            return null;
        }
        return h.strip();
    }

    /** {@code redirect_http_from}: a clear-text address that redirects to an https listener. */
    private static HostPort redirect(Binder b, YamlNode.Mapping m, String path, boolean https, boolean knownProtocol,
                                     Refs refs) {
        YamlNode.Entry e = m.entry("redirect_http_from");
        if (e == null) {
            return null;
        }
        String at = child(path, "redirect_http_from");
        HostPort address = b.address(value(m, "redirect_http_from"), at, false);
        if (address == null) {
            return null;
        }
        refs.bind(address, at, e.value());
        if (!https && knownProtocol) {
            b.error(at, e.line(), e.column(), "`redirect_http_from` sends clear-text clients to this listener over"
                    + " TLS, so it needs `protocol: https`");
            return null;
        }
        return address;
    }

    private static List<RouteConfig> routes(Binder b, YamlNode.Mapping listener, String path, Refs refs) {
        String routesPath = child(path, "routes");
        YamlNode n = value(listener, "routes");
        List<YamlNode> items = b.sequence(n, routesPath, "a list of routes");
        if (items == null && n != null) {
            return null;
        }
        if (items == null || items.isEmpty()) {
            String only = refs.onlyPool();
            if (only != null) {
                return List.of(new RouteConfig(MatchConfig.ANY, only));
            }
            if (refs.poolsDeclared() > 1) {
                YamlNode.Entry e = listener.entry("routes");
                // Pools whose names were rejected are declared but not named: the example needs a fallback.
                Set<String> names = refs.poolNames();
                String msg = "no routes: with more than one pool"
                        + (names.isEmpty() ? "" : " (" + String.join(", ", names) + ")")
                        + " say which requests go where, e.g. routes: [ { pool: "
                        + (names.isEmpty() ? "NAME" : names.iterator().next()) + " } ]";
                if (e != null) {
                    b.error(routesPath, e.line(), e.column(), msg);
                } else {
                    b.error(routesPath, listener, msg);
                }
            }
            return null;
        }
        List<RouteConfig> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            RouteConfig r = route(b, items.get(i), index(routesPath, i), refs);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    private static RouteConfig route(Binder b, YamlNode n, String path, Refs refs) {
        YamlNode.Mapping m = b.mapping(n, path, "a route (a map with pool and optional match)");
        if (m == null) {
            if (Binder.absent(n)) {
                b.error(path, n, "empty route entry; a route needs `pool`");
            }
            return null;
        }
        int before = b.errorCount();
        b.allowOnly(m, path, ROUTE.keys());
        boolean redirect = value(m, "redirect") != null;
        List<SplitConfig> split = split(b, m, path, refs);
        String pool = null;
        YamlNode poolNode = value(m, "pool");
        if (poolNode != null || (!redirect && split.isEmpty())) {
            poolNode = b.require(m, "pool", path, "the pool that gets the matching requests; or `split`, or"
                    + " `redirect`");
            pool = b.text(poolNode, child(path, "pool"), "a pool name");
            if (pool != null) {
                refs.route(pool, child(path, "pool"), poolNode);
            }
        }
        if (redirect && (poolNode != null || !split.isEmpty())) {
            YamlNode.Entry e = m.entry("redirect");
            b.error(child(path, "redirect"), e.line(), e.column(), "a route with `redirect` answers every request"
                    + " itself; remove its `" + (poolNode != null ? "pool" : "split") + "`");
        }
        if (poolNode != null && !split.isEmpty()) {
            YamlNode.Entry e = m.entry("split");
            b.error(child(path, "split"), e.line(), e.column(), "a route has either `pool` or `split`; put the"
                    + " pool into the split with its weight");
        }
        MatchConfig match = match(b, value(m, "match"), child(path, "match"), refs);
        List<FilterConfig> filters = new ArrayList<>();
        YamlNode.Entry sticky = m.entry("sticky");
        if (sticky != null) {
            FilterConfig f = FilterBinder.named(b, "sticky", value(m, "sticky"), sticky.value() == null ? m
                    : sticky.value(), child(path, "sticky"), refs.presets());
            if (f != null) {
                filters.add(f);
            }
        }
        filters.addAll(FilterBinder.filters(b, value(m, "filters"), child(path, "filters"), refs.presets()));
        if (redirect) {
            FilterConfig f = FilterBinder.named(b, "redirect", value(m, "redirect"), value(m, "redirect"),
                    child(path, "redirect"), refs.presets());
            if (f != null) {
                filters.add(f);
            }
        }
        return b.errorCount() == before && match != null ? new RouteConfig(match, pool, split, filters) : null;
    }

    /** {@code split: [ { pool: v2, weight: 5 }, { pool: v1, weight: 95 } ]}. */
    private static List<SplitConfig> split(Binder b, YamlNode.Mapping route, String path, Refs refs) {
        List<SplitConfig> out = new ArrayList<>();
        String at = child(path, "split");
        List<YamlNode> items = b.sequence(value(route, "split"), at, "a list of { pool, weight }");
        if (items == null) {
            return out;
        }
        Set<String> seen = new HashSet<>();
        long total = 0;
        for (int i = 0; i < items.size(); i++) {
            String ip = index(at, i);
            YamlNode.Mapping m = b.mapping(items.get(i), ip, "a share: { pool: NAME, weight: N }");
            if (m == null) {
                continue;
            }
            b.allowOnly(m, ip, SPLIT.keys());
            YamlNode poolNode = b.require(m, "pool", ip, "the pool that gets this share");
            String pool = b.text(poolNode, child(ip, "pool"), "a pool name");
            YamlNode weightNode = b.require(m, "weight", ip, "this pool's share, e.g. 5 of 100");
            Integer weight = b.integer(weightNode, child(ip, "weight"), 0, 1_000_000);
            if (pool == null || weight == null) {
                continue;
            }
            if (!seen.add(pool)) {
                b.error(child(ip, "pool"), poolNode, "pool `" + pool + "` is in the split twice; give it one weight");
                continue;
            }
            refs.route(pool, child(ip, "pool"), poolNode);
            total += weight;
            out.add(new SplitConfig(pool, weight));
        }
        if (items.isEmpty() || (total == 0 && out.size() == items.size())) {
            YamlNode.Entry e = route.entry("split");
            b.error(at, e.line(), e.column(), items.isEmpty() ? "`split` is empty; list the pools with their weights"
                    : "every weight of the split is 0; at least one pool must get requests");
        }
        return out;
    }

    private static MatchConfig match(Binder b, YamlNode n, String path, Refs refs) {
        YamlNode.Mapping m = b.mapping(n, path, "a map of conditions (" + String.join(", ", MATCH.keys()) + ")");
        if (m == null) {
            return n == null ? MatchConfig.ANY : null;
        }
        int before = b.errorCount();
        b.allowOnly(m, path, MATCH.keys());
        String host = host(b, value(m, "host"), child(path, "host"));
        String prefix = urlPath(b, value(m, "path_prefix"), child(path, "path_prefix"));
        String exact = urlPath(b, value(m, "path"), child(path, "path"));
        List<String> methods = methods(b, value(m, "methods"), child(path, "methods"));
        Map<String, String> headers = headers(b, value(m, "headers"), child(path, "headers"));
        List<String> countries = GeoBinder.countries(b, value(m, "country"), child(path, "country"), refs);
        List<String> continents = GeoBinder.continents(b, value(m, "continent"), child(path, "continent"), refs);
        List<Long> asns = GeoBinder.asns(b, value(m, "asn"), child(path, "asn"), refs);
        return b.errorCount() == before ? new MatchConfig(host, prefix, exact, methods, headers, countries,
                continents, asns) : null;
    }

    /** A host name or {@code *.domain} wildcard, lower-cased. */
    private static String host(Binder b, YamlNode n, String path) {
        String text = b.text(n, path, "a host name");
        if (text == null) {
            return null;
        }
        String h = text.strip().toLowerCase(Locale.ROOT);
        String problem = hostProblem(h);
        if (problem != null) {
            b.error(path, n, problem + ": \"" + text + "\"");
            return null;
        }
        return h;
    }

    private static String hostProblem(String h) {
        if (h.isEmpty()) {
            return "empty host; leave `host` out to match every host";
        }
        if (h.startsWith("[")) {
            return h.endsWith("]") && h.length() > 2 ? null : "bad IPv6 literal";
        }
        if (h.indexOf(':') >= 0) {
            return "a host to match has no port; remove the \":port\"";
        }
        String rest = h.startsWith("*.") ? h.substring(2) : h;
        if (rest.indexOf('*') >= 0) {
            return "`*` may only be the whole first label, as in *.example.com";
        }
        for (String label : rest.split("\\.", -1)) {
            if (!label.matches("[a-z0-9_-]+")) {
                return label.isEmpty() ? "empty label in host" : "bad character in host label \"" + label + "\"";
            }
        }
        return null;
    }

    /** A path that starts with "/"; null (after an error) otherwise. Health checks use it too. */
    static String urlPath(Binder b, YamlNode n, String path) {
        String p = b.text(n, path, "a path starting with /");
        if (p != null && !p.startsWith("/")) {
            b.error(path, n, "a path must start with \"/\", got \"" + p + "\"");
            return null;
        }
        return p;
    }

    private static List<String> methods(Binder b, YamlNode n, String path) {
        List<String> out = new ArrayList<>();
        List<YamlNode> items = b.sequence(n, path, "a list of methods such as [GET, HEAD]");
        if (items == null) {
            return out;
        }
        for (int i = 0; i < items.size(); i++) {
            String t = b.text(items.get(i), index(path, i), "a method name such as GET");
            if (t == null) {
                continue;
            }
            String method = t.strip().toUpperCase(Locale.ROOT);
            if (!method.matches(TOKEN)) {
                b.error(index(path, i), items.get(i), "bad method \"" + t + "\"; a method is one word such as GET");
            } else if (!out.contains(method)) {
                out.add(method);
            }
        }
        return out;
    }

    private static Map<String, String> headers(Binder b, YamlNode n, String path) {
        Map<String, String> out = new LinkedHashMap<>();
        YamlNode.Mapping m = b.mapping(n, path, "a map of header name to exact value");
        if (m == null) {
            return out;
        }
        Set<String> seen = new HashSet<>();
        for (YamlNode.Entry e : m.entries()) {
            String at = child(path, e.key());
            if (!e.key().matches(TOKEN)) {
                b.error(at, e.line(), e.column(), "bad header name `" + e.key() + "`");
            } else if (!seen.add(e.key().toLowerCase(Locale.ROOT))) {
                b.error(at, e.line(), e.column(), "header `" + e.key() + "` is given twice (header names ignore case)");
            } else if (Binder.absent(e.value())) {
                b.error(at, e.line(), e.column(), "header `" + e.key() + "` has no value; write the exact value to match");
            } else {
                String v = b.text(e.value(), at, "the header's exact value");
                if (v != null) {
                    out.put(e.key(), v);
                }
            }
        }
        return out;
    }
}

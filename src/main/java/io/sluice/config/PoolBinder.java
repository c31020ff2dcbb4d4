package io.sluice.config;

import static io.sluice.config.Binder.child;
import static io.sluice.config.Binder.index;
import static io.sluice.config.Binder.or;
import static io.sluice.config.Binder.value;
import static io.sluice.config.SchemaType.address;
import static io.sluice.config.SchemaType.anyOf;
import static io.sluice.config.SchemaType.duration;
import static io.sluice.config.SchemaType.flagOr;
import static io.sluice.config.SchemaType.integer;
import static io.sluice.config.SchemaType.list;
import static io.sluice.config.SchemaType.name;
import static io.sluice.config.SchemaType.oneOf;
import static io.sluice.config.SchemaType.ref;
import static io.sluice.config.SchemaType.string;
import static io.sluice.config.Section.key;
import static io.sluice.config.Section.required;

import io.sluice.balance.BalanceOptions;
import io.sluice.balance.HashKey;
import io.sluice.balance.Strategies;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds {@code pools} entries, and the backend lists and strategy names the short form shares with them.
 * Stateless; thread-safe (all state is in the {@link Binder} and {@link Refs} passed in).
 */
final class PoolBinder {
    static final String DEFAULT_STRATEGY = "round_robin";
    private static final List<String> UPSTREAM_PROTOCOLS = List.of("http1", "h2", "h2c", "tcp", "udp");
    static final Section BACKEND = Section.of("backend", "A backend server: `address` or `url`, and a weight.",
            key("address", address(), "host:port of the backend, e.g. 127.0.0.1:3001."),
            key("url", string(), "http://host[:port] or https://host[:port] instead of address; https means TLS."),
            key("weight", integer(1, 1000), "Its share relative to the others (default 1)."));
    /** A list of backends: {@code host:port} text or {@link #BACKEND} maps; the short form's too. */
    static final SchemaType BACKENDS = list(anyOf(address(), ref(BACKEND)));
    static final Section TIMEOUTS = Section.of("timeouts", "Timeouts towards a pool's backends.",
            key("connect", duration(), "To open a connection (default 5s); also for L4 connections."),
            key("response", duration(), "From the request sent to the response head (default 60s)."),
            key("idle", duration(), "An idle pooled connection is closed after this (default 60s)."));
    static final Section CONNECTION_LIMIT = Section.of("connection_limit", "Connections to each backend at most"
                    + " (HTTP/1.1 pools), and the queue of requests that wait for one.",
            required("max_per_backend", integer(1, 1_000_000), "Open connections to each backend at most, counting"
                    + " those being opened; shared out among the event loops, at least one each."),
            key("queue", integer(0, 10_000_000), "Requests that may wait for a connection to one backend (default"
                    + " 1024; 0 = none wait); more get 503."),
            key("queue_timeout", duration(), "How long a request waits for a connection at most, then 503"
                    + " (default 10s)."));
    static final Section POOL = Section.of("pool", "A pool of backends and how to balance over them.",
            required("name", name(), "The pool's name, which routes refer to."),
            key("strategy", new SchemaType.Spellings(Strategies::names, Strategies::aliases), "How a backend is picked (default"
                    + " round_robin); other tools' spellings such as RoundRobin or Weighted are accepted too."),
            key("backends", BACKENDS, "The servers: \"host:port\" or { address, url, weight }."),
            key("timeouts", ref(TIMEOUTS), "Timeouts towards the backends."),
            key("health_check", flagOr(ResilienceBinder.HEALTH_CHECK), "Active health checks; off unless given."),
            key("hash_key", string(), "What hashing strategies hash: client_ip (default), header:NAME,"
                    + " cookie:NAME, query:NAME or path."),
            key("hash_balance_factor", integer(0, 100_000), "Bounded load in percent above 100, e.g. 125; 0 = off."),
            key("ewma_half_life", duration(), "How fast latency and error estimates forget (default 10s)."),
            key("slow_start", duration(), "Ramp a joining or recovering backend to its full share (default off)."),
            key("circuit_breaker", flagOr(ResilienceBinder.CIRCUIT_BREAKER), "On by default; false turns it off."),
            key("retry", flagOr(ResilienceBinder.RETRY), "On by default; false turns retries off."),
            key("fallback_pool", name(), "The pool that takes requests no backend of this one can take."),
            key("panic_threshold", integer(0, 100), "Percent healthy below which every backend is used; 0 = off."),
            key("protocol", oneOf(UPSTREAM_PROTOCOLS), "http1 (default), h2 (HTTP/2 over TLS), h2c (HTTP/2 in"
                    + " clear text), tcp or udp (for L4 listeners)."),
            key("tls", flagOr(TlsBinder.UPSTREAM_TLS), "TLS to the backends: true, false or settings."),
            key("send_proxy_protocol", oneOf(List.of("v1", "v2", "off", "none", 1, 2, false)), "A PROXY header"
                    + " first on every backend connection: v1 (text), v2 (binary) or off (default)."),
            key("connection_limit", ref(CONNECTION_LIMIT), "At most this many connections to each backend; requests"
                    + " beyond wait in a queue (default: no limit)."));

    private PoolBinder() {
    }

    /** The {@code pools} list; bad entries are left out after their errors are recorded. */
    static List<PoolConfig> pools(Binder b, YamlNode n, String path, Refs refs) {
        List<PoolConfig> out = new ArrayList<>();
        List<YamlNode> items = b.sequence(n, path, "a list of pools");
        if (items != null) {
            for (int i = 0; i < items.size(); i++) {
                refs.poolDeclared();
                PoolConfig p = pool(b, items.get(i), index(path, i), refs);
                if (p != null) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static PoolConfig pool(Binder b, YamlNode n, String path, Refs refs) {
        int before = b.errorCount();
        YamlNode.Mapping m = b.mapping(n, path, "a pool (a map with name and backends)");
        if (m == null) {
            if (Binder.absent(n)) {
                b.error(path, n, "empty pool entry; a pool needs at least a `name`");
            }
            return null;
        }
        b.allowOnly(m, path, POOL.keys());
        YamlNode nameNode = b.require(m, "name", path, "the pool's name, which routes refer to");
        String name = b.name(nameNode, child(path, "name"));
        if (name != null) {
            refs.pool(name, child(path, "name"), nameNode);
        }
        String strategy = strategy(b, value(m, "strategy"), child(path, "strategy"));
        Backends backends = backends(b, value(m, "backends"), child(path, "backends"));
        TimeoutsConfig timeouts = timeouts(b, value(m, "timeouts"), child(path, "timeouts"));
        HealthCheckConfig healthCheck = ResilienceBinder.healthCheck(b, value(m, "health_check"),
                child(path, "health_check"));
        if (name != null && value(m, "health_check") instanceof YamlNode.Scalar off && "false".equals(off.text())) {
            refs.noHealthCheck(name); // said outright: no default probe either
        }
        BalanceOptions balance = balance(b, m, path);
        CircuitBreakerConfig breaker = ResilienceBinder.breaker(b, value(m, "circuit_breaker"),
                child(path, "circuit_breaker"));
        RetryConfig retry = ResilienceBinder.retry(b, value(m, "retry"), child(path, "retry"));
        String fallback = fallback(b, value(m, "fallback_pool"), child(path, "fallback_pool"), name, refs);
        Integer panic = b.integer(value(m, "panic_threshold"), child(path, "panic_threshold"), 0, 100);
        YamlNode protocolNode = value(m, "protocol");
        UpstreamProtocol protocol = protocol(b, protocolNode, child(path, "protocol"));
        if (name != null) {
            refs.poolProtocol(name, or(protocol, UpstreamProtocol.HTTP1));
        }
        UpstreamTlsConfig tls = tls(b, m, path, protocol, protocolNode, backends);
        if (name != null && (tls != null || protocol == UpstreamProtocol.H2)) {
            refs.poolTls(name);
        }
        if (healthCheck != null && healthCheck.type() == HealthCheckConfig.Type.HTTP
                && (protocol == UpstreamProtocol.H2 || protocol == UpstreamProtocol.H2C)) {
            b.error(child(path, "health_check"), value(m, "health_check"), "HTTP health checks speak HTTP/1.1, which"
                    + " an HTTP/2-only backend may refuse; use `type: tcp` for " + protocol.name().toLowerCase(
                    java.util.Locale.ROOT) + " pools (HTTP/2 probes are not built yet)");
        }
        ProxyVersion sendProxy = sendProxy(b, value(m, "send_proxy_protocol"), child(path, "send_proxy_protocol"));
        if (sendProxy != null && sendProxy != ProxyVersion.NONE && protocol == UpstreamProtocol.UDP) {
            b.error(child(path, "send_proxy_protocol"), value(m, "send_proxy_protocol"), "PROXY headers go at the"
                    + " start of TCP connections; a udp pool cannot send them");
        }
        if (healthCheck != null && protocol == UpstreamProtocol.UDP) {
            b.error(child(path, "health_check"), value(m, "health_check"), "a udp pool has no connection to probe;"
                    + " remove `health_check` (breakers still take failing backends out)");
        }
        if (healthCheck != null && healthCheck.type() == HealthCheckConfig.Type.HTTP && protocol == UpstreamProtocol.TCP
                && value(m, "health_check") instanceof YamlNode.Mapping hm && hm.entry("type") != null) {
            b.error(child(path, "health_check"), value(m, "health_check"), "a tcp pool's backends need not speak"
                    + " HTTP; use `type: tcp`");
        } else if (healthCheck != null && protocol == UpstreamProtocol.TCP) {
            healthCheck = healthCheck.withType(HealthCheckConfig.Type.TCP);
        }
        if (tls != null && protocol != null && !protocol.http()) {
            b.error(child(path, "tls"), value(m, "tls"), "a " + protocol.name().toLowerCase(java.util.Locale.ROOT)
                    + " pool passes bytes on as they are; TLS passes through it untouched, so remove `tls`");
        }
        ConnectionLimitConfig limit = connectionLimit(b, value(m, "connection_limit"), child(path, "connection_limit"));
        if (limit.limited() && protocol != null && protocol != UpstreamProtocol.HTTP1) {
            b.error(child(path, "connection_limit"), value(m, "connection_limit"), "connection_limit counts HTTP/1.1"
                    + " connections; a " + protocol.name().toLowerCase(java.util.Locale.ROOT) + " pool "
                    + (protocol.http() ? "multiplexes its requests on one connection per event loop"
                    : "is used by L4 listeners, which limit connections with their own `max_connections`")
                    + ", so remove `connection_limit`");
        }
        if (b.errorCount() != before) {
            return null;
        }
        return PoolConfig.builder(name).connectionLimit(limit).sendProxyProtocol(or(sendProxy, ProxyVersion.NONE)).strategy(strategy).backends(backends.list()).timeouts(timeouts)
                .healthCheck(healthCheck).balance(balance).breaker(breaker).retry(retry).fallbackPool(fallback)
                .panicThreshold(or(panic, 0)).protocol(or(protocol, UpstreamProtocol.HTTP1)).tls(tls).build();
    }

    private static ProxyVersion sendProxy(Binder b, YamlNode n, String path) {
        String t = b.text(n, path, "v1 or v2");
        if (t == null) {
            return null;
        }
        return switch (t.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "v1", "1" -> ProxyVersion.V1;
            case "v2", "2" -> ProxyVersion.V2;
            case "off", "none", "false" -> ProxyVersion.NONE;
            default -> {
                b.error(path, n, "unknown PROXY protocol version `" + t + "` (allowed: v1 = text, v2 = binary, off)");
                yield null;
            }
        };
    }

    private static UpstreamProtocol protocol(Binder b, YamlNode n, String path) {
        String t = b.text(n, path, "http1, h2, h2c, tcp or udp");
        if (t == null) {
            return null;
        }
        if (!UPSTREAM_PROTOCOLS.contains(t)) {
            b.error(path, n, "unknown protocol `" + t + "`" + Suggest.didYouMean(t, UPSTREAM_PROTOCOLS)
                    + " (allowed: http1 = HTTP/1.1, h2 = HTTP/2 over TLS, h2c = HTTP/2 in clear text,"
                    + " tcp = bytes for tcp listeners, udp = datagrams for udp listeners)");
            return null;
        }
        return UpstreamProtocol.valueOf(t.toUpperCase(java.util.Locale.ROOT));
    }

    /**
     * TLS towards the pool's backends, from {@code tls} ({@code true}, {@code false} or a map), the pool's
     * protocol and the scheme of its backend URLs; null for clear text. Contradictions are errors.
     */
    private static UpstreamTlsConfig tls(Binder b, YamlNode.Mapping m, String path, UpstreamProtocol protocol,
                                         YamlNode protocolNode, Backends backends) {
        String at = child(path, "tls");
        YamlNode.Entry e = m.entry("tls");
        YamlNode n = value(m, "tls");
        Boolean on = null;
        UpstreamTlsConfig tls = null;
        if (n instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.BOOL) {
            on = (Boolean) s.value();
            tls = on ? UpstreamTlsConfig.DEFAULTS : null;
        } else if (e != null && Binder.absent(n)) {
            b.error(at, e.line(), e.column(), "`tls` has no value; write true, false or a map (verify, ca, sni,"
                    + " client_cert, client_key)");
            return null;
        } else if (n != null) {
            YamlNode.Mapping tm = b.mapping(n, at, "a map of TLS settings (verify, ca, sni, client_cert,"
                    + " client_key), or true/false");
            if (tm == null) {
                return null;
            }
            on = true;
            tls = TlsBinder.upstreamTls(b, tm, at);
        }
        if (protocol == UpstreamProtocol.H2C && Boolean.TRUE.equals(on)) {
            b.error(at, e.line(), e.column(), "protocol h2c is HTTP/2 in clear text, so it takes no `tls`; use"
                    + " `protocol: h2` for HTTP/2 over TLS");
            return null;
        }
        if (protocol == UpstreamProtocol.H2 && Boolean.FALSE.equals(on)) {
            b.error(at, e.line(), e.column(), "protocol h2 is HTTP/2 over TLS; use `protocol: h2c` for HTTP/2 in"
                    + " clear text, or remove `tls: false`");
            return null;
        }
        if (backends.https() != null) {
            Backends.Url url = backends.https();
            if (Boolean.FALSE.equals(on)) {
                b.error(at, e.line(), e.column(), "`tls: false`, but " + url.path() + " is an https:// URL; write"
                        + " http://, or remove `tls: false`");
                return null;
            }
            if (protocol == UpstreamProtocol.H2C) {
                b.error(child(path, "protocol"), protocolNode, "protocol h2c is clear text, but " + url.path()
                        + " is an https:// URL; use `protocol: h2`, or http:// URLs");
                return null;
            }
            return tls != null ? tls : UpstreamTlsConfig.DEFAULTS;
        }
        if (backends.http() != null && (Boolean.TRUE.equals(on) || protocol == UpstreamProtocol.H2)) {
            Backends.Url url = backends.http();
            String why = Boolean.TRUE.equals(on) ? "`tls` is set" : "protocol h2 always uses TLS";
            b.error(url.path(), url.at(), "an http:// URL in a pool that talks TLS to its backends (" + why
                    + "); write https://, or give `address: host:port`");
            return null;
        }
        return tls;
    }

    /**
     * The pool that takes over when none of this pool's backends can; null when absent or wrong. It may not
     * be the pool itself; whether it exists and whether the chain loops is checked once all pools are known.
     */
    private static String fallback(Binder b, YamlNode n, String path, String pool, Refs refs) {
        String target = b.name(n, path);
        if (target == null) {
            return null;
        }
        if (target.equals(pool)) {
            b.error(path, n, "pool `" + pool + "` cannot fall back to itself; name another pool, or leave"
                    + " `fallback_pool` out");
            return null;
        }
        refs.fallback(pool, target, path, n);
        return target;
    }

    /** The strategy's tuning keys of a pool; defaults for those absent. */
    private static BalanceOptions balance(Binder b, YamlNode.Mapping m, String path) {
        BalanceOptions d = BalanceOptions.DEFAULTS;
        HashKey key = d.hashKey();
        YamlNode keyNode = value(m, "hash_key");
        String keyText = b.text(keyNode, child(path, "hash_key"), "a hash key such as client_ip or header:X-User");
        if (keyText != null) {
            try {
                key = HashKey.parse(keyText);
            } catch (IllegalArgumentException e) {
                b.error(child(path, "hash_key"), keyNode, e.getMessage());
            }
        }
        YamlNode factorNode = value(m, "hash_balance_factor");
        Integer factor = b.integer(factorNode, child(path, "hash_balance_factor"), 0, 100_000);
        if (factor != null && factor != 0 && factor <= 100) {
            b.error(child(path, "hash_balance_factor"), factorNode, "hash_balance_factor is a percentage above 100"
                    + " (e.g. 125: no backend gets more than 125% of the average load), or 0 for no bound");
            factor = 0;
        }
        Duration halfLife = b.duration(value(m, "ewma_half_life"), child(path, "ewma_half_life"), false);
        Duration slowStart = b.duration(value(m, "slow_start"), child(path, "slow_start"), true);
        return new BalanceOptions(key, or(factor, d.hashBalanceFactor()), or(halfLife, d.ewmaHalfLife()),
                or(slowStart, d.slowStart()));
    }

    /**
     * A known strategy's canonical name (given in any form {@link Strategies#canonical} accepts, such as
     * {@code Weighted} or {@code LeastConnections}); {@value #DEFAULT_STRATEGY} when absent.
     */
    static String strategy(Binder b, YamlNode n, String path) {
        String s = b.text(n, path, "a strategy name");
        if (s == null) {
            return DEFAULT_STRATEGY;
        }
        String canonical = Strategies.canonical(s);
        if (canonical == null) {
            b.error(path, n, "unknown strategy `" + s + "`" + Suggest.didYouMean(s, Strategies.names())
                    + " (known: " + String.join(", ", Strategies.names()) + ")");
            return s;
        }
        return canonical;
    }

    /**
     * A pool's backends, with the first http:// and the first https:// URL among them (null when none), which
     * decide whether the pool talks TLS.
     */
    record Backends(List<BackendConfig> list, Url http, Url https) {
        /** A backend URL: its YAML path and node. */
        record Url(String path, YamlNode at) {
        }
    }

    /**
     * A list of backends with distinct addresses; empty when absent. Backend URLs must agree on their scheme:
     * all http:// or all https://.
     */
    static Backends backends(Binder b, YamlNode n, String path) {
        List<BackendConfig> out = new ArrayList<>();
        List<YamlNode> items = b.sequence(n, path, "a list of backends");
        if (items == null) {
            return new Backends(out, null, null);
        }
        Map<HostPort, String> seen = new HashMap<>();
        Backends.Url[] first = new Backends.Url[2];
        for (int i = 0; i < items.size(); i++) {
            String itemPath = index(path, i);
            BackendConfig backend = backend(b, items.get(i), itemPath, first);
            if (backend == null) {
                continue;
            }
            String earlier = seen.putIfAbsent(backend.address(), itemPath);
            if (earlier != null) {
                b.error(itemPath, items.get(i), "backend " + backend.address() + " is already listed at " + earlier
                        + "; list it once and raise its weight instead");
            }
            out.add(backend);
        }
        return new Backends(out, first[0], first[1]);
    }

    /**
     * {@code host:port} text, or a map with {@code address} or {@code url} and an optional {@code weight}.
     * {@code firstUrls} holds the first http:// URL [0] and https:// URL [1] seen so far.
     */
    private static BackendConfig backend(Binder b, YamlNode n, String path, Backends.Url[] firstUrls) {
        if (n instanceof YamlNode.Scalar s && !s.isNull()) {
            HostPort address = b.address(s, path, false);
            return address == null ? null : new BackendConfig(address, 1);
        }
        YamlNode.Mapping m = b.mapping(n, path, "a backend (address: host:port, and optionally weight)");
        if (m == null) {
            if (Binder.absent(n)) {
                b.error(path, n, "empty backend entry; write address: host:port");
            }
            return null;
        }
        b.allowOnly(m, path, BACKEND.keys());
        YamlNode url = value(m, "url");
        HostPort address;
        if (url != null && m.entry("address") != null) {
            YamlNode.Entry e = m.entry("url");
            b.error(child(path, "url"), e.line(), e.column(), "give either `address` or `url`, not both");
            address = null;
        } else if (url != null) {
            String urlPath = child(path, "url");
            address = fromUrl(b, url, urlPath);
            if (address != null) {
                boolean https = b.text(url, urlPath, "a URL").strip().regionMatches(true, 0, "https:", 0, 6);
                int mine = https ? 1 : 0;
                Backends.Url other = firstUrls[1 - mine];
                if (other != null) {
                    b.error(urlPath, url, "backend URLs mix http:// and https:// (" + other.path() + " is "
                            + (https ? "http://" : "https://") + "); a pool talks either TLS or clear text to all"
                            + " its backends, so put them in two pools");
                    address = null;
                } else if (firstUrls[mine] == null) {
                    firstUrls[mine] = new Backends.Url(urlPath, url);
                }
            }
        } else {
            YamlNode a = b.require(m, "address", path, "host:port of the backend server, e.g. 127.0.0.1:3001");
            address = b.address(a, child(path, "address"), false);
        }
        Integer weight = b.integer(value(m, "weight"), child(path, "weight"), 1, 1000);
        return address == null ? null : new BackendConfig(address, or(weight, 1));
    }

    /** The address of an {@code http://host[:port]} or {@code https://host[:port]} URL; paths and queries are refused. */
    private static HostPort fromUrl(Binder b, YamlNode n, String path) {
        String text = b.text(n, path, "a URL such as http://127.0.0.1:3001");
        if (text == null) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            b.error(path, n, "not a URL: \"" + text + "\"; write e.g. http://127.0.0.1:3001");
            return null;
        }
        String scheme = uri.getScheme();
        String problem = null;
        if (scheme == null || uri.getHost() == null) {
            problem = "not an http URL: \"" + text + "\"; write e.g. http://127.0.0.1:3001";
        } else if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
            problem = "unsupported scheme `" + scheme + "` in \"" + text + "\"; use http:// or https://";
        } else if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
            problem = "a path in a backend URL is not supported (\"" + uri.getRawPath() + "\" in \"" + text
                    + "\"); give only http://host:port and use routes to choose by path";
        } else if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            problem = "a backend URL may not have a query, fragment or user info: \"" + text + "\"";
        } else if (uri.getPort() == 0) {
            problem = "port 0 is not allowed here, in \"" + text + "\"; give the real port";
        } else if (uri.getPort() > 65535) {
            problem = "port " + uri.getPort() + " is out of range (1-65535) in \"" + text + "\"";
        }
        if (problem != null) {
            b.error(path, n, problem);
            return null;
        }
        int defaultPort = scheme.equalsIgnoreCase("https") ? 443 : 80;
        return new HostPort(stripBrackets(uri.getHost()), uri.getPort() < 0 ? defaultPort : uri.getPort());
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** A pool's {@code connection_limit}; {@link ConnectionLimitConfig#NONE} when absent or wrong. */
    private static ConnectionLimitConfig connectionLimit(Binder b, YamlNode n, String path) {
        ConnectionLimitConfig d = ConnectionLimitConfig.NONE;
        if (n == null) {
            return d;
        }
        YamlNode.Mapping m = b.mapping(n, path, "a map with max_per_backend, and optionally queue and queue_timeout");
        if (m == null) {
            return d;
        }
        b.allowOnly(m, path, CONNECTION_LIMIT.keys());
        YamlNode maxNode = b.require(m, "max_per_backend", path, "open connections to each backend at most, e.g. 256");
        Integer max = b.integer(maxNode, child(path, "max_per_backend"), 1, 1_000_000);
        Integer queue = b.integer(value(m, "queue"), child(path, "queue"), 0, 10_000_000);
        Duration timeout = b.duration(value(m, "queue_timeout"), child(path, "queue_timeout"), false);
        if (max == null) {
            return d;
        }
        return new ConnectionLimitConfig(max, or(queue, d.queue()), or(timeout, d.queueTimeout()));
    }

    private static TimeoutsConfig timeouts(Binder b, YamlNode n, String path) {
        TimeoutsConfig d = TimeoutsConfig.DEFAULTS;
        YamlNode.Mapping m = b.mapping(n, path, "a map of timeouts (connect, response, idle)");
        if (m == null) {
            return d;
        }
        b.allowOnly(m, path, TIMEOUTS.keys());
        return new TimeoutsConfig(
                or(b.duration(value(m, "connect"), child(path, "connect"), false), d.connect()),
                or(b.duration(value(m, "response"), child(path, "response"), false), d.response()),
                or(b.duration(value(m, "idle"), child(path, "idle"), false), d.idle()));
    }
}

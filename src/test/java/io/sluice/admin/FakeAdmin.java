package io.sluice.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.netty.handler.codec.http.FullHttpResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the admin listener, for developing and testing the dashboard without a proxy: serves the
 * real page from {@link DashboardPage} at {@code /dashboard} and made-up but plausible documents, in the
 * admin API's shapes, at {@code /_health}, {@code /api/pools}, {@code /api/listeners}, {@code /_metrics}
 * and {@code /_metrics/history}. The numbers are a pure function of the wall clock, so consecutive
 * refreshes agree with each other. A tcp listener "edge" and a turn listener "relay" besides the two HTTP ones.
 * Three pools: "web" with one backend ejected by its health check after
 * an incident a few minutes ago, "api" with a breaker half-open, "static". Thread-safe.
 *
 * <p>{@code main [port [failAfter]]} runs it for looking at the page in a browser.
 */
final class FakeAdmin implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A backend of the made-up fleet: pool, address, weight, share of its pool's traffic, base latency. */
    private record Node(String pool, String address, int weight, double share, double p50) {
    }

    private static final List<Node> NODES = List.of(
            new Node("web", "10.0.1.11:8080", 2, 0.5, 3.1),
            new Node("web", "10.0.1.12:8080", 2, 0.5, 3.6),
            new Node("web", "10.0.1.13:8080", 1, 0.0, 4.0),
            new Node("api", "10.0.2.21:9000", 1, 0.62, 11.0),
            new Node("api", "10.0.2.22:9000", 1, 0.38, 14.5),
            new Node("static", "10.0.3.31:8000", 1, 1.0, 0.6));
    private static final Map<String, Double> POOL_RPS = Map.of("web", 182.0, "api", 64.0, "static", 35.0);
    private static final Map<String, String> STRATEGY = Map.of("web", "least_ewma", "api", "power_of_two",
            "static", "round_robin");
    private static final List<String> POOLS = List.of("web", "api", "static");
    /** The incident on web's third backend: it failed from 9 to 6 minutes before start, then was ejected. */
    private static final long INCIDENT_FROM = -9 * 60_000L;
    private static final long INCIDENT_TO = -6 * 60_000L;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final long start = System.currentTimeMillis();
    private final AtomicInteger healthAnswers = new AtomicInteger();
    private volatile int failAfter = Integer.MAX_VALUE;
    private volatile boolean legacy;

    private FakeAdmin(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    static FakeAdmin start() throws IOException {
        return new FakeAdmin(0);
    }

    /** After this many {@code /_health} answers, every JSON endpoint answers 503 (the admin "goes away"). */
    FakeAdmin failAfter(int answers) {
        this.failAfter = answers;
        return this;
    }

    /** Behave like a server from before the metrics and listeners endpoints: they answer 404. */
    FakeAdmin legacy() {
        this.legacy = true;
        return this;
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    public static void main(String[] args) throws Exception {
        FakeAdmin fake = new FakeAdmin(args.length > 0 ? Integer.parseInt(args[0]) : 9901);
        if (args.length > 1) {
            fake.failAfter(Integer.parseInt(args[1]));
        }
        System.out.println("dashboard at " + fake.url("/dashboard"));
        Thread.currentThread().join();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            URI uri = ex.getRequestURI();
            String path = uri.getPath();
            if (path.equals("/dashboard")) {
                page(ex);
                return;
            }
            if (path.equals("/_health") && healthAnswers.incrementAndGet() > failAfter
                    || healthAnswers.get() > failAfter) {
                send(ex, 503, "text/plain", "gone\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            long now = System.currentTimeMillis();
            boolean old = legacy && (path.startsWith("/_metrics") || path.equals("/api/listeners"));
            Object body = old ? null : switch (path) {
                case "/_health" -> health(now);
                case "/api/pools" -> pools(now);
                case "/api/listeners" -> listeners();
                case "/_metrics" -> metrics(now);
                case "/_metrics/history" -> history(now, window(uri.getRawQuery()));
                default -> null;
            };
            if (body == null) {
                send(ex, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
            } else {
                send(ex, 200, "application/json", JSON.writeValueAsBytes(body));
            }
        }
    }

    private static void page(HttpExchange ex) throws IOException {
        FullHttpResponse res = DashboardPage.response();
        try {
            byte[] bytes = new byte[res.content().readableBytes()];
            res.content().getBytes(res.content().readerIndex(), bytes);
            for (Map.Entry<String, String> h : res.headers()) {
                if (!h.getKey().equalsIgnoreCase("content-length")) {
                    ex.getResponseHeaders().add(h.getKey(), h.getValue());
                }
            }
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } finally {
            res.release();
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static int window(String query) {
        String w = "15m";
        if (query != null) {
            for (String kv : query.split("&")) {
                if (kv.startsWith("window=")) {
                    w = kv.substring(7);
                }
            }
        }
        int n = Integer.parseInt(w.substring(0, w.length() - 1));
        int seconds = switch (w.charAt(w.length() - 1)) {
            case 'h' -> n * 3600;
            case 'm' -> n * 60;
            default -> n;
        };
        return Math.max(60, Math.min(seconds, 86_400));
    }

    // ---------- the made-up traffic ----------

    /** Deterministic noise in [-1, 1] for a (series, second) pair. */
    private static double noise(String key, long second) {
        long h = key.hashCode() * 0x9E3779B97F4A7C15L + second * 0xBF58476D1CE4E5B9L;
        h ^= h >>> 31;
        h *= 0x94D049BB133111EBL;
        h ^= h >>> 29;
        return ((h >>> 11) / (double) (1L << 53)) * 2 - 1;
    }

    private boolean incident(long t) {
        return t >= start + INCIDENT_FROM && t < start + INCIDENT_TO;
    }

    private boolean ejected(long t) {
        return t >= start + INCIDENT_TO;
    }

    private double nodeRps(Node n, long t) {
        long s = t / 1000;
        double wave = 1 + 0.22 * Math.sin(2 * Math.PI * s / 420.0) + 0.08 * Math.sin(2 * Math.PI * s / 53.0);
        double pool = POOL_RPS.get(n.pool()) * wave * (1 + 0.07 * noise(n.pool(), s));
        if (n.address().equals("10.0.1.13:8080")) {
            return ejected(t) ? 0 : pool * 0.2 * (1 + 0.1 * noise(n.address(), s));
        }
        double share = n.share();
        if (n.pool().equals("web") && !ejected(t)) {
            share *= 0.8;
        }
        return pool * share * (1 + 0.05 * noise(n.address(), s));
    }

    private double nodeErrors(Node n, long t) {
        long s = t / 1000;
        if (n.address().equals("10.0.1.13:8080") && incident(t)) {
            return 0.35 + 0.25 * Math.abs(noise("e" + n.address(), s));
        }
        double base = n.pool().equals("api") ? 0.004 : 0.0008;
        return Math.max(0, base * (1 + noise("e" + n.address(), s)));
    }

    private double nodeP50(Node n, long t) {
        long s = t / 1000;
        double slow = n.address().equals("10.0.1.13:8080") && incident(t) ? 9 : 1;
        return n.p50() * slow * (1 + 0.12 * noise("l" + n.address(), s));
    }

    private double nodeP99(Node n, long t) {
        long s = t / 1000;
        double spike = !incident(t) && noise("s" + n.address(), s / 20) > 0.93 ? 1.8 : 1;
        return nodeP50(n, t) * (3.2 + 0.5 * noise("q" + n.address(), s)) * spike;
    }

    private ObjectNode health(long now) {
        ObjectNode root = JSON.createObjectNode();
        // a reload refused after the last good one
        ObjectNode reloads = root.putObject("config_reloads");
        reloads.put("ok", 4).put("unchanged", 1).put("error", 1).put("last_good_ms", now - 60_000)
                .put("last_failed_ms", now - 5_000);
        reloads.putArray("last_errors").add("pools[0].strategy (12:15): unknown strategy \"round_robbin\"");
        ArrayNode backends = root.putArray("backends");
        int healthy = 0;
        for (Node n : NODES) {
            boolean down = n.address().equals("10.0.1.13:8080");
            boolean halfOpen = n.address().equals("10.0.2.22:9000");
            ObjectNode b = backends.addObject();
            b.put("pool", n.pool());
            b.put("address", n.address());
            b.put("healthy", !down);
            b.put("circuit_state", down ? "Open" : halfOpen ? "HalfOpen" : "Closed");
            b.put("weight", n.weight());
            b.put("active_connections", (int) Math.round(nodeRps(n, now) * nodeP50(n, now) / 1000 * 9));
            ArrayNode why = b.putArray("down_reasons");
            if (down) {
                why.add("health_check");
                why.add("circuit_breaker");
            }
            if (n.pool().equals("static")) {
                b.putNull("health_check");
            } else {
                ObjectNode c = b.putObject("health_check");
                long checks = (now - start) / 2000 + 4200;
                c.put("up", !down);
                c.put("passed", down ? 3900 : checks);
                c.put("failed", down ? checks - 3900 : 2);
                c.put("transitions", down ? 3 : 0);
                if (down) {
                    c.put("last_failure", "GET /healthz: 503 Service Unavailable");
                } else {
                    c.putNull("last_failure");
                }
            }
            b.put("breaker_opened", down ? 2 : halfOpen ? 1 : 0);
            if (!down) {
                healthy++;
            }
        }
        ArrayNode pools = root.putArray("pools");
        for (String name : POOLS) {
            ObjectNode p = pools.addObject();
            long total = NODES.stream().filter(n -> n.pool().equals(name)).count();
            p.put("name", name);
            p.put("healthy_count", name.equals("web") ? total - 1 : total);
            p.put("total_count", total);
            p.put("panic", false);
            p.put("retries", name.equals("web") ? 1287 : name.equals("api") ? 96 : 0);
            p.put("retries_denied_by_budget", name.equals("web") ? 41 : 0);
            if (name.equals("api")) {
                p.put("fallback_pool", "web");
            } else {
                p.putNull("fallback_pool");
            }
        }
        root.put("healthy", healthy > 0);
        root.put("healthy_count", healthy);
        root.put("total_count", NODES.size());
        ObjectNode edge = edge(root.putArray("l4_listeners").addObject());
        long seconds = (now - start) / 1000 + 3 * 3600;
        edge.put("kind", "tcp");
        edge.put("open", 42);
        edge.put("total", seconds * 12);
        ObjectNode routed = edge.putObject("routed");
        routed.put("tls", seconds * 9);
        routed.put("prefix", seconds * 2);
        routed.put("fallback", seconds);
        routed.put("closed", 3);
        routed.put("rejected", 0);
        ObjectNode relay = root.putArray("stun_listeners").addObject();
        relay.put("name", "relay").put("kind", "turn").put("bind", "0.0.0.0:3478");
        relay.putArray("transports").add("udp").add("tcp");
        relay.put("open_connections", 2).put("bindings", seconds * 3).put("errors", 0).put("malformed", 4)
                .put("ignored", 0);
        relay.putObject("turn").put("allocations", 3).put("permissions", 5).put("channels", 1)
                .put("allocations_made", 41).put("packets_to_peers", 9000).put("bytes_to_peers", 1_572_864)
                .put("packets_from_peers", 12).put("bytes_from_peers", 1536).put("auth_failures", 5)
                .put("dropped", 0);
        return root;
    }

    /** A tcp listener: TLS by server name to web, plain HTTP handed to the "public" listener, the rest to static. */
    private static ObjectNode edge(ObjectNode l) {
        l.put("name", "edge");
        l.put("bind", "0.0.0.0:443");
        l.put("protocol", "tcp");
        ArrayNode routes = l.putArray("routes");
        l4Route(routes.addObject(), 0, "tls", List.of("*.example.com"), null).put("pool", "web").putNull("listener");
        l4Route(routes.addObject(), 1, null, List.of(), "GET ").putNull("pool").put("listener", "public");
        l.putObject("fallback").put("pool", "static").putNull("listener");
        return l;
    }

    private static ObjectNode l4Route(ObjectNode r, int index, String protocol, List<String> sni, String prefix) {
        r.put("index", index);
        ObjectNode m = r.putObject("match");
        m.put("protocol", protocol);
        ArrayNode names = m.putArray("sni");
        sni.forEach(names::add);
        m.putArray("alpn");
        m.put("prefix", prefix);
        return r;
    }

    private ObjectNode pools(long now) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode pools = root.putArray("pools");
        for (String name : POOLS) {
            ObjectNode p = pools.addObject();
            p.put("name", name);
            p.put("strategy", STRATEGY.get(name));
            ArrayNode bs = p.putArray("backends");
            for (Node n : NODES) {
                if (n.pool().equals(name)) {
                    ObjectNode b = bs.addObject();
                    b.put("address", n.address());
                    b.put("weight", n.weight());
                    b.put("in_flight", (int) Math.round(nodeRps(n, now) * nodeP50(n, now) / 1000 * 9));
                    b.put("ewma_latency_ms", Math.round(nodeP50(n, now) * 100) / 100.0);
                }
            }
        }
        return root;
    }

    private static ObjectNode listeners() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode ls = root.putArray("listeners");
        ObjectNode web = ls.addObject();
        web.put("name", "public");
        web.put("bind", "0.0.0.0:8080");
        web.put("protocol", "http");
        ArrayNode routes = web.putArray("routes");
        route(routes, 0, "api.example.com", "/v2/", null, List.of(), Map.of(), "api");
        route(routes, 1, null, "/assets/", null, List.of("GET", "HEAD"), Map.of(), "static");
        route(routes, 2, null, null, "/favicon.ico", List.of(), Map.of(), "static");
        route(routes, 3, null, null, null, List.of(), Map.of("x-canary", "1"), "api");
        route(routes, 4, null, "/", null, List.of(), Map.of(), "web");
        ObjectNode internal = ls.addObject();
        internal.put("name", "internal");
        internal.put("bind", "10.0.0.5:8081");
        internal.put("protocol", "http");
        route(internal.putArray("routes"), 0, null, null, null, List.of(), Map.of(), "api");
        edge(ls.addObject());
        ObjectNode relay = ls.addObject(); // answers STUN and relays itself: no routes
        relay.put("name", "relay");
        relay.put("bind", "0.0.0.0:3478");
        relay.put("protocol", "turn");
        return root;
    }

    private static void route(ArrayNode routes, int index, String host, String prefix, String path,
            List<String> methods, Map<String, String> headers, String pool) {
        ObjectNode r = routes.addObject();
        r.put("index", index);
        ObjectNode m = r.putObject("match");
        m.put("host", host);
        m.put("path_prefix", prefix);
        m.put("path", path);
        ArrayNode ms = m.putArray("methods");
        methods.forEach(ms::add);
        ObjectNode hs = m.putObject("headers");
        headers.forEach(hs::put);
        r.put("pool", pool);
    }

    private ObjectNode metrics(long now) {
        ObjectNode root = JSON.createObjectNode();
        long uptime = Math.max(1, (now - start) / 1000 + 3 * 3600);
        long allReq = 0;
        long allFail = 0;
        ArrayNode backends = root.putArray("backends");
        for (Node n : NODES) {
            long req = Math.round(POOL_RPS.get(n.pool()) * Math.max(n.share(), 0.12) * uptime);
            long failed = Math.round(req * (n.address().equals("10.0.1.13:8080") ? 0.031 : 0.0011));
            allReq += req;
            allFail += failed;
            ObjectNode b = backends.addObject();
            b.put("pool", n.pool());
            b.put("url", "http://" + n.address());
            b.put("address", n.address());
            b.put("total_requests", req);
            b.put("failed_requests", failed);
            b.put("success_rate", Math.round((1 - failed / (double) req) * 10000) / 10000.0);
            b.put("active_connections", (int) Math.round(nodeRps(n, now) * nodeP50(n, now) / 1000 * 9));
            b.put("p50_ms", Math.round(nodeP50(n, now - 1000) * 10) / 10.0);
            b.put("p90_ms", Math.round(nodeP50(n, now - 1000) * 2.1 * 10) / 10.0);
            b.put("p99_ms", Math.round(nodeP99(n, now - 1000) * 10) / 10.0);
        }
        root.put("total_requests", allReq);
        root.put("total_failures", allFail);
        root.put("success_rate", Math.round((1 - allFail / (double) allReq) * 10000) / 10000.0);
        return root;
    }

    private ObjectNode history(long now, int windowSeconds) {
        int resolution = windowSeconds <= 900 ? 1 : 60;
        int slots = windowSeconds / resolution;
        long last = now / 1000 * 1000;
        long first = last - (long) (slots - 1) * resolution * 1000;
        ObjectNode root = JSON.createObjectNode();
        root.put("resolution_seconds", resolution);
        root.put("window_seconds", windowSeconds);
        ArrayNode series = root.putArray("series");
        for (String pool : POOLS) {
            List<Node> members = NODES.stream().filter(n -> n.pool().equals(pool)).toList();
            ObjectNode s = series(series, "pool", pool, null);
            for (long t = first; t <= last; t += resolution * 1000L) {
                double rps = 0;
                double bad = 0;
                double p50 = 0;
                double p99 = 0;
                int inFlight = 0;
                for (Node n : members) {
                    double r = nodeRps(n, t);
                    rps += r;
                    bad += r * nodeErrors(n, t);
                    if (r > 0) {
                        p50 += r * nodeP50(n, t);
                        p99 = Math.max(p99, nodeP99(n, t));
                    }
                    inFlight += (int) Math.round(r * nodeP50(n, t) / 1000 * 9);
                }
                add(s, t, rps, rps > 0 ? bad / rps : 0, rps > 0 ? p50 / rps : null, rps > 0 ? p99 : null, inFlight);
            }
            for (Node n : members) {
                ObjectNode b = series(series, "backend", pool, n.address());
                for (long t = first; t <= last; t += resolution * 1000L) {
                    double r = nodeRps(n, t);
                    add(b, t, r, r > 0 ? nodeErrors(n, t) : 0, r > 0 ? nodeP50(n, t) : null,
                            r > 0 ? nodeP99(n, t) : null, (int) Math.round(r * nodeP50(n, t) / 1000 * 9));
                }
            }
        }
        return root;
    }

    private static ObjectNode series(ArrayNode series, String kind, String pool, String backend) {
        ObjectNode s = series.addObject();
        s.put("kind", kind);
        s.put("pool", pool);
        s.put("backend", backend);
        for (String f : List.of("t", "rps", "error_rate", "p50_ms", "p99_ms", "in_flight")) {
            s.putArray(f);
        }
        return s;
    }

    private static void add(ObjectNode s, long t, double rps, double err, Double p50, Double p99, int inFlight) {
        ((ArrayNode) s.get("t")).add(t);
        ((ArrayNode) s.get("rps")).add(Math.round(rps * 10) / 10.0);
        ((ArrayNode) s.get("error_rate")).add(Math.round(err * 10000) / 10000.0);
        ArrayNode a50 = (ArrayNode) s.get("p50_ms");
        ArrayNode a99 = (ArrayNode) s.get("p99_ms");
        if (p50 == null) {
            a50.addNull();
            a99.addNull();
        } else {
            a50.add(Math.round(p50 * 100) / 100.0);
            a99.add(Math.round(p99 * 100) / 100.0);
        }
        ((ArrayNode) s.get("in_flight")).add(inFlight);
    }
}

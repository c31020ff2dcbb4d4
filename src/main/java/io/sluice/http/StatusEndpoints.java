package io.sluice.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.admin.StatusDocs;
import io.sluice.balance.Backend;
import io.sluice.balance.BackendState;
import io.sluice.balance.Strategies;
import io.sluice.health.ActiveHealth;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.Router;
import io.sluice.runtime.RuntimeSnapshot;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The status endpoints a listener with {@code status_endpoints} answers itself, before routing, for the
 * backends of the pools its routes use: {@code GET /lb-health} (overall status, 503 when no backend is up),
 * {@code GET /lb-stats} (per backend: connections, weight, response time, last health check), and
 * {@code GET /_health} and {@code GET /_metrics} in the admin listener's shapes ({@link StatusDocs}). HEAD is
 * answered too; other methods, and every other path, go to the routes as usual. A listener without the
 * setting never gets here ({@link Router#statusEndpoints()} is false). Stateless; thread-safe.
 */
final class StatusEndpoints {
    static final String LB_HEALTH = "/lb-health";
    static final String LB_STATS = "/lb-stats";
    static final String HEALTH = "/_health";
    static final String METRICS = "/_metrics";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MILLI = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;

    private StatusEndpoints() {
    }

    /**
     * The answer to {@code req} when it asks for a status endpoint, else null.
     *
     * @param nowNanos the proxy's clock now (breaker states, latency estimates)
     */
    static FullHttpResponse answer(HttpRequest req, RuntimeSnapshot snap, Router router, String listener,
                                   long nowNanos) {
        boolean head = req.method().equals(HttpMethod.HEAD);
        if (!head && !req.method().equals(HttpMethod.GET)) {
            return null;
        }
        String endpoint = endpoint(req.uri());
        if (endpoint == null) {
            return null;
        }
        List<PoolRuntime> pools = router.pools();
        return switch (endpoint) {
            case LB_HEALTH -> lbHealth(pools, nowNanos, head);
            case LB_STATS -> json(HttpResponseStatus.OK, lbStats(pools, nowNanos), head);
            case HEALTH -> json(StatusDocs.everyPoolUp(pools) ? HttpResponseStatus.OK
                    : HttpResponseStatus.SERVICE_UNAVAILABLE, StatusDocs.health(JSON, snap, pools, listener,
                    nowNanos), head);
            default -> json(HttpResponseStatus.OK, StatusDocs.metrics(JSON, pools), head);
        };
    }

    /** Which endpoint the target's path (without the query) names, or null for none. */
    static String endpoint(String uri) {
        int start = Router.pathStart(uri);
        int end = uri.indexOf('?', start);
        int length = (end < 0 ? uri.length() : end) - start;
        for (String e : new String[] {LB_HEALTH, LB_STATS, HEALTH, METRICS}) {
            if (length == e.length() && uri.startsWith(e, start)) {
                return e;
            }
        }
        return null;
    }

    /** {@code ok} when every backend is up, {@code degraded} when some are, {@code down} (503) when none is. */
    private static FullHttpResponse lbHealth(List<PoolRuntime> pools, long now, boolean head) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode backends = JSON.createArrayNode();
        int healthy = 0;
        int total = 0;
        for (PoolRuntime pool : pools) {
            for (Backend b : pool.backends()) {
                ObjectNode n = backend(backends, pool, b, now);
                n.put("response_time_ms", responseMillis(pool, b, now));
                total++;
                healthy += b.available() ? 1 : 0;
            }
        }
        String status = healthy == 0 ? "down" : healthy < total ? "degraded" : "ok";
        root.put("status", status);
        root.put("healthy_backends", healthy);
        root.put("total_backends", total);
        root.set("backends", backends);
        return json(healthy == 0 ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK, root, head);
    }

    /**
     * The strategy (CamelCase, of the first pool; each pool's in {@code pools}) and per backend its live
     * figures; {@code last_health_check} is whole seconds since the last probe, null when the pool has no
     * health checks or none has run yet.
     */
    private static ObjectNode lbStats(List<PoolRuntime> pools, long now) {
        ObjectNode root = JSON.createObjectNode();
        root.put("algorithm", pools.isEmpty() ? null : Strategies.camelCase(pools.get(0).strategy()));
        ArrayNode poolList = root.putArray("pools");
        ArrayNode backends = root.putArray("backends");
        long wallNow = System.nanoTime();
        for (PoolRuntime pool : pools) {
            ObjectNode p = poolList.addObject();
            p.put("name", pool.name());
            p.put("algorithm", Strategies.camelCase(pool.strategy()));
            boolean checked = pool.config().healthCheck() != null;
            for (Backend b : pool.backends()) {
                ObjectNode n = backend(backends, pool, b, now);
                n.put("weight", b.weight());
                n.put("response_time_ms", responseMillis(pool, b, now));
                ActiveHealth h = b.state().activeHealth();
                if (checked && h.passed() + h.failed() > 0) {
                    n.put("last_health_check", Math.max(0L, (wallNow - h.lastProbeNanos()) / SECOND));
                } else {
                    n.putNull("last_health_check");
                }
            }
        }
        return root;
    }

    /** A backend entry with the fields both {@code /lb-} documents have. */
    private static ObjectNode backend(ArrayNode into, PoolRuntime pool, Backend b, long now) {
        ObjectNode n = into.addObject();
        n.put("pool", pool.name());
        n.put("address", b.addressText());
        n.put("url", StatusDocs.url(pool, b));
        n.put("healthy", b.available());
        n.put("connections", b.state().inFlight());
        return n;
    }

    /** The backend's time-weighted average latency in whole milliseconds; 0 before its first response. */
    private static long responseMillis(PoolRuntime pool, Backend b, long now) {
        BackendState s = b.state();
        double nanos = s.averageLatency(now, pool.halfLifeNanos());
        return Double.isNaN(nanos) ? 0 : Math.round(nanos / MILLI);
    }

    private static FullHttpResponse json(HttpResponseStatus status, ObjectNode doc, boolean head) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(doc);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return r;
    }
}

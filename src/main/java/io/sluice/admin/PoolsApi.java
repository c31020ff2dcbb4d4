package io.sluice.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.balance.Backend;
import io.sluice.balance.BackendState;
import io.sluice.balance.Strategies;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RuntimeSnapshot;
import java.io.IOException;

/**
 * The pools part of the admin API: {@code GET /api/pools} (pools, strategies and live backend stats) and
 * {@code PUT /api/pools/{pool}/strategy} (swap a pool's strategy while traffic flows). Stateless;
 * thread-safe.
 */
final class PoolsApi {
    /** An answer: status code and JSON body. */
    record Reply(int status, JsonNode body) {
    }

    private final ObjectMapper json;

    PoolsApi(ObjectMapper json) {
        this.json = json;
    }

    /** Every pool with its strategy and its backends' live stats. */
    ObjectNode list(RuntimeSnapshot snap) {
        ObjectNode root = json.createObjectNode();
        ArrayNode pools = root.putArray("pools");
        long now = System.nanoTime();
        for (PoolRuntime pool : snap.pools()) {
            pools.add(describe(pool, now));
        }
        return root;
    }

    private ObjectNode describe(PoolRuntime pool, long now) {
        ObjectNode p = json.createObjectNode();
        p.put("name", pool.name());
        p.put("strategy", pool.strategy());
        p.put("retries", pool.retriesMade());
        p.put("retries_denied_by_budget", pool.retriesDenied());
        long halfLife = pool.halfLifeNanos();
        ArrayNode backends = p.putArray("backends");
        for (Backend b : pool.backends()) {
            BackendState s = b.state();
            ObjectNode n = backends.addObject();
            n.put("address", b.addressText());
            n.put("weight", b.endpoint().weight());
            n.put("healthy", b.available());
            n.put("circuit_state", s.breaker().state(now).label());
            n.put("in_flight", s.inFlight());
            n.put("requests", s.requests());
            n.put("failures", s.failures());
            putMillis(n, "ewma_latency_ms", s.peakEwma(now, halfLife));
            putMillis(n, "average_latency_ms", s.averageLatency(now, halfLife));
            putMillis(n, "recent_latency_ms", s.recentLatency(now, halfLife));
            n.put("error_rate", Math.round(s.errorRate(now, halfLife) * 1000) / 1000.0);
        }
        return p;
    }

    private static void putMillis(ObjectNode n, String field, double nanos) {
        if (Double.isNaN(nanos)) {
            n.putNull(field);
        } else {
            n.put(field, Math.round(nanos / 1000.0) / 1000.0);
        }
    }

    /** {@code PUT /api/pools/{pool}/strategy} with {@code {"strategy": "name"}}. */
    Reply putStrategy(RuntimeSnapshot snap, String poolName, byte[] body) {
        PoolRuntime pool = snap.pool(poolName);
        if (pool == null) {
            return error(404, "no pool named \"" + poolName + "\"");
        }
        JsonNode name = field(json, body, "strategy");
        if (name == null || !name.isTextual()) {
            return error(400, "the body must be JSON such as {\"strategy\": \"least_ewma\"}");
        }
        String canonical = Strategies.canonical(name.asText()); // "LeastConnections" is least_connections
        if (canonical == null) {
            return error(400, "unknown strategy \"" + name.asText() + "\"; known: "
                    + String.join(", ", Strategies.names()));
        }
        String before = pool.strategy();
        pool.swapStrategy(canonical);
        ObjectNode ok = json.createObjectNode();
        ok.put("pool", pool.name());
        ok.put("strategy", pool.strategy());
        ok.put("previous", before);
        return new Reply(200, ok);
    }

    private Reply error(int status, String message) {
        return error(json, status, message);
    }

    /** An error answer: {@code {"error": message}}. */
    static Reply error(ObjectMapper json, int status, String message) {
        ObjectNode n = json.createObjectNode();
        n.put("error", message);
        return new Reply(status, n);
    }

    /** The named field of a JSON object body, or null when the body is not JSON or lacks it. */
    static JsonNode field(ObjectMapper json, byte[] body, String name) {
        try {
            JsonNode doc = json.readTree(body);
            return doc == null ? null : doc.get(name);
        } catch (IOException e) {
            return null;
        }
    }
}

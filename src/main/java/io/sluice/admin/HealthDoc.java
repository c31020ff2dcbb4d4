package io.sluice.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.balance.Backend;
import io.sluice.balance.BackendState;
import io.sluice.health.ActiveHealth;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RuntimeSnapshot;
import io.sluice.turn.StunListener;
import java.util.List;

/**
 * The {@code /_health} document: every backend with its health, breaker state, weight and requests in
 * flight, per pool the healthy count, panic mode and retry counters, the tcp and udp listeners ({@link L4Doc})
 * and the stun and turn listeners ({@link TurnApi#listeners}). Stateless; thread-safe.
 */
final class HealthDoc {
    private HealthDoc() {
    }

    /** True when every pool has at least one backend taking requests: what readiness asks. */
    static boolean everyPoolUp(RuntimeSnapshot snap) {
        return everyPoolUp(snap.pools());
    }

    /** True when each of these pools has at least one backend taking requests. */
    static boolean everyPoolUp(Iterable<PoolRuntime> pools) {
        for (PoolRuntime pool : pools) {
            if (pool.healthyCount() == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param metrics the registry behind {@code /metrics}, where the L4 listeners' live figures are read
     * @param stun    every stun and turn listener now
     */
    static ObjectNode build(ObjectMapper json, RuntimeSnapshot snap, long nowNanos, PrometheusRegistry metrics,
                            List<StunListener> stun) {
        return build(json, snap, snap.pools(), null, nowNanos, metrics, stun);
    }

    /**
     * The document for some pools only.
     *
     * @param listener the listener whose filters' counters are shown; null for every listener's
     * @param metrics  where the L4 listeners' live figures are read; null to show none ({@code []})
     * @param stun     the stun and turn listeners to show; null to show none ({@code []})
     */
    static ObjectNode build(ObjectMapper json, RuntimeSnapshot snap, Iterable<PoolRuntime> poolList, String listener,
                            long nowNanos, PrometheusRegistry metrics, List<StunListener> stun) {
        ObjectNode root = json.createObjectNode();
        ArrayNode backends = json.createArrayNode();
        ArrayNode pools = json.createArrayNode();
        int healthy = 0;
        int total = 0;
        for (PoolRuntime pool : poolList) {
            int poolHealthy = 0;
            boolean checked = pool.config().healthCheck() != null;
            for (Backend b : pool.backends()) {
                BackendState s = b.state();
                ObjectNode n = backends.addObject();
                n.put("pool", pool.name());
                n.put("address", b.addressText());
                n.put("url", StatusDocs.url(pool, b));
                n.put("healthy", b.available());
                n.put("circuit_state", s.breaker().state(nowNanos).label());
                n.put("weight", b.endpoint().weight());
                n.put("active_connections", s.inFlight());
                ArrayNode why = n.putArray("down_reasons");
                int bits = s.healthBits();
                if ((bits & BackendState.FAILED_ACTIVE_CHECK) != 0) {
                    why.add("health_check");
                }
                if ((bits & BackendState.BREAKER_OPEN) != 0) {
                    why.add("circuit_breaker");
                }
                if ((bits & BackendState.ADMIN_DRAINED) != 0) {
                    why.add("drained");
                }
                if (checked) {
                    ActiveHealth h = s.activeHealth();
                    ObjectNode c = n.putObject("health_check");
                    c.put("up", h.healthy());
                    c.put("passed", h.passed());
                    c.put("failed", h.failed());
                    c.put("transitions", h.transitions());
                    c.put("last_failure", h.lastFailure());
                } else {
                    n.putNull("health_check");
                }
                n.put("breaker_opened", s.breaker().timesOpened());
                total++;
                if (b.available()) {
                    healthy++;
                    poolHealthy++;
                }
            }
            ObjectNode p = pools.addObject();
            p.put("name", pool.name());
            p.put("healthy_count", poolHealthy);
            p.put("total_count", pool.backends().size());
            p.put("panic", pool.panic());
            p.put("retries", pool.retriesMade());
            p.put("retries_denied_by_budget", pool.retriesDenied());
            p.put("fallback_pool", pool.fallbackPool());
        }
        root.put("healthy", healthy > 0);
        root.set("backends", backends);
        root.set("pools", pools);
        root.put("healthy_count", healthy);
        root.put("total_count", total);
        root.set("l4_listeners", metrics == null ? json.createArrayNode() : L4Doc.listeners(json, snap, metrics));
        root.set("stun_listeners", stun == null ? json.createArrayNode() : TurnApi.listeners(json, stun));
        com.fasterxml.jackson.databind.node.ArrayNode filters = root.putArray("filters");
        for (io.sluice.filter.FilterCounter c : snap.filterMetrics().counters()) {
            if (listener != null && !listener.equals(c.listener())) {
                continue;
            }
            ObjectNode f = filters.addObject();
            f.put("listener", c.listener());
            if (c.route() >= 0) {
                f.put("route", c.route());
            }
            f.put("filter", c.filter());
            f.put("counter", c.name());
            f.put("value", c.get());
        }
        return root;
    }
}

package io.sluice.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.balance.Backend;
import io.sluice.balance.BackendState;
import io.sluice.config.ListenerConfig;
import io.sluice.config.MatchConfig;
import io.sluice.config.RouteConfig;
import java.util.List;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RouteRuntime;
import io.sluice.runtime.Router;
import io.sluice.runtime.RuntimeSnapshot;

/**
 * Operator actions on single backends — drain, undrain, weight — and the listener/route layout for the
 * dashboard. Drained backends finish their requests in flight and get nothing new; a weight change
 * rebuilds the pool's picker and is published in one write; neither drops a request. Changes last until the
 * process restarts. Stateless; thread-safe.
 */
final class BackendsApi {
    private final ObjectMapper json;

    BackendsApi(ObjectMapper json) {
        this.json = json;
    }

    /** {@code POST .../drain} ({@code on}) or {@code .../undrain}. */
    PoolsApi.Reply drain(RuntimeSnapshot snap, String poolName, String address, boolean on) {
        PoolRuntime pool = snap.pool(poolName);
        if (pool == null) {
            return error(404, "no pool named \"" + poolName + "\"");
        }
        Backend b = pool.backend(address);
        if (b == null) {
            return error(404, "pool " + poolName + " has no backend " + address);
        }
        b.state().setHealthBit(BackendState.ADMIN_DRAINED, on);
        return describe(pool, b);
    }

    /** {@code PUT .../weight} with {@code {"weight": N}}, N from 1 to 1000. */
    PoolsApi.Reply weight(RuntimeSnapshot snap, String poolName, String address, byte[] body) {
        PoolRuntime pool = snap.pool(poolName);
        if (pool == null) {
            return error(404, "no pool named \"" + poolName + "\"");
        }
        JsonNode w = PoolsApi.field(json, body, "weight");
        if (w == null || !w.canConvertToInt() || !w.isIntegralNumber() || w.asInt() < 1 || w.asInt() > 1000) {
            return error(400, "the body must be JSON such as {\"weight\": 3}, with a weight from 1 to 1000");
        }
        if (!pool.setWeight(address, w.asInt())) {
            return error(404, "pool " + poolName + " has no backend " + address);
        }
        return describe(pool, pool.backend(address));
    }

    private PoolsApi.Reply describe(PoolRuntime pool, Backend b) {
        ObjectNode o = json.createObjectNode();
        o.put("pool", pool.name());
        o.put("address", b.addressText());
        o.put("weight", b.weight());
        o.put("drained", !b.state().notDrained());
        o.put("healthy", b.available());
        o.put("in_flight", b.state().inFlight());
        return new PoolsApi.Reply(200, o);
    }

    /**
     * {@code GET /api/listeners}: each listener with its routes in order; a tcp or udp listener's routes match
     * on protocol, sni, alpn and prefix and go to a pool or a listener, and it has a {@code fallback} (or null).
     */
    ObjectNode listeners(RuntimeSnapshot snap) {
        ObjectNode root = json.createObjectNode();
        ArrayNode list = root.putArray("listeners");
        for (ListenerConfig l : snap.config().listeners()) {
            ObjectNode o = list.addObject();
            o.put("name", l.name());
            o.put("bind", l.bind().toString());
            o.put("protocol", l.protocol());
            if (l.layer4()) {
                L4Doc.routes(o, l);
                continue;
            }
            if (l.stunServer()) {
                continue; // no routes: it answers STUN itself
            }
            ArrayNode routes = o.putArray("routes");
            Router router = snap.router(l.name());
            List<RouteRuntime> live = router == null ? List.of() : router.routes();
            int i = 0;
            for (RouteConfig r : l.routes()) {
                ObjectNode ro = routes.addObject();
                ro.put("index", i++);
                MatchConfig m = r.match();
                ObjectNode mo = ro.putObject("match");
                mo.put("host", m.host());
                mo.put("path_prefix", m.pathPrefix());
                mo.put("path", m.path());
                ArrayNode methods = mo.putArray("methods");
                m.methods().forEach(methods::add);
                ObjectNode headers = mo.putObject("headers");
                m.headers().forEach(headers::put);
                ro.put("pool", r.pool());
                ArrayNode filters = ro.putArray("filters");
                l.policy().filters().forEach(f -> filters.add(f.name()));
                r.filters().forEach(f -> filters.add(f.name()));
                if (live.size() >= i && live.get(i - 1).split() != null) {
                    ro.set("split", SplitApi.describe(json, live.get(i - 1).split()));
                }
            }
        }
        return root;
    }

    private PoolsApi.Reply error(int status, String message) {
        return PoolsApi.error(json, status, message);
    }
}

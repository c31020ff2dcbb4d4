package io.sluice.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.runtime.RouteRuntime;
import io.sluice.runtime.Router;
import io.sluice.runtime.RuntimeSnapshot;
import io.sluice.runtime.TrafficSplit;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A route's traffic split in the admin API: {@code GET /api/listeners/{listener}/routes/{index}/split} shows
 * the weights in force, {@code PUT} with {@code {"v2": 50, "v1": 50}} changes the named pools' weights at once
 * (the others keep theirs). A change applies to the next request and lasts until the configuration is
 * reloaded or the process restarts. Stateless; thread-safe.
 */
final class SplitApi {
    static final String PREFIX = "/api/listeners/";
    private static final String ROUTES = "/routes/";
    private static final String SPLIT = "/split";

    private final ObjectMapper json;

    SplitApi(ObjectMapper json) {
        this.json = json;
    }

    /** True for a path this API answers. */
    static boolean handles(String path) {
        return path.startsWith(PREFIX) && path.endsWith(SPLIT) && path.contains(ROUTES);
    }

    /** {@code GET} ({@code body} null) or {@code PUT} of one route's split; {@code path} passed {@link #handles}. */
    PoolsApi.Reply call(RuntimeSnapshot snap, String path, byte[] body) {
        String rest = path.substring(PREFIX.length(), path.length() - SPLIT.length());
        int r = rest.lastIndexOf(ROUTES);
        String listener = rest.substring(0, r);
        Router router = snap.router(listener);
        if (router == null) {
            return PoolsApi.error(json, 404, "no http listener named \"" + listener + "\"");
        }
        List<RouteRuntime> routes = router.routes();
        int index;
        try {
            index = Integer.parseInt(rest.substring(r + ROUTES.length()));
        } catch (NumberFormatException e) {
            index = -1;
        }
        if (index < 0 || index >= routes.size()) {
            return PoolsApi.error(json, 404, "listener " + listener + " has routes 0 to " + (routes.size() - 1));
        }
        TrafficSplit split = routes.get(index).split();
        if (split == null) {
            return PoolsApi.error(json, 404, "route " + index + " of " + listener + " has no split");
        }
        if (body != null) {
            Map<String, Integer> change = weights(body);
            if (change == null) {
                return PoolsApi.error(json, 400, "the body must be a JSON object of pool names and whole weights"
                        + " from 0 to " + TrafficSplit.MAX_WEIGHT + ", such as {\"v2\": 50, \"v1\": 50}");
            }
            String why = split.setWeights(change);
            if (why != null) {
                return PoolsApi.error(json, 400, why);
            }
        }
        ObjectNode o = json.createObjectNode();
        o.put("listener", listener);
        o.put("route", index);
        o.set("split", describe(json, split));
        return new PoolsApi.Reply(200, o);
    }

    private Map<String, Integer> weights(byte[] body) {
        JsonNode doc;
        try {
            doc = json.readTree(body);
        } catch (IOException e) {
            return null;
        }
        if (doc == null || !doc.isObject() || doc.isEmpty()) {
            return null;
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                return null;
            }
            out.put(e.getKey(), v.asInt());
        }
        return out;
    }

    /** The split's pools with the weights in force: {@code [ {"pool": "v2", "weight": 5}, ... ]}. */
    static ArrayNode describe(ObjectMapper json, TrafficSplit split) {
        ArrayNode a = json.createArrayNode();
        int[] w = split.weights();
        for (int i = 0; i < w.length; i++) {
            ObjectNode p = a.addObject();
            p.put("pool", split.pools().get(i).name());
            p.put("weight", w[i]);
        }
        return a;
    }
}

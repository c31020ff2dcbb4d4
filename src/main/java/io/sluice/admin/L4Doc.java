package io.sluice.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.sluice.config.L4MatchConfig;
import io.sluice.config.L4RouteConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.observe.L4Metrics;
import io.sluice.runtime.RuntimeSnapshot;
import java.util.HashMap;
import java.util.Map;

/**
 * The tcp and udp listeners in the admin documents: their routes (what each matches — protocol, server names,
 * ALPN, first bytes — and the pool or listener it goes to, then the fallback) for {@code /api/listeners}, and
 * with live figures (open connections or sessions, how many ended, routing results) for {@code /_health}.
 *
 * <p>The live figures are read from the Prometheus registry the admin is given, the same numbers a scraper of
 * {@code /metrics} sees, asking it for the {@code sluice_l4_} families only; with no tcp or udp listener the
 * registry is not asked at all. Stateless; thread-safe.
 */
final class L4Doc {
    private L4Doc() {
    }

    /** The {@code l4_listeners} array of {@code /_health}. */
    static ArrayNode listeners(ObjectMapper json, RuntimeSnapshot snap, PrometheusRegistry metrics) {
        ArrayNode list = json.createArrayNode();
        Live live = null;
        for (ListenerConfig lc : snap.config().listeners()) {
            if (!lc.layer4()) {
                continue;
            }
            if (live == null) {
                live = new Live(metrics.scrape(name -> name.startsWith(L4Metrics.PREFIX)));
            }
            ObjectNode o = list.addObject();
            o.put("name", lc.name());
            o.put("kind", lc.protocol());
            o.put("bind", lc.bind().toString());
            putLong(o, "open", live.value(lc.udp() ? L4Metrics.OPEN_SESSIONS : L4Metrics.OPEN_CONNECTIONS, lc.name()));
            putLong(o, "total", live.value(lc.udp() ? L4Metrics.SESSIONS : L4Metrics.CONNECTIONS, lc.name()));
            routes(o, lc);
            ObjectNode routed = o.putObject("routed");
            for (String result : L4Metrics.routed(snap.l4Router(lc.name()), null).keySet()) {
                routed.put(result, 0);
            }
            live.routed(lc.name()).forEach(routed::put);
        }
        return list;
    }

    /** Adds {@code routes} (in order) and {@code fallback} (or null) of an L4 listener to its JSON object. */
    static void routes(ObjectNode listener, ListenerConfig lc) {
        ArrayNode routes = listener.putArray("routes");
        int i = 0;
        for (L4RouteConfig r : lc.l4().routes()) {
            ObjectNode ro = routes.addObject();
            ro.put("index", i++);
            match(ro.putObject("match"), r.match());
            target(ro, r);
        }
        L4RouteConfig fb = lc.l4().fallback();
        if (fb == null) {
            listener.putNull("fallback");
        } else {
            target(listener.putObject("fallback"), fb);
        }
    }

    private static void match(ObjectNode m, L4MatchConfig c) {
        m.put("protocol", c.protocol());
        ArrayNode sni = m.putArray("sni");
        c.sni().forEach(sni::add);
        ArrayNode alpn = m.putArray("alpn");
        c.alpn().forEach(alpn::add);
        byte[] prefix = c.prefix();
        m.put("prefix", prefix == null ? null : printable(prefix));
    }

    private static void target(ObjectNode o, L4RouteConfig r) {
        o.put("pool", r.pool());
        o.put("listener", r.listener());
    }

    /** Bytes as text: printable ASCII as it is, anything else (and backslash) as {@code \xHH}. */
    static String printable(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append("\\x").append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    private static void putLong(ObjectNode o, String field, Long value) {
        if (value == null) {
            o.putNull(field);
        } else {
            o.put(field, value.longValue());
        }
    }

    /** The L4 families of one scrape, by name, with look-ups by listener. */
    private static final class Live {
        private final Map<String, MetricSnapshot> families = new HashMap<>();

        Live(MetricSnapshots snapshots) {
            for (MetricSnapshot s : snapshots) {
                families.put(s.getMetadata().getPrometheusName(), s);
            }
        }

        /** The value of the family's series for this listener, or null when there is none. */
        Long value(String family, String listener) {
            MetricSnapshot s = families.get(family);
            if (s == null) {
                return null;
            }
            for (DataPointSnapshot p : s.getDataPoints()) {
                if (listener.equals(p.getLabels().get("listener"))) {
                    return (long) number(p);
                }
            }
            return null;
        }

        /** The listener's routing results and their counts. */
        Map<String, Long> routed(String listener) {
            Map<String, Long> out = new HashMap<>();
            MetricSnapshot s = families.get(L4Metrics.ROUTED);
            if (s != null) {
                for (DataPointSnapshot p : s.getDataPoints()) {
                    if (listener.equals(p.getLabels().get("listener"))) {
                        out.put(p.getLabels().get("result"), (long) number(p));
                    }
                }
            }
            return out;
        }

        private static double number(DataPointSnapshot p) {
            if (p instanceof CounterSnapshot.CounterDataPointSnapshot c) {
                return c.getValue();
            }
            return p instanceof GaugeSnapshot.GaugeDataPointSnapshot g ? g.getValue() : 0;
        }
    }
}

package io.sluice.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Formats what {@code sluice status} prints: a table of pools, the tcp and udp listeners with their routes, the
 * stun and turn listeners with their counters, and a table of backends, from the admin documents {@code /_health}
 * (required), {@code /_metrics} and {@code /_metrics/history} (either may be null, as from a server that predates
 * them). Any field may be missing; it is shown as {@code -}. Req/s and error rates are the average of the last few history slots, leaving out the
 * newest, which may still be filling; p99 is from {@code /_metrics}. {@link #report(AdminContext)} builds the
 * same text in-process, without an admin listener. Stateless; thread-safe.
 */
public final class StatusTable {
    /** How many history slots "now" averages (seconds, at the 1 s resolution of a short window). */
    static final int RECENT_SLOTS = 5;
    private static final String NONE = "-";
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusTable() {
    }

    /** Req/s and request-weighted error rate over the recent slots of one history series. */
    record Recent(double rps, double errorRate) {
    }

    /**
     * The report for a running proxy, from the documents its admin API would serve (a one-minute history),
     * built in-process.
     */
    public static String report(AdminContext c) {
        JsonNode health = HealthDoc.build(JSON, c.snapshot().get(), c.clock().getAsLong(), c.metrics(),
                c.stun().get());
        MetricsApi api = new MetricsApi(JSON, c);
        return render(health, api.summary(), api.history("1m"));
    }

    /** The report from the three admin documents; {@code metrics} and {@code history} may be null. */
    public static String render(JsonNode health, JsonNode metrics, JsonNode history) {
        Map<String, JsonNode> poolSeries = new HashMap<>();
        Map<String, JsonNode> backendSeries = new HashMap<>();
        if (history != null) {
            for (JsonNode s : history.path("series")) {
                String kind = s.path("kind").asText("");
                if (kind.equals("pool")) {
                    poolSeries.put(s.path("pool").asText(), s);
                } else if (kind.equals("backend")) {
                    backendSeries.put(s.path("pool").asText() + "/" + s.path("backend").asText(), s);
                }
            }
        }
        Map<String, JsonNode> backendMetrics = new HashMap<>();
        if (metrics != null) {
            for (JsonNode m : metrics.path("backends")) {
                backendMetrics.put(m.path("pool").asText() + "/" + m.path("address").asText(), m);
            }
        }

        StringBuilder out = new StringBuilder();
        Table pools = new Table("POOL", "HEALTHY", ">REQ/S", ">ERRORS", "NOTES");
        for (JsonNode p : health.path("pools")) {
            String name = p.path("name").asText(NONE);
            Recent r = recent(poolSeries.get(name));
            List<String> notes = new ArrayList<>();
            if (p.path("panic").asBoolean(false)) {
                notes.add("PANIC (routing to all backends)");
            }
            if (p.path("retries").isNumber()) {
                String denied = p.path("retries_denied_by_budget").asLong(0) > 0
                        ? " (" + p.path("retries_denied_by_budget").asLong() + " denied by budget)" : "";
                notes.add("retries " + p.path("retries").asLong() + denied);
            }
            if (p.path("fallback_pool").isTextual()) {
                notes.add("fallback " + p.path("fallback_pool").asText());
            }
            pools.row(name, count(p.path("healthy_count")) + "/" + count(p.path("total_count")),
                    r == null ? NONE : rps(r.rps()), r == null ? NONE : percent(r.errorRate()), String.join(", ", notes));
        }
        if (pools.size() > 0) {
            pools.appendTo(out);
            out.append('\n');
        }
        l4(out, health);
        stun(out, health);

        Table backends = new Table("POOL", "BACKEND", "HEALTH", "BREAKER", ">WEIGHT", ">IN-FLIGHT", ">REQ/S",
                ">ERRORS", ">P99");
        for (JsonNode b : health.path("backends")) {
            String key = b.path("pool").asText(NONE) + "/" + b.path("address").asText(NONE);
            Recent r = recent(backendSeries.get(key));
            JsonNode m = backendMetrics.get(key);
            backends.row(b.path("pool").asText(NONE), b.path("address").asText(NONE), health(b),
                    b.path("circuit_state").asText(NONE), count(b.path("weight")), count(b.path("active_connections")),
                    r == null ? NONE : rps(r.rps()), r == null ? NONE : percent(r.errorRate()),
                    m == null ? NONE : millis(m.path("p99_ms")));
        }
        if (backends.size() == 0) {
            out.append("no backends\n");
        } else {
            backends.appendTo(out);
        }
        out.append('\n').append(count(health.path("healthy_count"))).append(" of ")
                .append(count(health.path("total_count"))).append(" backends healthy");
        if (metrics != null && metrics.path("total_requests").isNumber()) {
            out.append("; ").append(metrics.path("total_requests").asLong()).append(" requests since start");
            if (metrics.path("success_rate").isNumber()) {
                out.append(", ").append(String.format(Locale.ROOT, "%.2f%%", metrics.path("success_rate").asDouble() * 100))
                        .append(" succeeded");
            }
        }
        out.append('\n');
        if (metrics == null && history == null) {
            out.append("(this server has no /_metrics or /_metrics/history: req/s, errors and p99 are not shown)\n");
        } else if (metrics == null) {
            out.append("(this server has no /_metrics: p99 is not shown)\n");
        } else if (history == null) {
            out.append("(this server has no /_metrics/history: req/s and errors are not shown)\n");
        }
        return out.toString();
    }

    /**
     * The tcp and udp listeners: one row each with open connections (sessions), how many ended and the routing
     * results seen, then one row per route with what it matches and where it goes (a pool with its healthy
     * count, or a listener), the fallback last.
     */
    private static void l4(StringBuilder out, JsonNode health) {
        Map<String, JsonNode> poolHealth = new HashMap<>();
        for (JsonNode p : health.path("pools")) {
            poolHealth.put(p.path("name").asText(), p);
        }
        Table listeners = new Table("LISTENER", "KIND", "BIND", ">OPEN", ">TOTAL", "ROUTED");
        Table routes = new Table("LISTENER", "ROUTE", "MATCH", "TO");
        for (JsonNode l : health.path("l4_listeners")) {
            String name = l.path("name").asText(NONE);
            List<String> routed = new ArrayList<>();
            l.path("routed").fields().forEachRemaining(e -> {
                if (e.getValue().asLong(0) > 0) {
                    routed.add(e.getKey() + " " + e.getValue().asLong());
                }
            });
            listeners.row(name, l.path("kind").asText(NONE), l.path("bind").asText(NONE), count(l.path("open")),
                    count(l.path("total")), routed.isEmpty() ? NONE : String.join(", ", routed));
            for (JsonNode r : l.path("routes")) {
                routes.row(name, count(r.path("index")), l4Match(r.path("match")), target(r, poolHealth));
            }
            if (l.path("fallback").isObject()) {
                routes.row(name, "fallback", "anything else", target(l.path("fallback"), poolHealth));
            }
        }
        if (listeners.size() > 0) {
            listeners.appendTo(out);
            out.append('\n');
            routes.appendTo(out);
            out.append('\n');
        }
    }

    /**
     * The stun and turn listeners: one row each with the STUN requests answered, errors sent and malformed messages,
     * and for a turn listener the allocations, permissions and channels alive now, the packets and bytes relayed to
     * and from peers, and failed authentications ({@code -} on a stun listener).
     */
    private static void stun(StringBuilder out, JsonNode health) {
        Table listeners = new Table("LISTENER", "KIND", "BIND", ">BINDINGS", ">ERRORS", ">MALFORMED", ">ALLOCATIONS",
                ">PERMISSIONS", ">CHANNELS", ">TO PEERS", ">FROM PEERS", ">AUTH FAILURES");
        for (JsonNode l : health.path("stun_listeners")) {
            List<String> transports = new ArrayList<>();
            l.path("transports").forEach(t -> transports.add(t.asText()));
            String kind = l.path("kind").asText(NONE)
                    + (transports.isEmpty() ? "" : " (" + String.join(", ", transports) + ")");
            JsonNode t = l.path("turn");
            boolean turn = t.isObject();
            listeners.row(l.path("name").asText(NONE), kind, l.path("bind").asText(NONE), count(l.path("bindings")),
                    count(l.path("errors")), count(l.path("malformed")),
                    turn ? count(t.path("allocations")) : NONE, turn ? count(t.path("permissions")) : NONE,
                    turn ? count(t.path("channels")) : NONE,
                    turn ? relayed(t.path("packets_to_peers"), t.path("bytes_to_peers")) : NONE,
                    turn ? relayed(t.path("packets_from_peers"), t.path("bytes_from_peers")) : NONE,
                    turn ? count(t.path("auth_failures")) : NONE);
        }
        if (listeners.size() > 0) {
            listeners.appendTo(out);
            out.append('\n');
        }
    }

    /** Packets and bytes relayed one way, e.g. {@code 3 pkts, 1.5 KiB}. */
    private static String relayed(JsonNode packets, JsonNode bytes) {
        return count(packets) + " pkts, " + (bytes.isNumber() ? bytes(bytes.asLong()) : NONE);
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int i = -1;
        do {
            v /= 1024;
            i++;
        } while (v >= 1024 && i < units.length - 1);
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    private static String l4Match(JsonNode m) {
        List<String> parts = new ArrayList<>();
        if (m.path("protocol").isTextual()) {
            parts.add(m.path("protocol").asText());
        }
        for (String key : new String[] {"sni", "alpn"}) {
            List<String> values = new ArrayList<>();
            m.path(key).forEach(v -> values.add(v.asText()));
            if (!values.isEmpty()) {
                parts.add(key + " " + String.join("|", values));
            }
        }
        if (m.path("prefix").isTextual()) {
            parts.add("prefix \"" + m.path("prefix").asText() + "\"");
        }
        return parts.isEmpty() ? "any" : String.join(", ", parts);
    }

    private static String target(JsonNode r, Map<String, JsonNode> poolHealth) {
        if (r.path("listener").isTextual()) {
            return "listener " + r.path("listener").asText();
        }
        String pool = r.path("pool").asText(NONE);
        JsonNode p = poolHealth.get(pool);
        return p == null ? "pool " + pool
                : "pool " + pool + " (" + count(p.path("healthy_count")) + "/" + count(p.path("total_count")) + " up)";
    }

    /** The recent figures of one history series, or null when there is none or it is empty. */
    static Recent recent(JsonNode series) {
        if (series == null) {
            return null;
        }
        JsonNode t = series.path("t");
        int n = t.size();
        if (n == 0) {
            return null;
        }
        int end = n > 1 ? n - 1 : 1;
        int start = Math.max(0, end - RECENT_SLOTS);
        double sum = 0;
        double failed = 0;
        for (int i = start; i < end; i++) {
            double rps = series.path("rps").path(i).asDouble(0);
            sum += rps;
            failed += rps * series.path("error_rate").path(i).asDouble(0);
        }
        return new Recent(sum / (end - start), sum > 0 ? failed / sum : 0);
    }

    private static String health(JsonNode b) {
        if (!b.has("healthy")) {
            return NONE;
        }
        if (b.path("healthy").asBoolean()) {
            return "up";
        }
        List<String> why = new ArrayList<>();
        for (JsonNode r : b.path("down_reasons")) {
            why.add(r.asText());
        }
        return why.isEmpty() ? "DOWN" : "DOWN (" + String.join(", ", why) + ")";
    }

    private static String count(JsonNode n) {
        return n.isNumber() ? Long.toString(n.asLong()) : NONE;
    }

    static String rps(double v) {
        return String.format(Locale.ROOT, v < 100 ? "%.1f" : "%.0f", v);
    }

    static String percent(double v) {
        if (v == 0) {
            return "0%";
        }
        return String.format(Locale.ROOT, v < 0.1 ? "%.2f%%" : "%.1f%%", v * 100);
    }

    static String millis(JsonNode n) {
        if (!n.isNumber()) {
            return NONE;
        }
        double v = n.asDouble();
        return String.format(Locale.ROOT, v < 10 ? "%.1f ms" : v < 1000 ? "%.0f ms" : "%.2f s", v < 1000 ? v : v / 1000);
    }

    /** Left-aligned columns, or right-aligned when the header starts with {@code >}; two spaces apart. */
    private static final class Table {
        private final String[] header;
        private final boolean[] right;
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            this.header = new String[header.length];
            this.right = new boolean[header.length];
            for (int i = 0; i < header.length; i++) {
                right[i] = header[i].startsWith(">");
                this.header[i] = right[i] ? header[i].substring(1) : header[i];
            }
        }

        void row(String... cells) {
            rows.add(cells);
        }

        int size() {
            return rows.size();
        }

        void appendTo(StringBuilder out) {
            int[] width = new int[header.length];
            for (int i = 0; i < header.length; i++) {
                width[i] = header[i].length();
                for (String[] r : rows) {
                    width[i] = Math.max(width[i], r[i].length());
                }
            }
            line(out, header, width);
            for (String[] r : rows) {
                line(out, r, width);
            }
        }

        private void line(StringBuilder out, String[] cells, int[] width) {
            StringBuilder l = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                if (i > 0) {
                    l.append("  ");
                }
                String pad = " ".repeat(width[i] - cells[i].length());
                l.append(right[i] ? pad + cells[i] : cells[i] + (i == cells.length - 1 ? "" : pad));
            }
            out.append(l.toString().stripTrailing()).append('\n');
        }
    }
}

package io.sluice.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.sluice.balance.Backend;
import io.sluice.config.Durations;
import io.sluice.observe.History;
import io.sluice.observe.HistorySeries;
import io.sluice.observe.LatencyHistogram;
import io.sluice.observe.StatusCounts;
import io.sluice.runtime.PoolRuntime;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;

/**
 * The metrics part of the admin API: {@code /metrics} (Prometheus text, or OpenMetrics when the scraper
 * asks for it), {@code /_metrics} (JSON totals and per-backend percentiles) and {@code /_metrics/history}.
 * Stateless apart from the context; thread-safe.
 */
final class MetricsApi {
    /** A rendered answer: body and content type. */
    record Body(byte[] bytes, String contentType) {
    }

    private final ObjectMapper json;
    private final AdminContext context;
    private final ExpositionFormatWriter text = PrometheusTextFormatWriter.create();
    private final ExpositionFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();

    MetricsApi(ObjectMapper json, AdminContext context) {
        this.json = json;
        this.context = context;
    }

    /** {@code GET /metrics}: the Prometheus text format, OpenMetrics when {@code accept} asks for it. */
    Body prometheus(String accept) throws IOException {
        ExpositionFormatWriter w = accept != null && openMetrics.accepts(accept) ? openMetrics : text;
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        w.write(out, context.metrics().scrape());
        return new Body(out.toByteArray(), w.getContentType());
    }

    /** {@code GET /_metrics}: totals, success rate, and per backend its counts and latency percentiles. */
    ObjectNode summary() {
        return summary(json, context.snapshot().get().pools());
    }

    /** {@link #summary()} over these pools only. */
    static ObjectNode summary(ObjectMapper json, Iterable<PoolRuntime> pools) {
        ObjectNode root = json.createObjectNode();
        long total = 0;
        long failed = 0;
        for (PoolRuntime p : pools) {
            total += p.requests().total();
            failed += p.requests().failures();
        }
        root.put("total_requests", total);
        root.put("total_failures", failed);
        root.put("success_rate", rate(total, failed));
        ArrayNode backends = root.putArray("backends");
        for (PoolRuntime p : pools) {
            for (Backend b : p.backends()) {
                StatusCounts a = b.state().attempts();
                long n = a.total();
                long f = a.failures();
                long[] buckets = a.latency().counts();
                ObjectNode o = backends.addObject();
                o.put("pool", p.name());
                o.put("url", StatusDocs.url(p, b));
                o.put("address", b.addressText());
                o.put("total_requests", n);
                o.put("failed_requests", f);
                o.put("success_rate", rate(n, f));
                o.put("active_connections", b.state().inFlight());
                putMillis(o, "p50_ms", LatencyHistogram.quantileMillis(buckets, 0.50));
                putMillis(o, "p90_ms", LatencyHistogram.quantileMillis(buckets, 0.90));
                putMillis(o, "p99_ms", LatencyHistogram.quantileMillis(buckets, 0.99));
            }
        }
        return root;
    }

    /**
     * {@code GET /_metrics/history?window=15m}: aligned arrays per pool and backend, oldest first; 1 s
     * resolution up to 15 minutes, 1 min beyond (up to 24 h).
     *
     * @throws IllegalArgumentException for a window that is not a duration from 1s to 24h
     */
    ObjectNode history(String windowText) {
        Duration window = windowText == null ? Duration.ofMinutes(15) : Durations.parse(windowText);
        if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("window must be from 1s to 24h, e.g. 15m");
        }
        boolean perMinute = window.compareTo(Duration.ofMinutes(15)) > 0;
        int resolution = perMinute ? 60 : 1;
        int count = (int) Math.max(1, window.toSeconds() / resolution);
        ObjectNode root = json.createObjectNode();
        root.put("resolution_seconds", resolution);
        root.put("window_seconds", window.toSeconds());
        ArrayNode series = root.putArray("series");
        History history = context.history();
        for (HistorySeries s : history.series()) {
            HistorySeries.Samples x = s.last(count, perMinute);
            ObjectNode o = series.addObject();
            o.put("kind", s.kind());
            o.put("pool", s.pool());
            o.put("backend", s.backend());
            ArrayNode t = o.putArray("t");
            ArrayNode rps = o.putArray("rps");
            ArrayNode err = o.putArray("error_rate");
            ArrayNode p50 = o.putArray("p50_ms");
            ArrayNode p99 = o.putArray("p99_ms");
            ArrayNode flight = o.putArray("in_flight");
            for (int i = 0; i < x.timeMillis().length; i++) {
                t.add(x.timeMillis()[i]);
                rps.add(round(x.rps()[i]));
                err.add(round(x.errorRate()[i]));
                addMillis(p50, x.p50Millis()[i]);
                addMillis(p99, x.p99Millis()[i]);
                flight.add(x.inFlight()[i]);
            }
        }
        return root;
    }

    private static double rate(long total, long failed) {
        return total == 0 ? 1.0 : round((double) (total - failed) / total);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static void putMillis(ObjectNode o, String field, double ms) {
        if (Double.isNaN(ms)) {
            o.putNull(field);
        } else {
            o.put(field, round(ms));
        }
    }

    private static void addMillis(ArrayNode a, double ms) {
        if (Double.isNaN(ms)) {
            a.addNull();
        } else {
            a.add(round(ms));
        }
    }
}

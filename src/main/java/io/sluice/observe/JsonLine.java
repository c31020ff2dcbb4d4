package io.sluice.observe;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.l4.L4Record;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Formats a {@link RequestLog} as one JSON object on one line, keys in a fixed order: time (ISO-8601, UTC,
 * milliseconds), client, method, path, protocol, status, bytes_in, bytes_out, duration_ms, upstream,
 * upstream_ms, retries, listener, route, pool, trace_id, user_agent, referer, request_id. A missing value is
 * {@code null} (status when the client got none, route when none matched, upstream_ms when no attempt was
 * made). Jackson does the escaping.
 *
 * <p>An L4 connection or session ({@link L4Record}) is a line of its own kind, keys in this order: time (when it
 * began), client, client_port, listener, transport ("tcp" or "udp"), protocol (the detected protocol of the route
 * taken, "fallback", "closed", or null when no route looked at bytes), sni, pool, backend, bytes_in (from the
 * client), bytes_out (to the client), duration_ms, end (how it ended, e.g. client_closed, idle_timeout,
 * connect_failed). It has no method or status, so a reader tells the kinds apart by {@code transport}.
 * Stateless; thread-safe.
 */
final class JsonLine {
    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private JsonLine() {
    }

    static String format(RequestLog r) {
        StringWriter out = new StringWriter(384);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", TIME.format(Instant.ofEpochMilli(r.startMillis())));
            g.writeStringField("client", r.clientIp());
            g.writeStringField("method", r.method());
            g.writeStringField("path", r.uri());
            g.writeStringField("protocol", r.protocol());
            g.writeFieldName("status");
            if (r.status() > 0) {
                g.writeNumber(r.status());
            } else {
                g.writeNull();
            }
            g.writeNumberField("bytes_in", r.bytesIn());
            g.writeNumberField("bytes_out", r.bytesOut());
            g.writeNumberField("duration_ms", millis(r.durationNanos()));
            g.writeStringField("upstream", r.upstream());
            g.writeFieldName("upstream_ms");
            if (r.upstream() == null && r.upstreamNanos() == 0) {
                g.writeNull();
            } else {
                g.writeNumber(millis(r.upstreamNanos()));
            }
            g.writeNumberField("retries", r.retries());
            g.writeStringField("listener", r.listener());
            g.writeFieldName("route");
            if (r.route() >= 0) {
                g.writeNumber(r.route());
            } else {
                g.writeNull();
            }
            g.writeStringField("pool", r.pool());
            g.writeStringField("trace_id", r.traceId());
            g.writeStringField("user_agent", r.userAgent());
            g.writeStringField("referer", r.referer());
            g.writeStringField("request_id", r.requestId());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    static String format(L4Record r, long startMillis) {
        StringWriter out = new StringWriter(320);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", TIME.format(Instant.ofEpochMilli(startMillis)));
            if (r.client() == null) {
                g.writeNullField("client");
                g.writeNullField("client_port");
            } else {
                g.writeStringField("client", r.client().getAddress() == null ? r.client().getHostString()
                        : r.client().getAddress().getHostAddress());
                g.writeNumberField("client_port", r.client().getPort());
            }
            g.writeStringField("listener", r.listener());
            g.writeStringField("transport", r.transport());
            g.writeStringField("protocol", r.protocol());
            g.writeStringField("sni", r.sni());
            g.writeStringField("pool", r.pool());
            g.writeStringField("backend", r.backend());
            g.writeNumberField("bytes_in", r.bytesIn());
            g.writeNumberField("bytes_out", r.bytesOut());
            g.writeNumberField("duration_ms", millis(r.durationNanos()));
            g.writeStringField("end", r.end());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** Nanoseconds as milliseconds with three decimals. */
    private static BigDecimal millis(long nanos) {
        return BigDecimal.valueOf(Math.max(0, nanos) / 1000, 3);
    }
}

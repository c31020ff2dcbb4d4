package io.sluice.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the complete (non-streaming) responses of the demo backend and their JSON bodies. The
 * per-connection headers ({@code X-Served-By}, {@code Connection}) are added by the caller.
 * Stateless; thread-safe.
 */
final class DemoResponses {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APPLICATION_JSON = "application/json";

    /** The header naming the backend on every response. */
    static final String SERVED_BY = "X-Served-By";

    private DemoResponses() {
    }

    /** The answer for endpoints answered in one piece once the request body has been read. */
    static FullHttpResponse simple(DemoRoute route, String server, HttpRequest request) {
        return switch (route.kind()) {
            case HEALTH -> json(HttpResponseStatus.OK, Map.of("status", "ok"));
            case STATUS -> status((int) route.arg());
            case HEADERS -> json(HttpResponseStatus.OK, rawHeaders(request.headers()));
            case BAD -> text(HttpResponseStatus.BAD_REQUEST, "400 Bad Request: " + route.error() + "\n");
            default -> json(HttpResponseStatus.OK, info(server, request));
        };
    }

    /** {@code /delay/{ms}}: the request description plus the delay that was applied. */
    static FullHttpResponse delayed(String server, HttpRequest request, long delayMs) {
        Map<String, Object> body = info(server, request);
        body.put("delayMs", delayMs);
        return json(HttpResponseStatus.OK, body);
    }

    /** {@code /sha256}: size and SHA-256 (lower-case hex) of the request body. */
    static FullHttpResponse digest(long bytes, byte[] sha256) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("bytes", bytes);
        body.put("sha256", HexFormat.of().formatHex(sha256));
        return json(HttpResponseStatus.OK, body);
    }

    /** A 400 for a request the codec could not parse. */
    static FullHttpResponse malformed() {
        return text(HttpResponseStatus.BAD_REQUEST, "400 Bad Request: malformed request\n");
    }

    /** The interim answer to {@code Expect: 100-continue}. */
    static FullHttpResponse continue100(String server) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                Unpooled.EMPTY_BUFFER);
        r.headers().set(SERVED_BY, server);
        return r;
    }

    /** A 417 for an {@code Expect} header other than {@code 100-continue}. */
    static FullHttpResponse expectationFailed() {
        return text(HttpResponseStatus.EXPECTATION_FAILED, "417 Expectation Failed\n");
    }

    /** True for an HTTP/1.1 {@code Expect} header asking for anything but {@code 100-continue}. */
    static boolean unsupportedExpectation(HttpRequest r) {
        String expect = r.headers().get(HttpHeaderNames.EXPECT);
        return expect != null && r.protocolVersion().compareTo(HttpVersion.HTTP_1_1) >= 0
                && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect);
    }

    /**
     * {@code {"server","method","path","headers"}}; header names lower-cased, repeated headers joined
     * with {@code ", "}.
     */
    static Map<String, Object> info(String server, HttpRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : request.headers()) {
            headers.merge(e.getKey().toLowerCase(Locale.ROOT), e.getValue(), (a, b) -> a + ", " + b);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("server", server);
        body.put("method", request.method().name());
        body.put("path", request.uri());
        body.put("headers", headers);
        return body;
    }

    /** Header names exactly as received (case kept, first-seen order), each with its list of values. */
    static Map<String, List<String>> rawHeaders(HttpHeaders headers) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : headers) {
            out.computeIfAbsent(e.getKey(), k -> new ArrayList<>(1)).add(e.getValue());
        }
        return out;
    }

    private static FullHttpResponse status(int code) {
        HttpResponseStatus status = HttpResponseStatus.valueOf(code);
        if (code == 204 || code == 304) {
            // no body and no Content-Length allowed / meaningful
            return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
        }
        if (code == 205) {
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
            r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            return r;
        }
        return text(status, code + " " + status.reasonPhrase() + "\n");
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return full(status, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static FullHttpResponse json(HttpResponseStatus status, Object body) {
        try {
            return full(status, APPLICATION_JSON, JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise demo response", e);
        }
    }

    private static FullHttpResponse full(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return r;
    }
}

package io.sluice.observe;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import java.util.Set;

/**
 * The OpenTelemetry HTTP semantic-convention attribute keys Sluice sets, and the small parsing they need
 * (method, path and query, the Host header). Stateless; thread-safe.
 */
final class HttpAttributes {
    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> METHOD_ORIGINAL = AttributeKey.stringKey("http.request.method_original");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<Long> RESEND_COUNT = AttributeKey.longKey("http.request.resend_count");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");
    static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
    static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
    static final AttributeKey<String> PROTOCOL_VERSION = AttributeKey.stringKey("network.protocol.version");
    static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
    static final AttributeKey<String> LISTENER = AttributeKey.stringKey("sluice.listener");
    /** The request id Sluice passed on ({@code X-Request-Id}). */
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("sluice.request_id");
    static final String REQUEST_ID_HEADER = "x-request-id";
    static final AttributeKey<String> POOL = AttributeKey.stringKey("sluice.pool");
    static final AttributeKey<Long> ROUTE = AttributeKey.longKey("sluice.route");

    /** The methods semantic conventions name; any other is reported as {@code _OTHER}. */
    private static final Set<String> KNOWN_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT",
            "OPTIONS", "TRACE", "PATCH");

    private HttpAttributes() {
    }

    /** The span name for a request: its method, or {@code HTTP} for a method the conventions do not know. */
    static String spanName(HttpRequest req) {
        String m = req.method().name();
        return KNOWN_METHODS.contains(m) ? m : "HTTP";
    }

    /** Sets {@code http.request.method} (and the original when it is not a known method). */
    static void method(Span span, HttpRequest req) {
        String m = req.method().name();
        if (KNOWN_METHODS.contains(m)) {
            span.setAttribute(METHOD, m);
        } else {
            span.setAttribute(METHOD, "_OTHER");
            span.setAttribute(METHOD_ORIGINAL, m);
        }
    }

    /** Sets {@code url.path} and, when there is one, {@code url.query}, from the request target. */
    static void pathAndQuery(Span span, String uri) {
        String target = uri;
        int scheme = target.indexOf("://");
        if (scheme > 0 && !target.startsWith("/")) { // absolute form: drop scheme and authority
            int slash = target.indexOf('/', scheme + 3);
            target = slash < 0 ? "/" : target.substring(slash);
        }
        int q = target.indexOf('?');
        int hash = target.indexOf('#');
        int end = hash < 0 ? target.length() : hash;
        if (q >= 0 && q < end) {
            span.setAttribute(URL_PATH, target.substring(0, q));
            span.setAttribute(URL_QUERY, target.substring(q + 1, end));
        } else {
            span.setAttribute(URL_PATH, target.substring(0, end));
        }
    }

    /** Sets {@code server.address} and {@code server.port} from the Host header (port 80 when it has none). */
    static void host(Span span, HttpHeaders headers) {
        String host = headers.get(HttpHeaderNames.HOST);
        if (host == null || host.isBlank()) {
            return;
        }
        host = host.strip();
        String name = host;
        int port = 80;
        int colon = host.lastIndexOf(':');
        int bracket = host.lastIndexOf(']');
        if (colon > bracket && colon >= 0) {
            name = host.substring(0, colon);
            port = parsePort(host.substring(colon + 1));
        }
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        if (!name.isEmpty()) {
            span.setAttribute(SERVER_ADDRESS, name);
            if (port > 0) {
                span.setAttribute(SERVER_PORT, port);
            }
        }
    }

    /** {@code 1.1} for HTTP/1.1. */
    static String protocolVersion(HttpVersion v) {
        return v.majorVersion() + "." + v.minorVersion();
    }

    /** {@code host:port}, the host bracketed when it is an IPv6 address. */
    static String authority(String host, int port) {
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    private static int parsePort(String s) {
        if (s.isEmpty() || s.length() > 5) {
            return -1;
        }
        int p = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            p = p * 10 + (c - '0');
        }
        return p <= 65535 ? p : -1;
    }
}

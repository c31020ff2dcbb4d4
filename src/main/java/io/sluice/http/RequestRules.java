package io.sluice.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;

/**
 * The rules a decoded request head must pass before it is routed, beyond what the codec already enforces
 * (line syntax and target characters, header name and value characters, Content-Length and
 * Transfer-Encoding framing): one Host, a request target Sluice and the backend will read the same way, no
 * CONNECT, and no transfer coding but chunked. An absolute-form target is turned into origin-form here, its authority becoming the Host (RFC 9112
 * §3.2.2), so routing and the backend see one host. Stateless; thread-safe.
 */
final class RequestRules {
    /** What a 405 for CONNECT says the listener does take. */
    static final String ALLOW = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, TRACE";

    private RequestRules() {
    }

    /**
     * Checks a request head decoded without error, rewriting an absolute-form target to origin-form.
     *
     * @param h2 the request came on an HTTP/2 stream (its Host came from {@code :authority}; its framing is
     *           HTTP/2's, so transfer codings do not apply)
     * @return null when the request may be routed, else the status to answer with before closing the connection
     */
    static HttpResponseStatus check(HttpRequest req, boolean h2) {
        if (HttpMethod.CONNECT.equals(req.method())) {
            return HttpResponseStatus.METHOD_NOT_ALLOWED;
        }
        HttpHeaders h = req.headers();
        if (!h2) {
            if (h.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
                List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
                if (te.size() != 1 || !isChunkedOnly(te.get(0))) {
                    // The codec took the last coding as chunked; any other is one Sluice would have to drop.
                    return HttpResponseStatus.NOT_IMPLEMENTED;
                }
            }
            CharSequence host = h instanceof HeaderBlock b ? b.view(HttpHeaderNames.HOST) : h.get(HttpHeaderNames.HOST);
            if (host != null && (hostCount(h) != 1 || !validHost(host, 0, host.length(), true))) {
                return HttpResponseStatus.BAD_REQUEST; // two Host headers, or one that is no host[:port]
            }
        }
        // The target's characters were checked on the way in (RequestLine on HTTP/1.1, H2RequestGuard on HTTP/2).
        String uri = req.uri();
        if (uri.isEmpty()) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        char first = uri.charAt(0);
        if (first == '/') {
            return null;
        }
        if (uri.equals("*")) {
            return HttpMethod.OPTIONS.equals(req.method()) ? null : HttpResponseStatus.BAD_REQUEST;
        }
        return absoluteForm(req, uri);
    }

    /** How many Host headers {@code h} has; the lean block counts in place, others list them. */
    private static int hostCount(HttpHeaders h) {
        return h instanceof HeaderBlock b ? b.count(HttpHeaderNames.HOST) : h.getAll(HttpHeaderNames.HOST).size();
    }

    /** Rewrites {@code http://authority/path?query} to origin-form with the authority as Host. */
    private static HttpResponseStatus absoluteForm(HttpRequest req, String uri) {
        int start;
        if (uri.regionMatches(true, 0, "http://", 0, 7)) {
            start = 7;
        } else if (uri.regionMatches(true, 0, "https://", 0, 8)) {
            start = 8;
        } else {
            return HttpResponseStatus.BAD_REQUEST; // neither origin-form nor an http(s) absolute URI
        }
        int end = start;
        while (end < uri.length()) {
            char c = uri.charAt(end);
            if (c == '/' || c == '?' || c == '#') {
                break;
            }
            end++;
        }
        if (end == start || !validHost(uri, start, end, false)) {
            return HttpResponseStatus.BAD_REQUEST; // no authority, or one with user info or odd characters
        }
        String authority = uri.substring(start, end);
        String rest = uri.substring(end);
        if (rest.isEmpty() || rest.charAt(0) != '/') {
            rest = "/" + rest;
        }
        req.headers().set(HttpHeaderNames.HOST, authority);
        req.setUri(rest);
        return null;
    }

    /** True when the value lists exactly one coding, chunked. */
    private static boolean isChunkedOnly(String value) {
        return value.strip().equalsIgnoreCase("chunked");
    }

    /**
     * Whether {@code s[start, end)} is a host with an optional port: reg-name, IPv4 or a bracketed IP literal
     * (RFC 3986 characters; no user info, path or spaces). An empty Host header is allowed (RFC 9112 §3.2);
     * an empty authority is not.
     */
    static boolean validHost(CharSequence s, int start, int end, boolean emptyOk) {
        if (start == end) {
            return emptyOk;
        }
        int hostEnd;
        if (s.charAt(start) == '[') {
            int close = indexOf(s, ']', start);
            if (close < 0 || close >= end) {
                return false;
            }
            hostEnd = close + 1;
            for (int i = start + 1; i < close; i++) {
                char c = s.charAt(i);
                if (!(isHostChar(c) || c == ':')) {
                    return false;
                }
            }
        } else {
            int colon = indexOf(s, ':', start);
            hostEnd = colon < 0 || colon >= end ? end : colon;
            for (int i = start; i < hostEnd; i++) {
                if (!isHostChar(s.charAt(i))) {
                    return false;
                }
            }
        }
        if (hostEnd == end) {
            return true;
        }
        if (s.charAt(hostEnd) != ':') {
            return false;
        }
        for (int i = hostEnd + 1; i < end; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false; // a port is digits (possibly none: "host:" is allowed)
            }
        }
        return true;
    }

    private static int indexOf(CharSequence s, char c, int from) {
        for (int i = from, n = s.length(); i < n; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    /** RFC 3986 reg-name characters (unreserved, sub-delims but the comma, percent-encoding): a comma would read as a list of hosts. */
    private static boolean isHostChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~' || c == '%' || c == '!' || c == '$' || c == '&'
                || c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' || c == ';' || c == '=';
    }
}

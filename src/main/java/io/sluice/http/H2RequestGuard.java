package io.sluice.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;

/**
 * Whether an HTTP/2 request may go on (RFC 9113 section 8.1.1): a malformed one is a stream error, so
 * {@link H2Stream} resets its stream with PROTOCOL_ERROR before anything converts, routes or forwards it,
 * and nothing is answered on it. The frame codec checks field names, connection-specific fields, pseudo-header
 * order and Content-Length against the DATA received; this adds what it leaves to the application:
 * {@code :method}, {@code :scheme} and {@code :path} present (and only {@code :authority} with CONNECT),
 * {@code :path} in origin form or {@code *} for OPTIONS, without control bytes or spaces, and no Host that
 * differs from {@code :authority}. Stateless.
 */
final class H2RequestGuard {
    private H2RequestGuard() {
    }

    /** True when the request's pseudo-header fields make a request Sluice may forward (or answer). */
    static boolean wellFormed(Http2Headers headers) {
        CharSequence method = headers.method();
        if (method == null || !isToken(method)) {
            return false;
        }
        CharSequence path = headers.path();
        CharSequence scheme = headers.scheme();
        if (isConnect(method)) {
            // CONNECT names only the authority (extended CONNECT is not offered: no SETTINGS_ENABLE_CONNECT_PROTOCOL)
            return path == null && scheme == null && headers.authority() != null && visible(headers.authority());
        }
        if (scheme == null || scheme.length() == 0 || !visible(scheme)) {
            return false;
        }
        if (headers.authority() != null && !visible(headers.authority())) {
            return false;
        }
        CharSequence host = headers.get(HttpHeaderNames.HOST);
        if (host != null && headers.authority() != null
                && !AsciiString.contentEqualsIgnoreCase(host, headers.authority())) {
            return false; // two hosts: routing and the backend could each take another (RFC 9113 §8.3.1)
        }
        return path != null && validPath(method, path);
    }

    /** Origin form ("/" then visible characters), or "*" for OPTIONS only. */
    static boolean validPath(CharSequence method, CharSequence path) {
        if (path.length() == 1 && path.charAt(0) == '*') {
            return method.length() == 7 && "OPTIONS".contentEquals(method);
        }
        return path.length() > 0 && path.charAt(0) == '/' && visible(path)
                && AsciiString.indexOf(path, '#', 0) < 0; // a fragment is the client's own, never sent
    }

    /** Visible US-ASCII only: no control bytes, no space, no DEL, nothing above 0x7E. */
    private static boolean visible(CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static boolean isConnect(CharSequence method) {
        return method.length() == 7 && "CONNECT".contentEquals(method);
    }

    /** An HTTP token (RFC 9110 section 5.6.2): one or more tchar. */
    private static boolean isToken(CharSequence s) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean alnum = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
            if (!alnum && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }
}

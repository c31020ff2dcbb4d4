package io.sluice.filter;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A text with placeholders, such as {@code https://example.com/new{path}} or {@code {client_ip} via sluice},
 * parsed once when a configuration is loaded into literal parts and placeholder kinds, so that filling it in
 * per request is a walk over a short array and one {@link StringBuilder}: no scanning of the template, no regex.
 * Values filled in never carry control characters (CR, LF, NUL, ...): they are dropped, so a result is always
 * safe as a header value. Immutable; thread-safe; equal when parsed from the same text.
 *
 * <p>Placeholders: {@code {client_ip}}, {@code {request_id}}, {@code {host}} (the Host header as sent),
 * {@code {hostname}} (the Host without its port), {@code {path}} (the path, without the query),
 * {@code {query}} (the query with its leading {@code ?}, or nothing), {@code {uri}} (path and query),
 * {@code {method}}, {@code {scheme}} ({@code http} or {@code https}). Every {@code &#123;} opens a placeholder,
 * which must be closed and known.
 */
public final class HeaderTemplate {
    /** What a placeholder stands for. */
    enum Kind { CLIENT_IP, REQUEST_ID, HOST, HOSTNAME, PATH, QUERY, URI, METHOD, SCHEME }

    private final String source;
    /** Literal parts (String) and placeholders (Kind), in order. */
    private final Object[] parts;
    /** The whole value when there is no placeholder, else null. */
    private final String constant;
    private final int literalLength;

    private HeaderTemplate(String source, Object[] parts) {
        this.source = source;
        this.parts = parts;
        int len = 0;
        boolean literal = true;
        for (Object p : parts) {
            if (p instanceof String s) {
                len += s.length();
            } else {
                literal = false;
            }
        }
        this.literalLength = len;
        this.constant = literal ? (parts.length == 0 ? "" : (String) parts[0]) : null;
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the mistake: an unknown placeholder, a {@code {} left open, or a
     *                                  control character (CR, LF, ...) in the text
     */
    public static HeaderTemplate parse(String text) {
        Objects.requireNonNull(text, "text");
        List<Object> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (isControl(c)) {
                throw new IllegalArgumentException("control character (CR, LF, ...) at offset " + i + " is not allowed"
                        + " in a header value");
            }
            if (c != '{') {
                lit.append(c);
                i++;
                continue;
            }
            int close = text.indexOf('}', i + 1);
            if (close < 0) {
                throw new IllegalArgumentException("`{` at offset " + i + " is never closed (placeholders are written"
                        + " {client_ip}, {request_id}, {host}, {path}, ...)");
            }
            String name = text.substring(i + 1, close);
            Kind kind = kind(name);
            if (kind == null) {
                throw new IllegalArgumentException("unknown placeholder `{" + name + "}`; known: " + known());
            }
            if (lit.length() > 0) {
                parts.add(lit.toString());
                lit.setLength(0);
            }
            parts.add(kind);
            i = close + 1;
        }
        if (lit.length() > 0) {
            parts.add(lit.toString());
        }
        return new HeaderTemplate(text, parts.toArray());
    }

    private static Kind kind(String name) {
        for (Kind k : Kind.values()) {
            if (k.name().toLowerCase(Locale.ROOT).equals(name)) {
                return k;
            }
        }
        return null;
    }

    static String known() {
        StringBuilder sb = new StringBuilder();
        for (Kind k : Kind.values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append('{').append(k.name().toLowerCase(Locale.ROOT)).append('}');
        }
        return sb.toString();
    }

    /** True when the text has no placeholder (its value is the same for every request). */
    public boolean isConstant() {
        return constant != null;
    }

    /** The text as written. */
    public String source() {
        return source;
    }

    /** Fills the template in for the exchange {@code ctx} describes, with its current request head. */
    public String render(FilterContext ctx) {
        if (constant != null) {
            return constant;
        }
        return render(ctx.request(), ctx.clientIp(), ctx.requestId(), ctx.secure());
    }

    /** Fills the template in for {@code request}; {@code clientIp} and {@code requestId} may be null (empty). */
    public String render(HttpRequest request, String clientIp, String requestId, boolean secure) {
        if (constant != null) {
            return constant;
        }
        StringBuilder sb = new StringBuilder(literalLength + 48);
        String uri = request.uri();
        for (Object p : parts) {
            if (p instanceof String s) {
                sb.append(s);
                continue;
            }
            switch ((Kind) p) {
                case CLIENT_IP -> safe(sb, clientIp);
                case REQUEST_ID -> safe(sb, requestId);
                case HOST -> safe(sb, request.headers().get(HttpHeaderNames.HOST));
                case HOSTNAME -> safe(sb, hostname(request.headers().get(HttpHeaderNames.HOST)));
                case PATH -> {
                    int start = pathStart(uri);
                    int q = uri.indexOf('?', start);
                    safePath(sb, uri, start, q < 0 ? uri.length() : q);
                }
                case QUERY -> {
                    int q = uri.indexOf('?', pathStart(uri));
                    if (q >= 0) {
                        safe(sb, uri.substring(q));
                    }
                }
                case URI -> safePath(sb, uri, pathStart(uri), uri.length());
                case METHOD -> safe(sb, request.method().name());
                case SCHEME -> sb.append(secure ? "https" : "http");
                default -> throw new IllegalStateException();
            }
        }
        return sb.toString();
    }

    /** The Host header without its port ({@code [::1]} stays bracketed); null for null. */
    static String hostname(String host) {
        if (host == null) {
            return null;
        }
        String name = host.strip();
        int colon = name.lastIndexOf(':');
        return colon > name.lastIndexOf(']') ? name.substring(0, colon) : name;
    }

    /** Where the path starts in a request target (the router's reading of it). */
    static int pathStart(String uri) {
        return io.sluice.runtime.Router.pathStart(uri);
    }

    /** Appends the path part {@code [start, end)}, or {@code /} when it is empty or not a path. */
    private static void safePath(StringBuilder sb, String uri, int start, int end) {
        if (start >= end || uri.charAt(start) != '/') {
            sb.append('/');
            if (start >= end || uri.charAt(start) == '?') {
                safe(sb, uri.substring(start, end));
                return;
            }
        }
        for (int i = start; i < end; i++) {
            char c = uri.charAt(i);
            if (!isControl(c)) {
                sb.append(c);
            }
        }
    }

    private static void safe(StringBuilder sb, String value) {
        if (value == null) {
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!isControl(c)) {
                sb.append(c);
            }
        }
    }

    static boolean isControl(char c) {
        return (c < 0x20 && c != '\t') || c == 0x7f;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeaderTemplate t && t.source.equals(source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return source;
    }
}

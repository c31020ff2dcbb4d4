package io.sluice.filter.ratelimit;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.filter.FilterContext;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * One part of what a {@code rate_limit} filter counts by: {@code client_ip}, {@code header:NAME},
 * {@code cookie:NAME} or {@code route}. Immutable; thread-safe.
 *
 * @param kind what to read
 * @param name the header or cookie name; null for the others
 */
public record RateLimitKey(Kind kind, String name) {
    /** The kinds of key, as configurations spell them. */
    public enum Kind { CLIENT_IP, HEADER, COOKIE, ROUTE }

    /**
     * The key of a request that lacks its header or cookie: every such request shares it (for a combined key,
     * it stands in for the missing part only).
     */
    public static final Object MISSING = new Object() {
        @Override
        public String toString() {
            return "missing";
        }
    };

    public RateLimitKey {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.HEADER || kind == Kind.COOKIE) == (name == null || name.isEmpty())) {
            throw new IllegalArgumentException(kind + " takes a name exactly when it is a header or a cookie");
        }
    }

    /** The key as configured: {@code client_ip}, {@code route}, {@code header:NAME}, {@code cookie:NAME}. */
    public static RateLimitKey parse(String text) {
        String t = text.strip();
        int colon = t.indexOf(':');
        String kind = (colon < 0 ? t : t.substring(0, colon)).toLowerCase(Locale.ROOT);
        String name = colon < 0 ? null : t.substring(colon + 1).strip();
        switch (kind) {
            case "client_ip", "route" -> {
                if (name != null) {
                    throw new IllegalArgumentException("`" + kind + "` takes no name, got \"" + t + "\"");
                }
                return new RateLimitKey(kind.equals("route") ? Kind.ROUTE : Kind.CLIENT_IP, null);
            }
            case "header", "cookie" -> {
                if (name == null || name.isEmpty() || !token(name)) {
                    throw new IllegalArgumentException("`" + kind + ":NAME` needs a " + kind
                            + " name (letters, digits, -_.!#$%&'*+^`|~), got \"" + t + "\"");
                }
                return new RateLimitKey(kind.equals("header") ? Kind.HEADER : Kind.COOKIE, name);
            }
            default -> throw new IllegalArgumentException("unknown key `" + t
                    + "`: use client_ip, header:NAME, cookie:NAME, route, or a list of them");
        }
    }

    private static boolean token(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-_.!#$%&'*+^`|~".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    /** This part's value for one request, or {@link #MISSING}. */
    Object of(FilterContext ctx, HttpRequest request) {
        switch (kind) {
            case CLIENT_IP -> {
                InetSocketAddress c = ctx.client();
                return c != null && c.getAddress() != null ? c.getAddress() : ctx.clientIp();
            }
            case ROUTE -> {
                return ctx.route();
            }
            case HEADER -> {
                String v = request.headers().get(name);
                return v == null ? MISSING : v;
            }
            default -> {
                String v = cookie(request, name);
                return v == null ? MISSING : v;
            }
        }
    }

    /** The value of cookie {@code name} in the request's Cookie headers, or null. */
    static String cookie(HttpRequest request, String name) {
        for (String header : request.headers().getAll(HttpHeaderNames.COOKIE)) {
            int i = 0;
            int n = header.length();
            while (i < n) {
                int end = header.indexOf(';', i);
                if (end < 0) {
                    end = n;
                }
                while (i < end && header.charAt(i) == ' ') {
                    i++;
                }
                if (header.startsWith(name, i) && i + name.length() < end && header.charAt(i + name.length()) == '=') {
                    String v = header.substring(i + name.length() + 1, end).strip();
                    if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
                        v = v.substring(1, v.length() - 1);
                    }
                    return v;
                }
                i = end + 1;
            }
        }
        return null;
    }

    /** What a request is counted by under {@code parts}: one part's value, or a list of them for several. */
    static Object of(RateLimitKey[] parts, FilterContext ctx, HttpRequest request) {
        if (parts.length == 1) {
            return parts[0].of(ctx, request);
        }
        Object[] values = new Object[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = parts[i].of(ctx, request);
        }
        return Arrays.asList(values);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case CLIENT_IP -> "client_ip";
            case ROUTE -> "route";
            case HEADER -> "header:" + name;
            case COOKIE -> "cookie:" + name;
        };
    }
}

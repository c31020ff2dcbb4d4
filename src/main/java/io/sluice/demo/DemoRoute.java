package io.sluice.demo;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;

/**
 * Which demo endpoint a request URI names, with its numeric argument already parsed and checked.
 * An argument that does not parse or is out of range yields {@link Kind#BAD} with a reason.
 * Immutable; thread-safe.
 *
 * @param kind    the endpoint
 * @param arg     status code, delay in milliseconds or byte count; 0 when the endpoint takes none
 * @param chunked for {@code /bytes}: {@code ?chunked=1} was given
 * @param error   for {@link Kind#BAD}: why; otherwise null
 */
record DemoRoute(Kind kind, long arg, boolean chunked, String error) {
    /** Longest delay {@code /delay/{ms}} honours; larger values are capped to it. */
    static final long MAX_DELAY_MS = 600_000;

    /** Largest body {@code /bytes/{n}} produces: 2^40 bytes. */
    static final long MAX_BYTES = 1L << 40;

    /** The endpoints. */
    enum Kind { INFO, HEALTH, STATUS, DELAY, ECHO, SHA256, BYTES, DROP, CLOSE, HEADERS, BAD }

    /** Parses an origin-form ({@code /a?b}) or absolute-form ({@code http://h/a?b}) request target. */
    static DemoRoute parse(String uri) {
        QueryStringDecoder query = new QueryStringDecoder(originForm(uri));
        String path = query.path();
        switch (path) {
            case "/health":
                return simple(Kind.HEALTH);
            case "/echo":
                return simple(Kind.ECHO);
            case "/sha256":
                return simple(Kind.SHA256);
            case "/drop":
                return simple(Kind.DROP);
            case "/close":
                return simple(Kind.CLOSE);
            case "/headers":
                return simple(Kind.HEADERS);
            default:
                break;
        }
        if (path.startsWith("/status/")) {
            long code = number(path.substring(8));
            return code >= 200 && code <= 599 ? new DemoRoute(Kind.STATUS, code, false, null)
                    : bad("status must be a number from 200 to 599");
        }
        if (path.startsWith("/delay/")) {
            long ms = number(path.substring(7));
            return ms >= 0 ? new DemoRoute(Kind.DELAY, Math.min(ms, MAX_DELAY_MS), false, null)
                    : bad("delay must be a non-negative number of milliseconds");
        }
        if (path.startsWith("/bytes/")) {
            long n = number(path.substring(7));
            if (n < 0 || n > MAX_BYTES) {
                return bad("byte count must be a number from 0 to " + MAX_BYTES);
            }
            List<String> chunked = query.parameters().get("chunked");
            return new DemoRoute(Kind.BYTES, n, chunked != null && chunked.contains("1"), null);
        }
        return simple(Kind.INFO);
    }

    private static DemoRoute simple(Kind kind) {
        return new DemoRoute(kind, 0, false, null);
    }

    private static DemoRoute bad(String why) {
        return new DemoRoute(Kind.BAD, 0, false, why);
    }

    /** A non-negative decimal number of at most 18 digits, or -1. */
    private static long number(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(s);
    }

    /** Strips {@code scheme://authority} from an absolute-form target; other targets pass unchanged. */
    private static String originForm(String uri) {
        int scheme = uri.indexOf("://");
        if (uri.startsWith("/") || scheme < 0) {
            return uri;
        }
        int slash = uri.indexOf('/', scheme + 3);
        int query = uri.indexOf('?', scheme + 3);
        if (slash >= 0 && (query < 0 || slash < query)) {
            return uri.substring(slash);
        }
        return query >= 0 ? "/" + uri.substring(query) : "/";
    }
}

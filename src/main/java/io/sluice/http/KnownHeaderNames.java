package io.sluice.http;

import io.netty.util.AsciiString;
import java.util.IdentityHashMap;

/**
 * Header names that clients send on most requests and backends on most responses, in the spellings they send
 * them, kept as shared {@link AsciiString}s: when the headers of a decoded head ({@link HeaderBlock}) are read as
 * name and value pairs (as the HTTP/2 conversion reads them) one of these is handed out instead of a new name (an
 * AsciiString and its bytes, about 60 bytes) per header line, and its hash is computed once. The name keeps the sender's exact bytes, so
 * what the other side receives is unchanged. Stateless; thread-safe.
 */
final class KnownHeaderNames {
    private static final String[] NAMES = {
        "User-Agent", "Accept-Encoding", "Accept-Language", "Accept-Charset", "Cookie", "Referer", "Origin",
        "Authorization", "Cache-Control", "Pragma", "If-None-Match", "If-Modified-Since", "If-Match", "Range",
        "Content-Encoding", "Transfer-Encoding", "Content-Length", "Content-Type", "Connection", "Keep-Alive", "TE",
        "Upgrade", "Upgrade-Insecure-Requests", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
        "X-Forwarded-Port", "X-Real-IP", "X-Request-Id", "X-Requested-With", "DNT", "Priority",
        "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest", "Sec-Fetch-User", "Sec-WebSocket-Key",
        "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol",
        "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "traceparent", "tracestate",
        // responses
        "Server", "Date", "Last-Modified", "ETag", "Accept-Ranges", "Vary", "Expires", "Age", "Via", "Location",
        "Set-Cookie", "Content-Language", "Content-Disposition", "Content-Range", "Link", "Retry-After",
        "WWW-Authenticate", "Alt-Svc", "X-Powered-By", "X-Content-Type-Options", "X-Frame-Options",
        "Strict-Transport-Security", "Content-Security-Policy", "Referrer-Policy", "Access-Control-Allow-Origin",
        "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
        "Access-Control-Expose-Headers", "Access-Control-Max-Age", "Timing-Allow-Origin", "Server-Timing",
    };
    private static final int MAX_LENGTH = 32;
    /** By length, every spelling known: as listed, and in lower case. */
    private static final AsciiString[][] BY_LENGTH = new AsciiString[MAX_LENGTH + 1][];
    /** Each shared name (by identity) to its shared lower-case spelling, for HTTP/2. */
    private static final IdentityHashMap<AsciiString, AsciiString> LOWER = new IdentityHashMap<>();

    static {
        for (String n : NAMES) {
            add(n);
            add(n.toLowerCase(java.util.Locale.ROOT));
        }
        for (AsciiString[] same : BY_LENGTH) {
            if (same != null) {
                for (AsciiString a : same) {
                    LOWER.put(a, find(a.toLowerCase()));
                }
            }
        }
    }

    private KnownHeaderNames() {
    }

    private static void add(String name) {
        int len = name.length();
        AsciiString[] at = BY_LENGTH[len];
        if (at == null) {
            BY_LENGTH[len] = new AsciiString[] {AsciiString.cached(name)};
            return;
        }
        for (AsciiString a : at) {
            if (a.toString().equals(name)) {
                return;
            }
        }
        AsciiString[] more = java.util.Arrays.copyOf(at, at.length + 1);
        more[at.length] = AsciiString.cached(name);
        BY_LENGTH[len] = more;
    }

    /**
     * {@code name} in lower case: the shared lower-case spelling when {@code name} is one of the shared names, else
     * {@code name} itself when it is an AsciiString with no upper-case letter, else a new AsciiString.
     */
    static AsciiString lowerCase(CharSequence name) {
        if (name instanceof AsciiString a) {
            AsciiString shared = LOWER.get(a);
            return shared != null ? shared : a.toLowerCase();
        }
        return AsciiString.of(name).toLowerCase();
    }

    private static AsciiString find(AsciiString a) {
        return find(a.array(), a.arrayOffset(), a.length());
    }

    /** The shared name with exactly these bytes, or null when it is not one of them. */
    static AsciiString find(byte[] bytes, int start, int length) {
        if (length > MAX_LENGTH) {
            return null;
        }
        AsciiString[] candidates = BY_LENGTH[length];
        if (candidates == null) {
            return null;
        }
        for (AsciiString c : candidates) {
            if (sameBytes(c.array(), c.arrayOffset(), bytes, start, length)) {
                return c;
            }
        }
        return null;
    }

    private static boolean sameBytes(byte[] a, int aStart, byte[] b, int bStart, int length) {
        for (int i = 0; i < length; i++) {
            if (a[aStart + i] != b[bStart + i]) {
                return false;
            }
        }
        return true;
    }
}

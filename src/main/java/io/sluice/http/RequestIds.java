package io.sluice.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The request id every proxied request carries to its backend in {@code X-Request-Id}: the client's own when
 * it is sane (1 to 128 characters of letters, digits and {@code . _ - : + / =}), else a new one of 32 hex
 * digits (128 random bits from {@link ThreadLocalRandom}: unique enough to find a request in logs, cheap, and
 * not a secret). Stateless; thread-safe.
 */
final class RequestIds {
    static final int MAX_LENGTH = 128;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** The digits are written here first: the String copies them, so one array per thread does. */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[32];
        }
    };

    private RequestIds() {
    }

    /** Makes sure {@code h} has one sane {@code X-Request-Id}, keeping the client's when it is one; returns it. */
    static String ensure(HttpHeaders h) {
        String id = h.get(ForwardHeaders.X_REQUEST_ID);
        if (id != null && sane(id) && count(h) == 1) {
            return id;
        }
        id = generate();
        h.set(ForwardHeaders.X_REQUEST_ID, id);
        return id;
    }

    private static int count(HttpHeaders h) {
        return h instanceof HeaderBlock b ? b.count(ForwardHeaders.X_REQUEST_ID)
                : h.getAll(ForwardHeaders.X_REQUEST_ID).size();
    }

    /** Whether a client's id may be passed on as it is. */
    static boolean sane(String id) {
        int len = id.length();
        if (len == 0 || len > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-' || c == ':' || c == '+' || c == '/' || c == '=';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A new id: 32 lower-case hex digits. */
    static String generate() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        byte[] out = SCRATCH.get();
        hex(out, 0, r.nextLong());
        hex(out, 16, r.nextLong());
        return new String(out, StandardCharsets.ISO_8859_1); // Latin-1 bytes are the String's own: no char[]
    }

    private static void hex(byte[] out, int at, long v) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
    }
}

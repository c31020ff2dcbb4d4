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

    /**
     * Makes sure {@code h} has one sane {@code X-Request-Id}, keeping the client's when it is one. A new id in
     * a lean {@link HeaderBlock} is a {@link Hex} (two longs, written as digits when the head is encoded and
     * made a string only if something reads it); elsewhere it is a string.
     */
    static void ensure(HttpHeaders h) {
        if (h instanceof HeaderBlock b && b.lean()) {
            if (b.count(ForwardHeaders.X_REQUEST_ID) == 1 && sane(b.view(ForwardHeaders.X_REQUEST_ID))) {
                return;
            }
            ThreadLocalRandom r = ThreadLocalRandom.current();
            h.set(ForwardHeaders.X_REQUEST_ID, new Hex(r.nextLong(), r.nextLong()));
            return;
        }
        String id = h.get(ForwardHeaders.X_REQUEST_ID);
        if (id != null && sane(id) && count(h) == 1) {
            return;
        }
        h.set(ForwardHeaders.X_REQUEST_ID, generate());
    }

    private static int count(HttpHeaders h) {
        return h instanceof HeaderBlock b ? b.count(ForwardHeaders.X_REQUEST_ID)
                : h.getAll(ForwardHeaders.X_REQUEST_ID).size();
    }

    /** Whether a client's id may be passed on as it is. */
    static boolean sane(CharSequence id) {
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

    /** A new id as 32 lower-case hex digits of two longs, computed as they are read. */
    static final class Hex implements CharSequence {
        private final long hi;
        private final long lo;
        private String text;

        Hex(long hi, long lo) {
            this.hi = hi;
            this.lo = lo;
        }

        @Override
        public int length() {
            return 32;
        }

        @Override
        public char charAt(int i) {
            long v = i < 16 ? hi : lo;
            return (char) HEX[(int) (v >>> (4 * (15 - (i & 15)))) & 0xf];
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return toString().subSequence(start, end);
        }

        @Override
        public String toString() {
            String t = text;
            if (t == null) {
                byte[] out = SCRATCH.get();
                hex(out, 0, hi);
                hex(out, 16, lo);
                t = new String(out, StandardCharsets.ISO_8859_1);
                text = t;
            }
            return t;
        }
    }

    private static void hex(byte[] out, int at, long v) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
    }
}

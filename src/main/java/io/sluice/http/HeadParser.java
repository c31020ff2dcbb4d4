package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Finds and checks the header section of an HTTP/1 head and turns it into a {@link HeaderBlock}: the section is
 * copied to a per-thread area, each line is checked (a token before the colon, nothing between name and colon,
 * no control characters but tab in the value), and the names and values, without the optional whitespace
 * around values, are packed into the block's one array. Obsolete line folding is replaced by spaces (RFC 9112
 * §5.2 lets a recipient do so or refuse it; the caller chooses). One per decoder (it keeps a scratch index);
 * confined to the connection's event loop.
 */
final class HeadParser {
    /** A header section longer than this is kept as full headers (a block's offsets are 16 bits). */
    static final int MAX_SECTION = 65535;

    /** Offsets of the lines being parsed, four per line; kept for the next head. */
    private int[] scratch = new int[4 * 16];

    /** Why a head was refused, for the decoder's failure. */
    static final class BadHead extends Exception {
        BadHead(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Where the header section that starts at {@code from} ends: the index just past the empty line that ends
     * it (which may be its first line). While that line has not arrived, a negative number: {@code -1 - p}, with
     * {@code p} the start of the first line not yet complete, so that the next call can start there
     * ({@link #resumeAt}) instead of reading the whole section again for every piece of a slow head.
     *
     * @param bareLf whether a line may end with LF alone (responses) or must end with CRLF (requests)
     */
    static int sectionEnd(ByteBuf buf, int from, int to, boolean bareLf) throws BadHead {
        int p = from;
        while (p < to) {
            int lf = buf.indexOf(p, to, (byte) '\n');
            if (lf < 0) {
                return -1 - p;
            }
            boolean cr = lf > p && buf.getByte(lf - 1) == '\r';
            if (!cr && !bareLf) {
                throw new BadHead("a header line ends with LF alone");
            }
            if (lf - p - (cr ? 1 : 0) == 0) {
                return lf + 1;
            }
            p = lf + 1;
        }
        return -1 - p;
    }

    /** Where scanning goes on after {@link #sectionEnd} found the section incomplete. */
    static int resumeAt(int incomplete) {
        return -1 - incomplete;
    }

    /** Where the empty line that ends at {@code end} (just past its LF) starts. */
    static int emptyLineStart(ByteBuf buf, int from, int end) {
        return end - 2 >= from && buf.getByte(end - 2) == '\r' ? end - 2 : end - 1;
    }

    /**
     * Copies the header section {@code [from, to)} of {@code buf} (its lines with their line ends, without the
     * empty line that ends the head) and checks and indexes it.
     *
     * @param fold whether obsolete line folding is replaced by spaces (else it is refused)
     */
    HeaderBlock parse(ByteBuf buf, int from, int to, boolean fold) throws BadHead {
        int len = to - from;
        if (len == 0) {
            return HeaderBlock.empty();
        }
        byte[] b = len <= MAX_SECTION ? copyArea(len) : new byte[len];
        buf.getBytes(from, b, 0, len);
        int[] at = scratch;
        int n = 0;
        int p = 0;
        while (p < len) {
            int lf = p;
            while (b[lf] != '\n') {
                lf++; // every line of the section ends with LF (sectionEnd found them)
            }
            int end = lf > p && b[lf - 1] == '\r' ? lf - 1 : lf;
            if (b[p] == ' ' || b[p] == '\t') {
                if (!fold || n == 0) {
                    throw new BadHead("obsolete line folding");
                }
                int vs = skipSpace(b, p, end);
                int ve = trimSpace(b, vs, end);
                checkValue(b, vs, ve);
                if (ve > vs) {
                    if (at[(n - 1) * 4 + 2] == at[(n - 1) * 4 + 3]) {
                        at[(n - 1) * 4 + 2] = vs; // an empty value so far: it starts here, not with blanks
                    } else {
                        for (int k = at[(n - 1) * 4 + 3]; k < vs; k++) {
                            b[k] = ' ';
                        }
                    }
                    at[(n - 1) * 4 + 3] = ve;
                }
                p = lf + 1;
                continue;
            }
            int colon = p;
            while (colon < end && b[colon] != ':') {
                if (!RequestLine.isTchar(b[colon])) {
                    throw new BadHead("a header name has a character not allowed there");
                }
                colon++;
            }
            if (colon == p || colon == end) {
                throw new BadHead(colon == p ? "a header line has no name" : "a header line has no colon");
            }
            int vs = skipSpace(b, colon + 1, end);
            int ve = trimSpace(b, vs, end);
            checkValue(b, vs, ve);
            if (4 * n + 4 > at.length) {
                at = scratch = java.util.Arrays.copyOf(at, at.length * 2);
            }
            at[4 * n] = p;
            at[4 * n + 1] = colon;
            at[4 * n + 2] = vs;
            at[4 * n + 3] = ve;
            n++;
            p = lf + 1;
        }
        if (len > MAX_SECTION) {
            return HeaderBlock.full(b, at, n);
        }
        return new HeaderBlock(pack(b, at, n), n);
    }

    /**
     * The block's one array: each line's name then its value, back to back (no colon, no blanks, no line
     * ends), then per line two 16-bit offsets, where its name ends and where its value ends.
     */
    private static byte[] pack(byte[] b, int[] at, int n) {
        int data = 0;
        for (int i = 0; i < n; i++) {
            data += at[4 * i + 1] - at[4 * i] + at[4 * i + 3] - at[4 * i + 2];
        }
        byte[] out = new byte[data + 4 * n];
        int w = 0;
        for (int i = 0; i < n; i++) {
            int nameLen = at[4 * i + 1] - at[4 * i];
            System.arraycopy(b, at[4 * i], out, w, nameLen);
            w += nameLen;
            int o = data + 4 * i;
            out[o] = (byte) (w >>> 8);
            out[o + 1] = (byte) w;
            int valueLen = at[4 * i + 3] - at[4 * i + 2];
            System.arraycopy(b, at[4 * i + 2], out, w, valueLen);
            w += valueLen;
            out[o + 2] = (byte) (w >>> 8);
            out[o + 3] = (byte) w;
        }
        return out;
    }

    /**
     * Where a section is copied to be checked before it is packed: one array per event-loop thread, grown to
     * the longest section seen (at most {@link #MAX_SECTION}), so a head costs only its packed array.
     */
    private static byte[] copyArea(int len) {
        byte[] a = COPY_AREA.get();
        if (a.length < len) {
            a = new byte[Math.max(len, Math.min(2 * a.length, MAX_SECTION))];
            COPY_AREA.set(a);
        }
        return a;
    }

    private static final FastThreadLocal<byte[]> COPY_AREA = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[1024];
        }
    };

    private static int skipSpace(byte[] b, int from, int end) {
        int i = from;
        while (i < end && (b[i] == ' ' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static int trimSpace(byte[] b, int from, int end) {
        int i = end;
        while (i > from && (b[i - 1] == ' ' || b[i - 1] == '\t')) {
            i--;
        }
        return i;
    }

    /** RFC 9110 field-value: visible characters, spaces, tabs and obs-text; no other control character. */
    private static void checkValue(byte[] b, int from, int to) throws BadHead {
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xFF;
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                throw new BadHead("a header value has a control character");
            }
        }
    }
}

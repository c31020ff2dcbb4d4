package io.sluice.l4.detect;

import io.netty.buffer.ByteBuf;
import io.sluice.l4.Detection;
import io.sluice.l4.Detector;

/**
 * Detector {@code postgres}: the first message a PostgreSQL client sends (the protocol's "Start-up"), told by
 * its first 8 bytes, a 32-bit length and a 32-bit code: SSLRequest (length 8, code 80877103), GSSENCRequest
 * (length 8, code 80877104), CancelRequest (length 16, code 80877102), or a StartupMessage (length 8 to 10000,
 * the server's own limit, with protocol version 3.0, 3.1 or 3.2: code 196608 to 196610). NEED_MORE while the
 * bytes so far begin one of those; no match at the first byte that begins none. Stateless; thread-safe.
 */
public final class PostgresDetector implements Detector {
    private static final int SIZE = 8;
    /** Each accepted header: smallest length, largest length, smallest code, largest code. */
    private static final int[][] HEADERS = {
        {8, 8, 80877103, 80877104}, // SSLRequest, GSSENCRequest
        {16, 16, 80877102, 80877102}, // CancelRequest
        {8, 10000, 196608, 196610}, // StartupMessage, protocol 3.0 to 3.2
    };

    @Override
    public String protocol() {
        return "postgres";
    }

    @Override
    public Detection detect(ByteBuf seen) {
        int from = seen.readerIndex();
        int n = Math.min(seen.writerIndex() - from, SIZE);
        long header = 0;
        for (int i = 0; i < n; i++) {
            header = header << 8 | seen.getUnsignedByte(from + i);
        }
        if (n == 0) {
            return Detection.NEED_MORE;
        }
        // the 8-byte headers that begin with the bytes seen run from low to high
        int unseen = 8 * (SIZE - n);
        long low = header << unseen;
        long high = low | ((1L << unseen) - 1);
        for (int[] h : HEADERS) {
            if (fits(low, high, h)) {
                return n == SIZE ? Detection.MATCH : Detection.NEED_MORE;
            }
        }
        return Detection.NO_MATCH;
    }

    /** Whether some header from {@code low} to {@code high} (all that share a prefix) fits {@code h}. */
    private static boolean fits(long low, long high, int[] h) {
        long lengthLow = low >>> 32;
        long lengthHigh = high >>> 32;
        if (lengthHigh < h[0] || lengthLow > h[1]) {
            return false;
        }
        if (lengthLow != lengthHigh) {
            return true; // the length is not all seen, so any code may follow
        }
        long codeLow = low & 0xffffffffL;
        long codeHigh = high & 0xffffffffL;
        return codeHigh >= h[2] && codeLow <= h[3];
    }
}

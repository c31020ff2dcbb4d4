package io.sluice.l4.detect;

import io.netty.buffer.ByteBuf;
import io.sluice.l4.Detection;

/**
 * Small reads the detectors share: comparing what was seen with fixed bytes, and character classes. Reads
 * only with absolute indexes, below the writer index it is given. Stateless; thread-safe.
 */
final class Bytes {
    private Bytes() {
    }

    /**
     * Compares the bytes from {@code from} up to {@code to} with {@code expected}: MATCH once all of it was
     * seen and equal, NEED_MORE while what was seen is equal so far, NO_MATCH at the first difference.
     */
    static Detection literal(ByteBuf seen, int from, int to, byte[] expected) {
        int n = Math.min(Math.max(0, to - from), expected.length);
        for (int i = 0; i < n; i++) {
            if (seen.getByte(from + i) != expected[i]) {
                return Detection.NO_MATCH;
            }
        }
        return n == expected.length ? Detection.MATCH : Detection.NEED_MORE;
    }

    /** Whether {@code c} is a visible US-ASCII character (VCHAR: no space, no control). */
    static boolean visible(int c) {
        return c > 0x20 && c < 0x7f;
    }

    /** Whether {@code c} is an ASCII letter. */
    static boolean letter(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    /** Whether {@code c} is an ASCII digit. */
    static boolean digit(int c) {
        return c >= '0' && c <= '9';
    }
}

package io.sluice.l4.detect;

import io.netty.buffer.ByteBuf;
import io.sluice.l4.Detection;
import io.sluice.l4.Detector;
import java.util.Arrays;
import java.util.Objects;

/**
 * Detector {@code prefix}: the first bytes are exactly the ones a route gives (for a protocol no built-in
 * detector knows), say {@code prefix: "16 03"} in a route, read with {@link #parseHex}. A match once all of
 * them were seen; NEED_MORE while what was seen agrees (for a datagram that counts as no match); no match at
 * the first byte that differs. Not one of {@link Detectors#builtIn()}: each route makes its own. Works for
 * TCP and UDP. Immutable; thread-safe.
 */
public final class PrefixDetector implements Detector {
    /** The longest prefix a route may give. */
    public static final int MAX_LENGTH = 256;

    private final byte[] prefix;

    /**
     * A detector for {@code prefix}, copied.
     *
     * @throws IllegalArgumentException when it is empty (everything would match) or over {@link #MAX_LENGTH}
     */
    public PrefixDetector(byte[] prefix) {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.length == 0 || prefix.length > MAX_LENGTH) {
            throw new IllegalArgumentException("a detection prefix needs 1 to " + MAX_LENGTH + " bytes, not "
                    + prefix.length);
        }
        this.prefix = prefix.clone();
    }

    /**
     * The bytes that hex text such as {@code "16 03"} or {@code "1603"} names: pairs of hex digits, any case,
     * optionally separated by spaces or tabs (never inside a pair).
     *
     * @throws IllegalArgumentException naming the first thing wrong, and where
     */
    public static byte[] parseHex(String hex) {
        Objects.requireNonNull(hex, "hex");
        byte[] out = new byte[hex.length() / 2];
        int n = 0;
        int i = 0;
        while (i < hex.length()) {
            char c = hex.charAt(i);
            if (c == ' ' || c == '\t') {
                i++;
                continue;
            }
            int high = digit(hex, i);
            if (i + 1 >= hex.length() || hex.charAt(i + 1) == ' ' || hex.charAt(i + 1) == '\t') {
                throw new IllegalArgumentException("hex prefix \"" + hex + "\": '" + c + "' at " + i
                        + " is half a byte; write each byte as two hex digits, e.g. \"16 03\"");
            }
            int low = digit(hex, i + 1);
            out[n++] = (byte) (high << 4 | low);
            i += 2;
        }
        if (n == 0) {
            throw new IllegalArgumentException("hex prefix \"" + hex + "\" names no bytes; write them as hex"
                    + " digit pairs, e.g. \"16 03\"");
        }
        return Arrays.copyOf(out, n);
    }

    private static int digit(String hex, int i) {
        int d = Character.digit(hex.charAt(i), 16);
        if (d < 0 || hex.charAt(i) > 'f') {
            throw new IllegalArgumentException("hex prefix \"" + hex + "\": '" + hex.charAt(i) + "' at " + i
                    + " is not a hex digit (0-9, a-f); write the bytes as hex digit pairs, e.g. \"16 03\"");
        }
        return d;
    }

    /** The bytes this detector wants, copied. */
    public byte[] prefix() {
        return prefix.clone();
    }

    @Override
    public String protocol() {
        return "prefix";
    }

    @Override
    public boolean datagram() {
        return true;
    }

    @Override
    public Detection detect(ByteBuf seen) {
        return Bytes.literal(seen, seen.readerIndex(), seen.writerIndex(), prefix);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("prefix(");
        for (int i = 0; i < prefix.length; i++) {
            s.append(i == 0 ? "" : " ").append(String.format("%02x", prefix[i]));
        }
        return s.append(')').toString();
    }
}

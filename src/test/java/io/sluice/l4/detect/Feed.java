package io.sluice.l4.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.l4.Detection;
import io.sluice.l4.Detector;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * How the detector tests ask a detector: the bytes sit in a buffer with other bytes before its reader index
 * and nothing after its writer index (so a read past it throws), and the detector must leave the indexes and
 * the content as they were. Stateless; thread-safe.
 */
final class Feed {
    private static final int BEFORE = 3;

    private Feed() {
    }

    /** The detector's answer for {@code bytes}, all seen at once. */
    static Detection detect(Detector d, byte[] bytes) {
        byte[] backing = new byte[BEFORE + bytes.length];
        Arrays.fill(backing, 0, BEFORE, (byte) 0x16); // what a detector wrongly reading from 0 would find
        System.arraycopy(bytes, 0, backing, BEFORE, bytes.length);
        byte[] copy = backing.clone();
        ByteBuf seen = Unpooled.wrappedBuffer(backing).setIndex(BEFORE, backing.length);
        Detection answer = d.detect(seen);
        assertThat(seen.readerIndex()).isEqualTo(BEFORE);
        assertThat(seen.writerIndex()).isEqualTo(backing.length);
        assertThat(backing).isEqualTo(copy);
        return answer;
    }

    /** The answer for {@code bytes} after checking that every shorter prefix of them was NEED_MORE. */
    static Detection byteByByte(Detector d, byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            assertThat(detect(d, Arrays.copyOf(bytes, i)).kind()).as("after %d of %d bytes", i, bytes.length)
                    .isEqualTo(Detection.Kind.NEED_MORE);
        }
        return detect(d, bytes);
    }

    /** The first bytes of {@code bytes} after which the answer was no longer NEED_MORE, or -1. */
    static int decidedAfter(Detector d, byte[] bytes) {
        for (int i = 0; i <= bytes.length; i++) {
            if (detect(d, Arrays.copyOf(bytes, i)).kind() != Detection.Kind.NEED_MORE) {
                return i;
            }
        }
        return -1;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}

package io.sluice.l4.detect;

import io.netty.buffer.ByteBuf;
import io.sluice.l4.Detection;
import io.sluice.l4.Detector;
import java.nio.charset.StandardCharsets;

/**
 * Detector {@code ssh}: the identification string an SSH client sends first (RFC 4253 section 4.2), that is
 * {@code SSH-2.0-} or {@code SSH-1.99-}, a software version that starts with a visible character, then
 * printable US-ASCII (spaces and comments included) up to CR LF, at most 255 characters in all. The software
 * version may hold '-' (some clients, such as JSch, put one there although the RFC says not to). A match once
 * the CR LF was seen. Stateless; thread-safe.
 */
public final class SshDetector implements Detector {
    /** The longest identification string, CR LF included (RFC 4253). */
    public static final int MAX_LINE = 255;
    private static final byte[] V2 = "SSH-2.0-".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V199 = "SSH-1.99-".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String protocol() {
        return "ssh";
    }

    @Override
    public Detection detect(ByteBuf seen) {
        int from = seen.readerIndex();
        int to = Math.min(seen.writerIndex(), from + MAX_LINE);
        Detection v2 = Bytes.literal(seen, from, to, V2);
        Detection v199 = Bytes.literal(seen, from, to, V199);
        if (v2 == Detection.NO_MATCH && v199 == Detection.NO_MATCH) {
            return Detection.NO_MATCH;
        }
        if (v2 != Detection.MATCH && v199 != Detection.MATCH) {
            return Detection.NEED_MORE;
        }
        int at = from + (v2 == Detection.MATCH ? V2.length : V199.length);
        if (at < to && !Bytes.visible(seen.getUnsignedByte(at))) {
            return Detection.NO_MATCH; // the software version is not empty and starts the rest
        }
        for (; at < to; at++) {
            int c = seen.getUnsignedByte(at);
            if (c == '\r') {
                if (at + 1 < to) {
                    return seen.getByte(at + 1) == '\n' ? Detection.MATCH : Detection.NO_MATCH;
                }
                return to - from >= MAX_LINE ? Detection.NO_MATCH : Detection.NEED_MORE;
            }
            if (c < 0x20 || c > 0x7e) {
                return Detection.NO_MATCH;
            }
        }
        return to - from >= MAX_LINE ? Detection.NO_MATCH : Detection.NEED_MORE;
    }
}

package io.sluice.l4.detect;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.l4.Detection;
import io.sluice.l4.Detector;
import java.util.Arrays;

/**
 * Detector {@code tls}: a TLS client's first flight, that is handshake records (content type 22, record
 * version 3.0 to 3.4, 1 to 16384 bytes each) whose content begins with a ClientHello. The ClientHello is read
 * to its end, across as many records as it spans, and the match carries its server name (lower case) and
 * offered ALPN protocols. Any length that does not fit the one around it is no match, as soon as it is seen.
 * A ClientHello over 16 KiB is a match without a server name once its first 16 KiB were seen without a
 * fault. SSLv2-compatible hellos are no match. Stateless; thread-safe.
 */
public final class TlsDetector implements Detector {
    private static final int HEADER = 5;
    private static final int HANDSHAKE = 22;
    private static final int MAX_RECORD = 16384;

    @Override
    public String protocol() {
        return "tls";
    }

    @Override
    public Detection detect(ByteBuf seen) {
        int from = seen.readerIndex();
        int to = seen.writerIndex();
        Detection header = header(seen, from, to);
        if (header != null) {
            return header;
        }
        int start = from + HEADER;
        int end = start + seen.getUnsignedShort(from + 3);
        if (to <= end) {
            return ClientHello.parse(seen, start, to); // all seen so far is the first record's content
        }
        if (end - start >= 4 && 4 + seen.getUnsignedMedium(start + 1) <= end - start) {
            return ClientHello.parse(seen, start, end); // the whole message is in the first record
        }
        byte[] message = joined(seen, from, to);
        return message == null ? Detection.NO_MATCH
                : ClientHello.parse(Unpooled.wrappedBuffer(message), 0, message.length);
    }

    /**
     * Checks the record header at {@code at}, as far as it was seen: null when it is all there and fine,
     * NEED_MORE when what is there is fine, NO_MATCH otherwise.
     */
    private static Detection header(ByteBuf seen, int at, int to) {
        int n = to - at;
        if (n >= 1 && seen.getUnsignedByte(at) != HANDSHAKE) {
            return Detection.NO_MATCH;
        }
        if (n >= 2 && seen.getUnsignedByte(at + 1) != 3) {
            return Detection.NO_MATCH;
        }
        if (n >= 3 && seen.getUnsignedByte(at + 2) > 4) {
            return Detection.NO_MATCH;
        }
        if (n >= 4 && seen.getUnsignedByte(at + 3) > MAX_RECORD >> 8) {
            return Detection.NO_MATCH;
        }
        if (n < HEADER) {
            return Detection.NEED_MORE;
        }
        int length = seen.getUnsignedShort(at + 3);
        return length == 0 || length > MAX_RECORD ? Detection.NO_MATCH : null;
    }

    /**
     * The content of the records seen, joined, up to the end of the handshake message (or the first
     * {@link ClientHello#MAX} bytes of it); null when a record header on the way is wrong. At most 16 KiB.
     */
    private static byte[] joined(ByteBuf seen, int from, int to) {
        byte[] out = new byte[Math.min(ClientHello.MAX, to - from)];
        int got = 0;
        int want = out.length;
        int at = from;
        while (got < want && at < to) {
            Detection header = header(seen, at, to);
            if (header == Detection.NO_MATCH) {
                return null;
            }
            if (header == Detection.NEED_MORE) {
                break;
            }
            int length = seen.getUnsignedShort(at + 3);
            int n = Math.min(Math.min(length, to - at - HEADER), want - got);
            seen.getBytes(at + HEADER, out, got, n);
            got += n;
            if (got >= 4 && want == out.length) {
                int message = 4 + ((out[1] & 0xff) << 16 | (out[2] & 0xff) << 8 | (out[3] & 0xff));
                want = Math.min(want, message);
            }
            at += HEADER + length;
        }
        return got == out.length ? out : Arrays.copyOf(out, got);
    }
}

package io.sluice.l4.detect;

import io.netty.buffer.ByteBuf;
import io.sluice.l4.Detection;
import io.sluice.l4.Detector;
import java.nio.charset.StandardCharsets;

/**
 * Detector {@code proxy}: a PROXY protocol header (HAProxy's proxy-protocol.txt), as a load balancer in front
 * of Sluice sends it before the client's bytes. Version 2 is told by its 12-byte signature
 * {@code 0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A}. Version 1 is a line of at most 107 bytes, CR LF included:
 * {@code PROXY UNKNOWN} and anything printable, or {@code PROXY TCP4 } / {@code PROXY TCP6 } and exactly four
 * fields (source, destination, source port, destination port) of hex digits, '.' and ':' separated by single
 * spaces; a match once its CR LF was seen. Stateless; thread-safe.
 */
public final class ProxyProtocolDetector implements Detector {
    /** The longest version 1 line, CR LF included. */
    public static final int MAX_V1 = 107;
    private static final byte[] V2 = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};
    private static final byte[] PROXY = ascii("PROXY ");
    private static final byte[] TCP4 = ascii("TCP4 ");
    private static final byte[] TCP6 = ascii("TCP6 ");
    private static final byte[] UNKNOWN = ascii("UNKNOWN");

    @Override
    public String protocol() {
        return "proxy";
    }

    @Override
    public Detection detect(ByteBuf seen) {
        int from = seen.readerIndex();
        int to = seen.writerIndex();
        Detection v2 = Bytes.literal(seen, from, to, V2);
        if (v2 != Detection.NO_MATCH) {
            return v2;
        }
        return v1(seen, from, Math.min(to, from + MAX_V1));
    }

    private static Detection v1(ByteBuf seen, int from, int to) {
        Detection proxy = Bytes.literal(seen, from, to, PROXY);
        if (proxy != Detection.MATCH) {
            return proxy;
        }
        int at = from + PROXY.length;
        if (Bytes.literal(seen, at, to, UNKNOWN) == Detection.MATCH) {
            return line(seen, from, at + UNKNOWN.length, to, -1);
        }
        Detection tcp4 = Bytes.literal(seen, at, to, TCP4);
        Detection tcp6 = Bytes.literal(seen, at, to, TCP6);
        if (tcp4 == Detection.MATCH || tcp6 == Detection.MATCH) {
            return line(seen, from, at + TCP4.length, to, 4);
        }
        boolean maybe = tcp4 == Detection.NEED_MORE || tcp6 == Detection.NEED_MORE
                || Bytes.literal(seen, at, to, UNKNOWN) == Detection.NEED_MORE;
        return maybe ? Detection.NEED_MORE : Detection.NO_MATCH;
    }

    /**
     * The rest of a version 1 line from {@code at}: with {@code fields} -1 any printable bytes, else exactly
     * that many address or port fields, separated by one space each.
     */
    private static Detection line(ByteBuf seen, int from, int at, int to, int fields) {
        int count = 0;
        boolean inField = false;
        for (; at < to; at++) {
            int c = seen.getUnsignedByte(at);
            if (c == '\r') {
                if (fields >= 0 && (count != fields || !inField)) {
                    return Detection.NO_MATCH;
                }
                if (at + 1 < to) {
                    return seen.getByte(at + 1) == '\n' ? Detection.MATCH : Detection.NO_MATCH;
                }
                break;
            }
            if (fields < 0) {
                if (c < 0x20 || c > 0x7e) {
                    return Detection.NO_MATCH;
                }
            } else if (c == ' ') {
                if (!inField || count == fields) {
                    return Detection.NO_MATCH;
                }
                inField = false;
            } else if (Bytes.digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':') {
                if (!inField) {
                    if (++count > fields) {
                        return Detection.NO_MATCH;
                    }
                    inField = true;
                }
            } else {
                return Detection.NO_MATCH;
            }
        }
        return to - from >= MAX_V1 ? Detection.NO_MATCH : Detection.NEED_MORE;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}

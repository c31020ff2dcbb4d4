package io.sluice.l4.detect;

import io.netty.buffer.ByteBuf;
import io.sluice.l4.Detection;
import io.sluice.l4.Detector;

/**
 * Detector {@code mqtt}: an MQTT CONNECT packet, the first a client sends. The first byte is 0x10 (CONNECT,
 * no flags); the remaining length is a variable byte integer of 1 to 4 bytes in its shortest form, large
 * enough for the variable header and a client identifier's length; then the protocol name and level: "MQTT"
 * with level 4 (3.1.1) or 5 (5.0), or "MQIsdp" with level 3 (3.1). A match once the level was seen; no match
 * at the first byte that cannot begin such a packet. Stateless; thread-safe.
 */
public final class MqttDetector implements Detector {
    private static final int CONNECT = 0x10;
    /** The variable header with the shorter name (10 bytes) and the client identifier's length (2). */
    private static final int LEAST = 10 + 2;
    private static final byte[] MQTT = {0, 4, 'M', 'Q', 'T', 'T'};
    private static final byte[] MQISDP = {0, 6, 'M', 'Q', 'I', 's', 'd', 'p'};

    @Override
    public String protocol() {
        return "mqtt";
    }

    @Override
    public Detection detect(ByteBuf seen) {
        int from = seen.readerIndex();
        int to = seen.writerIndex();
        if (from == to) {
            return Detection.NEED_MORE;
        }
        if (seen.getUnsignedByte(from) != CONNECT) {
            return Detection.NO_MATCH;
        }
        int remaining = 0;
        int at = from + 1;
        for (int i = 0; ; i++, at++) {
            if (at == to) {
                return Detection.NEED_MORE;
            }
            int b = seen.getUnsignedByte(at);
            if (i > 0 && b == 0) {
                return Detection.NO_MATCH; // a longer form than needed: malformed (MQTT 5.0 section 1.5.5)
            }
            remaining |= (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                at++;
                break;
            }
            if (i == 3) {
                return Detection.NO_MATCH;
            }
        }
        if (remaining < LEAST) {
            return Detection.NO_MATCH;
        }
        Detection mqtt = name(seen, at, to, MQTT, remaining, LEAST, 4, 5);
        if (mqtt != Detection.NO_MATCH) {
            return mqtt;
        }
        return name(seen, at, to, MQISDP, remaining, 12 + 2, 3, 3);
    }

    /**
     * The protocol name {@code name} at {@code at} and a level from {@code lowest} to {@code highest} after it,
     * in a packet of {@code remaining} bytes that must be at least {@code least}.
     */
    private static Detection name(ByteBuf seen, int at, int to, byte[] name, int remaining, int least,
            int lowest, int highest) {
        Detection d = Bytes.literal(seen, at, to, name);
        if (d != Detection.MATCH) {
            return d;
        }
        if (remaining < least) {
            return Detection.NO_MATCH;
        }
        int level = at + name.length;
        if (level == to) {
            return Detection.NEED_MORE;
        }
        int v = seen.getUnsignedByte(level);
        return v >= lowest && v <= highest ? Detection.MATCH : Detection.NO_MATCH;
    }
}

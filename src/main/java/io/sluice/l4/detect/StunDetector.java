package io.sluice.l4.detect;

import io.netty.buffer.ByteBuf;
import io.sluice.l4.Detection;
import io.sluice.l4.Detector;

/**
 * Detector {@code stun}, for UDP: a STUN message (RFC 8489 section 5), that is a 20-byte header whose first two
 * bits are 0, whose message length is a multiple of 4 and exactly the datagram's length less the header, and
 * whose bytes 4 to 7 are the magic cookie 0x2112A442. Any method and class (a Binding request, a TURN
 * Allocate, an indication). TURN ChannelData messages are no match. Stateless; thread-safe.
 */
public final class StunDetector implements Detector {
    private static final int HEADER = 20;
    private static final int MAGIC_COOKIE = 0x2112A442;

    @Override
    public String protocol() {
        return "stun";
    }

    @Override
    public boolean stream() {
        return false;
    }

    @Override
    public boolean datagram() {
        return true;
    }

    @Override
    public Detection detect(ByteBuf seen) {
        int from = seen.readerIndex();
        int size = seen.writerIndex() - from;
        if (size < HEADER || (seen.getUnsignedByte(from) & 0xc0) != 0) {
            return Detection.NO_MATCH;
        }
        int length = seen.getUnsignedShort(from + 2);
        boolean fits = length % 4 == 0 && length == size - HEADER;
        return fits && seen.getInt(from + 4) == MAGIC_COOKIE ? Detection.MATCH : Detection.NO_MATCH;
    }
}

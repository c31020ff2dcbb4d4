package io.sluice.l4.detect;

import io.netty.buffer.ByteBuf;
import io.sluice.l4.Detection;
import io.sluice.l4.Detector;

/**
 * Detector {@code dns}, for UDP: a DNS query (RFC 1035 section 4.1). The datagram holds a 12-byte header with
 * the QR bit clear (a query, not a response), opcode QUERY (0), NOTIFY (4) or UPDATE (5) (2, the retired
 * STATUS, too), response code 0, and 1 to {@value #MAX_QUESTIONS} questions; the first question's name is
 * a sequence of labels of at most 63 bytes, at most 255 bytes in all, with no compression pointer (there is
 * nothing before it to point at), followed by QTYPE and a QCLASS of IN, CH, HS, NONE or ANY (the mDNS
 * unicast-response bit aside). Only the first question is read. Stateless; thread-safe.
 */
public final class DnsDetector implements Detector {
    private static final int HEADER = 12;
    private static final int MAX_QUESTIONS = 4;
    private static final int MAX_NAME = 255;
    private static final int MAX_LABEL = 63;

    @Override
    public String protocol() {
        return "dns";
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
        int to = seen.writerIndex();
        if (to - from < HEADER) {
            return Detection.NO_MATCH;
        }
        int flags = seen.getUnsignedShort(from + 2);
        int opcode = flags >> 11 & 0xf;
        boolean query = (flags & 0x8000) == 0;
        if (!query || !(opcode == 0 || opcode == 2 || opcode == 4 || opcode == 5) || (flags & 0xf) != 0) {
            return Detection.NO_MATCH;
        }
        int questions = seen.getUnsignedShort(from + 4);
        if (questions < 1 || questions > MAX_QUESTIONS) {
            return Detection.NO_MATCH;
        }
        int at = from + HEADER;
        int name = 0;
        while (true) {
            if (at >= to) {
                return Detection.NO_MATCH;
            }
            int label = seen.getUnsignedByte(at);
            if (label > MAX_LABEL) {
                return Detection.NO_MATCH; // a pointer (0xC0) or a label type RFC 6891 retired
            }
            name += 1 + label;
            if (name > MAX_NAME) {
                return Detection.NO_MATCH;
            }
            at += 1 + label;
            if (label == 0) {
                break;
            }
        }
        if (to - at < 4) {
            return Detection.NO_MATCH;
        }
        int qclass = seen.getUnsignedShort(at + 2) & 0x7fff;
        boolean known = qclass == 1 || qclass == 3 || qclass == 4 || qclass == 254 || qclass == 255;
        return known ? Detection.MATCH : Detection.NO_MATCH;
    }
}

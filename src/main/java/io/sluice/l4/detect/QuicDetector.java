package io.sluice.l4.detect;

import io.netty.buffer.ByteBuf;
import io.sluice.l4.Detection;
import io.sluice.l4.Detector;
import java.util.List;

/**
 * Detector {@code quic}, for UDP: a datagram that begins with a QUIC long-header packet (RFC 9000 section
 * 17.2) of version 1 or version 2 (RFC 9369): the header form and fixed bits set, the version, and
 * destination and source connection IDs of at most 20 bytes each, inside the datagram. Any long packet type
 * matches (a client's first datagram holds an Initial, perhaps with 0-RTT after it).
 * <p>For an Initial packet the match carries the server name and ALPN protocols of the ClientHello in it:
 * the packet is unprotected with the Initial keys that anyone can derive from its destination connection ID
 * (RFC 9001 section 5.2; {@link QuicInitial}) and the ClientHello is read from its CRYPTO frames. When that
 * fails (a ClientHello spread over several datagrams, a packet that does not decrypt), the datagram still
 * matches, without a server name. Datagrams under 1200 bytes are not refused here, though a server drops an
 * Initial in one. Stateless; thread-safe.
 */
public final class QuicDetector implements Detector {
    static final int VERSION_1 = 0x00000001;
    static final int VERSION_2 = 0x6b3343cf;
    private static final int MAX_CID = 20;

    @Override
    public String protocol() {
        return "quic";
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
        if (to - from < 7) {
            return Detection.NO_MATCH;
        }
        int first = seen.getUnsignedByte(from);
        int version = seen.getInt(from + 1);
        if ((first & 0xc0) != 0xc0 || (version != VERSION_1 && version != VERSION_2)) {
            return Detection.NO_MATCH;
        }
        int dcid = seen.getUnsignedByte(from + 5);
        int scidAt = from + 6 + dcid;
        if (dcid > MAX_CID || scidAt >= to) {
            return Detection.NO_MATCH;
        }
        int scid = seen.getUnsignedByte(scidAt);
        if (scid > MAX_CID || scid > to - scidAt - 1) {
            return Detection.NO_MATCH;
        }
        int type = first >> 4 & 0x3;
        boolean initial = version == VERSION_1 ? type == 0 : type == 1;
        if (!initial) {
            return Detection.MATCH;
        }
        Detection hello = QuicInitial.clientHello(seen, from, to, version);
        return hello.matched() ? hello : Detection.match(null, List.of());
    }
}

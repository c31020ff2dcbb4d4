package io.sluice.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.zip.CRC32;

/** Builds STUN messages byte by byte for tests, apart from {@link StunWriter}, with the JDK's CRC-32. */
final class StunTestMessages {
    /** The transaction id of RFC 5769's samples. */
    static final byte[] RFC5769_ID = HexFormat.of().parseHex("b7e7a701bc34d686fa87dfae");

    private final ByteBuf buf = Unpooled.buffer();

    private StunTestMessages(int type, int cookie, byte[] id) {
        buf.writeShort(type).writeShort(0).writeInt(cookie).writeBytes(id);
    }

    /** A message of {@code type} with the magic cookie and {@code id} (12 bytes). */
    static StunTestMessages of(int type, byte[] id) {
        return new StunTestMessages(type, Stun.MAGIC_COOKIE, id);
    }

    /** An RFC 3489 message: 16 bytes of transaction id where the cookie would be. */
    static StunTestMessages classic(int type, byte[] id16) {
        StunTestMessages m = new StunTestMessages(type, 0, new byte[0]);
        m.buf.writerIndex(4);
        m.buf.writeBytes(id16);
        return m;
    }

    /** Appends an attribute, padded to four bytes. */
    StunTestMessages attr(int type, byte[] value) {
        buf.writeShort(type).writeShort(value.length).writeBytes(value);
        buf.writeZero((4 - value.length % 4) % 4);
        return this;
    }

    /** Appends FINGERPRINT over everything so far, the length field counting it. */
    StunTestMessages fingerprint() {
        buf.setShort(2, buf.writerIndex() - 20 + 8);
        CRC32 crc = new CRC32();
        crc.update(bytesSoFar());
        buf.writeShort(Stun.FINGERPRINT).writeShort(4).writeInt((int) crc.getValue() ^ 0x5354554E);
        return this;
    }

    private byte[] bytesSoFar() {
        byte[] b = new byte[buf.writerIndex()];
        buf.getBytes(0, b);
        return b;
    }

    /** The message with its length field set (unless {@link #fingerprint} set it). */
    byte[] bytes() {
        if (buf.getShort(2) == 0) {
            buf.setShort(2, buf.writerIndex() - 20);
        }
        return bytesSoFar();
    }

    /** The message with whatever length field it has now (for malformed ones). */
    byte[] raw() {
        return bytesSoFar();
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }
}

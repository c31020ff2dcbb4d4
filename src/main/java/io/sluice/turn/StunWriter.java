package io.sluice.turn;

import io.netty.buffer.ByteBuf;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Writes STUN messages into a buffer: a header that answers a request, attributes padded to four bytes, then
 * {@link #finish} or {@link #fingerprint} to set the length. Stateless; each method writes at the buffer's
 * writer index and returns nothing to keep but the message's start.
 */
public final class StunWriter {
    private StunWriter() {
    }

    /**
     * Starts the answer of {@code method} and class {@code cls} to {@code request}: its type, a length to be set
     * later, and the request's bytes 4-19 (magic cookie and transaction id, or an RFC 3489 transaction id).
     *
     * @return where the answer starts in {@code out}
     */
    public static int answer(ByteBuf out, StunMessage request, int method, int cls) {
        return answer(out, request.buffer(), request.start(), method, cls);
    }

    /** {@link #answer(ByteBuf, StunMessage, int, int)} for a message at {@code from} in {@code in}, checked or not. */
    public static int answer(ByteBuf out, ByteBuf in, int from, int method, int cls) {
        int start = out.writerIndex();
        out.writeShort(Stun.messageType(method, cls));
        out.writeShort(0);
        out.writeBytes(in, from + 4, 16);
        return start;
    }

    /** Writes a MAPPED-ADDRESS style attribute of {@code type}: the address as it is. */
    public static void address(ByteBuf out, int type, InetSocketAddress address) {
        writeAddress(out, -1, type, address);
    }

    /**
     * Writes an XOR-MAPPED-ADDRESS style attribute of {@code type} into the message that starts at {@code start}:
     * the port XORed with the cookie's top half, the address with the cookie (and for IPv6 the transaction id).
     */
    public static void xorAddress(ByteBuf out, int start, int type, InetSocketAddress address) {
        writeAddress(out, start, type, address);
    }

    private static void writeAddress(ByteBuf out, int xorStart, int type, InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        boolean v4 = ip instanceof Inet4Address;
        int port = address.getPort();
        out.writeShort(type);
        out.writeShort(v4 ? 8 : 20);
        out.writeByte(0);
        out.writeByte(v4 ? Stun.FAMILY_IPV4 : Stun.FAMILY_IPV6);
        byte[] a = ip.getAddress();
        if (v4) {
            int x = ((a[0] & 0xff) << 24) | ((a[1] & 0xff) << 16) | ((a[2] & 0xff) << 8) | (a[3] & 0xff);
            if (xorStart >= 0) {
                out.writeShort(port ^ (Stun.MAGIC_COOKIE >>> 16));
                out.writeInt(x ^ Stun.MAGIC_COOKIE);
            } else {
                out.writeShort(port);
                out.writeInt(x);
            }
            return;
        }
        if (xorStart < 0) {
            out.writeShort(port);
            out.writeBytes(a);
            return;
        }
        out.writeShort(port ^ (Stun.MAGIC_COOKIE >>> 16));
        for (int i = 0; i < 16; i++) { // cookie then transaction id: the header's bytes 4-19
            out.writeByte(a[i] ^ out.getByte(xorStart + 4 + i));
        }
    }

    /** Writes an attribute whose value is {@code value}, padded with zeros to a multiple of four. */
    public static void attribute(ByteBuf out, int type, byte[] value) {
        out.writeShort(type);
        out.writeShort(value.length);
        out.writeBytes(value);
        pad(out, value.length);
    }

    /** Writes ERROR-CODE: {@code code} (300-699) and a reason phrase. */
    public static void errorCode(ByteBuf out, int code, String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        out.writeShort(Stun.ERROR_CODE);
        out.writeShort(4 + text.length);
        out.writeShort(0);
        out.writeByte(code / 100);
        out.writeByte(code % 100);
        out.writeBytes(text);
        pad(out, text.length);
    }

    /** Writes UNKNOWN-ATTRIBUTES listing the first {@code n} of {@code types}. */
    public static void unknownAttributes(ByteBuf out, int[] types, int n) {
        out.writeShort(Stun.UNKNOWN_ATTRIBUTES);
        out.writeShort(2 * n);
        for (int i = 0; i < n; i++) {
            out.writeShort(types[i]);
        }
        pad(out, 2 * n);
    }

    private static void pad(ByteBuf out, int length) {
        out.writeZero((4 - (length & 3)) & 3);
    }

    /** Sets the length of the message that starts at {@code start} to what has been written since. */
    public static void finish(ByteBuf out, int start) {
        out.setShort(start + 2, out.writerIndex() - start - Stun.HEADER);
    }

    /** Ends the message that starts at {@code start} with a FINGERPRINT, its length counting it. */
    public static void fingerprint(ByteBuf out, int start) {
        out.setShort(start + 2, out.writerIndex() - start - Stun.HEADER + 8);
        int crc = StunMessage.crc32(out, start, out.writerIndex() - start);
        out.writeShort(Stun.FINGERPRINT);
        out.writeShort(4);
        out.writeInt(crc ^ Stun.FINGERPRINT_XOR);
    }
}

package io.sluice.l4.detect;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.sluice.l4.Detection;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Reads the ClientHello out of a client's QUIC Initial packet. Initial packets are protected, but with keys
 * anyone derives from the packet's destination connection ID and a salt the version publishes (RFC 9001
 * section 5.2, RFC 9369 section 3.3.1); so: HKDF-SHA256 for the client's key, IV and header protection key,
 * AES-128-ECB on the 16-byte sample to remove header protection (section 5.4), AES-128-GCM to open the
 * payload (section 5.3), then the CRYPTO frames of this one packet put back in order from offset 0 (PADDING,
 * PING and ACK frames skipped; reading stops at any other frame). JDK crypto only. Everything it allocates is
 * bounded by the datagram's size. Stateless; thread-safe.
 */
final class QuicInitial {
    private static final byte[] SALT_V1 = hex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a");
    private static final byte[] SALT_V2 = hex("0dede3def700a6db819381be6e269dcbf9bd2ed9");
    private static final int SAMPLE = 16;
    private static final int TAG = 16;
    private static final int MAX_CRYPTO_FRAMES = 32;
    private static final int PADDING = 0x00;
    private static final int PING = 0x01;
    private static final int ACK = 0x02;
    private static final int ACK_ECN = 0x03;
    private static final int CRYPTO = 0x06;

    private QuicInitial() {
    }

    /**
     * The ClientHello of the Initial packet at {@code from} (its long header already checked by the caller):
     * a match with what it says, or NO_MATCH or NEED_MORE when it could not be read whole from this datagram.
     */
    static Detection clientHello(ByteBuf d, int from, int to, int version) {
        int at = from + 5;
        byte[] dcid = new byte[d.getUnsignedByte(at)];
        d.getBytes(at + 1, dcid);
        at += 1 + dcid.length;
        at += 1 + d.getUnsignedByte(at); // source connection ID
        long token = varint(d, at, to);
        if (token < 0 || token > to - at - size(d, at)) {
            return Detection.NO_MATCH;
        }
        at += size(d, at) + (int) token;
        long length = varint(d, at, to);
        if (length < 0 || length > to - at - size(d, at)) {
            return Detection.NO_MATCH;
        }
        at += size(d, at);
        if (length < 4 + SAMPLE) {
            return Detection.NO_MATCH; // too short to carry the header protection sample
        }
        try {
            byte[] plain = open(d, from, at, at + (int) length, dcid, version);
            return plain == null ? Detection.NO_MATCH : crypto(Unpooled.wrappedBuffer(plain));
        } catch (GeneralSecurityException e) {
            return Detection.NO_MATCH; // does not decrypt (AEADBadTagException), or the JDK lacks AES-GCM
        }
    }

    /**
     * The payload of the packet from {@code from} to {@code end} whose packet number starts at {@code pn},
     * unprotected; null when it is too short.
     */
    private static byte[] open(ByteBuf d, int from, int pn, int end, byte[] dcid, int version)
            throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        byte[] initial = hmac(mac, version == QuicDetector.VERSION_1 ? SALT_V1 : SALT_V2, dcid);
        byte[] client = expandLabel(mac, initial, "client in", 32);
        String prefix = version == QuicDetector.VERSION_1 ? "quic " : "quicv2 ";
        byte[] key = expandLabel(mac, client, prefix + "key", 16);
        byte[] iv = expandLabel(mac, client, prefix + "iv", 12);
        byte[] hp = expandLabel(mac, client, prefix + "hp", 16);

        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(hp, "AES"));
        byte[] sample = new byte[SAMPLE];
        d.getBytes(pn + 4, sample);
        byte[] mask = ecb.doFinal(sample);
        int first = d.getUnsignedByte(from) ^ (mask[0] & 0x0f);
        int pnLength = (first & 0x03) + 1;
        if (end - pn - pnLength < TAG) {
            return null;
        }
        byte[] header = new byte[pn - from + pnLength];
        d.getBytes(from, header);
        header[0] = (byte) first;
        long number = 0;
        for (int i = 0; i < pnLength; i++) {
            int at = pn - from + i;
            header[at] ^= mask[1 + i];
            number = number << 8 | (header[at] & 0xff);
        }
        byte[] nonce = iv.clone();
        for (int i = 0; i < 8; i++) {
            nonce[nonce.length - 1 - i] ^= (byte) (number >>> (8 * i));
        }
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(8 * TAG, nonce));
        gcm.updateAAD(header);
        byte[] sealed = new byte[end - pn - pnLength];
        d.getBytes(pn + pnLength, sealed);
        return gcm.doFinal(sealed);
    }

    /** The ClientHello in the CRYPTO frames of a payload, put together from offset 0. */
    private static Detection crypto(ByteBuf p) {
        int to = p.writerIndex();
        int[] offsets = new int[MAX_CRYPTO_FRAMES];
        int[] lengths = new int[MAX_CRYPTO_FRAMES];
        int[] starts = new int[MAX_CRYPTO_FRAMES];
        int frames = 0;
        int at = 0;
        while (at < to && frames < MAX_CRYPTO_FRAMES) {
            int type = p.getUnsignedByte(at++);
            if (type == PADDING || type == PING) {
                continue;
            }
            if (type == ACK || type == ACK_ECN) {
                at = skipAck(p, at, to, type == ACK_ECN);
                continue;
            }
            if (type != CRYPTO) {
                break;
            }
            long offset = varint(p, at, to);
            at += offset < 0 ? 0 : size(p, at);
            long length = varint(p, at, to);
            if (offset < 0 || length < 0 || length > to - at - size(p, at)) {
                break;
            }
            at += size(p, at);
            if (offset < ClientHello.MAX) {
                offsets[frames] = (int) offset;
                lengths[frames] = (int) Math.min(length, ClientHello.MAX - offset);
                starts[frames] = at;
                frames++;
            }
            at += (int) length;
        }
        int covered = 0;
        for (boolean grew = true; grew; ) {
            grew = false;
            for (int i = 0; i < frames; i++) {
                if (offsets[i] <= covered && offsets[i] + lengths[i] > covered) {
                    covered = offsets[i] + lengths[i];
                    grew = true;
                }
            }
        }
        if (covered == 0) {
            return Detection.NO_MATCH;
        }
        byte[] hello = new byte[covered];
        for (int i = 0; i < frames; i++) {
            int n = Math.min(lengths[i], covered - offsets[i]);
            if (n > 0) {
                p.getBytes(starts[i], hello, offsets[i], n);
            }
        }
        return ClientHello.parse(Unpooled.wrappedBuffer(hello), 0, covered);
    }

    /** Where the ACK frame whose type byte ends at {@code at} ends; {@code to} when it does not fit. */
    private static int skipAck(ByteBuf p, int at, int to, boolean ecn) {
        long ranges = 0;
        for (int field = 0; field < 4 + (ecn ? 3 : 0) + 2 * ranges; field++) {
            long v = varint(p, at, to);
            if (v < 0) {
                return to;
            }
            if (field == 2) {
                ranges = Math.min(v, to); // each range takes at least two bytes: more cannot fit
            }
            at += size(p, at);
        }
        return at;
    }

    /** The variable-length integer at {@code at} (RFC 9000 section 16), or -1 when it is not all there. */
    static long varint(ByteBuf b, int at, int to) {
        if (at >= to) {
            return -1;
        }
        int size = size(b, at);
        if (size > to - at) {
            return -1;
        }
        long v = b.getUnsignedByte(at) & 0x3f;
        for (int i = 1; i < size; i++) {
            v = v << 8 | b.getUnsignedByte(at + i);
        }
        return v;
    }

    /** How many bytes the variable-length integer at {@code at} takes: 1, 2, 4 or 8. */
    private static int size(ByteBuf b, int at) {
        return 1 << (b.getUnsignedByte(at) >> 6);
    }

    private static byte[] hmac(Mac mac, byte[] key, byte[] data) throws GeneralSecurityException {
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    /** TLS 1.3's HKDF-Expand-Label with an empty context, for at most 32 bytes (one HMAC block). */
    static byte[] expandLabel(Mac mac, byte[] secret, String label, int length) throws GeneralSecurityException {
        byte[] name = ("tls13 " + label).getBytes(StandardCharsets.US_ASCII);
        byte[] info = new byte[2 + 1 + name.length + 1 + 1];
        info[1] = (byte) length;
        info[2] = (byte) name.length;
        System.arraycopy(name, 0, info, 3, name.length);
        info[info.length - 1] = 1; // the context is empty; then HKDF-Expand's block counter
        return Arrays.copyOf(hmac(mac, secret, info), length);
    }

    private static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}

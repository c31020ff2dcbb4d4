package io.sluice.turn;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.function.IntPredicate;
import java.util.zip.CRC32;

/**
 * A checked view of one STUN message in a buffer, without copying it: {@link #wrap} checks the header, walks
 * every attribute once and checks the FINGERPRINT, then the accessors read attributes where they lie. Parsing
 * allocates nothing; the buffer is neither retained nor read from (its reader index stays).
 *
 * <p>What is refused, each with its {@link Problem}: fewer than 20 bytes; either of the top two bits set (not
 * STUN: TURN's ChannelData or another protocol); a length that is not a multiple of 4 or does not end exactly
 * where the bytes end; an attribute whose padded value runs past the end; any attribute after
 * FINGERPRINT; a MESSAGE-INTEGRITY of other than 20 bytes, a MESSAGE-INTEGRITY-SHA256 of other than 16-32 in
 * fours, a FINGERPRINT of other than 4 or with the wrong CRC. As RFC 8489 says, attributes after
 * MESSAGE-INTEGRITY other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are skipped by the accessors.
 * A message whose bytes 4-7 are not the magic cookie is an RFC 3489 one ({@link #classic()}); its 16-byte
 * transaction id spans bytes 4-19, so a response that copies those bytes answers either kind.
 *
 * <p>Not thread-safe: one instance per event loop (or per use), rewrapped for each message.
 */
public final class StunMessage {
    /** Why {@link #wrap} refused a message. */
    public enum Problem {
        TOO_SHORT("shorter than a STUN header"),
        NOT_STUN("the top two bits are not zero"),
        BAD_LENGTH("the length is not a multiple of 4"),
        LENGTH_MISMATCH("the length does not match the bytes received"),
        ATTRIBUTE_OVERFLOW("an attribute value runs past the end"),
        AFTER_FINGERPRINT("an attribute follows FINGERPRINT"),
        BAD_INTEGRITY("a MESSAGE-INTEGRITY attribute of the wrong size"),
        BAD_FINGERPRINT("a FINGERPRINT that does not match the message");

        private final String text;

        Problem(String text) {
            this.text = text;
        }

        /** What is wrong, for a reason phrase or a log line. */
        public String text() {
            return text;
        }
    }

    private static final FastThreadLocal<CRC32> CRC = new FastThreadLocal<>() {
        @Override
        protected CRC32 initialValue() {
            return new CRC32();
        }
    };

    private ByteBuf buf;
    private int start;
    private int end;
    private int type;
    private boolean classic;
    private int integrity;
    private int integritySha256;
    private int fingerprint;

    /**
     * Checks the message that fills {@code buf}'s readable bytes and makes this a view of it.
     *
     * @return null when the message is well formed, else what is wrong with it (this view is then unusable)
     */
    public Problem wrap(ByteBuf buf) {
        this.buf = null;
        int s = buf.readerIndex();
        int total = buf.readableBytes();
        if (total < Stun.HEADER) {
            return Problem.TOO_SHORT;
        }
        int t = buf.getUnsignedShort(s);
        if ((t & 0xC000) != 0) {
            return Problem.NOT_STUN;
        }
        int length = buf.getUnsignedShort(s + 2);
        if ((length & 3) != 0) {
            return Problem.BAD_LENGTH;
        }
        if (Stun.HEADER + length != total) {
            return Problem.LENGTH_MISMATCH;
        }
        int e = s + total;
        int mi = -1;
        int mi256 = -1;
        int fp = -1;
        int at = s + Stun.HEADER;
        while (at < e) {
            if (fp >= 0) {
                return Problem.AFTER_FINGERPRINT;
            }
            // e - at is a positive multiple of 4 here (the length is one, and so is every step): room for a header
            int kind = buf.getUnsignedShort(at);
            int len = buf.getUnsignedShort(at + 2);
            if (((len + 3) & ~3) > e - at - 4) {
                return Problem.ATTRIBUTE_OVERFLOW;
            }
            if (kind == Stun.MESSAGE_INTEGRITY && mi < 0 && mi256 < 0) {
                if (len != 20) {
                    return Problem.BAD_INTEGRITY;
                }
                mi = at;
            } else if (kind == Stun.MESSAGE_INTEGRITY_SHA256 && mi256 < 0) {
                if (len < 16 || len > 32 || (len & 3) != 0) {
                    return Problem.BAD_INTEGRITY;
                }
                mi256 = at;
            } else if (kind == Stun.FINGERPRINT) {
                if (len != 4) {
                    return Problem.BAD_FINGERPRINT;
                }
                fp = at;
            }
            at += 4 + ((len + 3) & ~3);
        }
        if (fp >= 0 && buf.getInt(fp + 4) != (crc32(buf, s, fp - s) ^ Stun.FINGERPRINT_XOR)) {
            return Problem.BAD_FINGERPRINT;
        }
        this.buf = buf;
        this.start = s;
        this.end = e;
        this.type = t;
        this.classic = buf.getInt(s + 4) != Stun.MAGIC_COOKIE;
        this.integrity = mi;
        this.integritySha256 = mi256;
        this.fingerprint = fp;
        return null;
    }

    /** The CRC-32 of {@code length} bytes of {@code buf} from {@code index}, as FINGERPRINT uses it. */
    static int crc32(ByteBuf buf, int index, int length) {
        CRC32 crc = CRC.get();
        crc.reset();
        if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + index, length);
        } else if (buf.nioBufferCount() == 1) {
            crc.update(buf.internalNioBuffer(index, length));
        } else {
            for (int i = 0; i < length; i++) {
                crc.update(buf.getByte(index + i));
            }
        }
        return (int) crc.getValue();
    }

    /** The buffer this views. */
    public ByteBuf buffer() {
        return buf;
    }

    /** Where the message starts in {@link #buffer()}. */
    public int start() {
        return start;
    }

    /** The message's length in bytes, header included. */
    public int length() {
        return end - start;
    }

    /** The 14-bit message type. */
    public int type() {
        return type;
    }

    /** The message's method, e.g. {@link Stun#BINDING}. */
    public int method() {
        return Stun.method(type);
    }

    /** The message's class: {@link Stun#REQUEST}, {@link Stun#INDICATION}, {@link Stun#SUCCESS} or {@link Stun#ERROR}. */
    public int messageClass() {
        return Stun.messageClass(type);
    }

    /** True for an RFC 3489 message: no magic cookie, and a 16-byte transaction id. */
    public boolean classic() {
        return classic;
    }

    /** Whether the message ends with a FINGERPRINT (checked by {@link #wrap}). */
    public boolean hasFingerprint() {
        return fingerprint >= 0;
    }

    /** Where the MESSAGE-INTEGRITY attribute starts, or -1. */
    public int integrity() {
        return integrity;
    }

    /** Where the MESSAGE-INTEGRITY-SHA256 attribute starts, or -1. */
    public int integritySha256() {
        return integritySha256;
    }

    /** Where the first attribute starts, or -1 when there is none. */
    public int firstAttribute() {
        return start + Stun.HEADER < end ? start + Stun.HEADER : -1;
    }

    /**
     * Where the attribute after the one at {@code at} starts, or -1 after the last one; attributes after
     * MESSAGE-INTEGRITY other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are skipped.
     */
    public int nextAttribute(int at) {
        int next = at + 4 + ((attributeLength(at) + 3) & ~3);
        int firstIntegrity = integrity >= 0 ? integrity : integritySha256;
        while (next < end) {
            int t = attributeType(next);
            if (firstIntegrity < 0 || next <= firstIntegrity || t == Stun.MESSAGE_INTEGRITY_SHA256
                    || t == Stun.FINGERPRINT) {
                return next;
            }
            next += 4 + ((attributeLength(next) + 3) & ~3);
        }
        return -1;
    }

    /** The type of the attribute at {@code at}. */
    public int attributeType(int at) {
        return buf.getUnsignedShort(at);
    }

    /** The value length (without padding) of the attribute at {@code at}. */
    public int attributeLength(int at) {
        return buf.getUnsignedShort(at + 2);
    }

    /** Where the value of the attribute at {@code at} starts. */
    public static int valueIndex(int at) {
        return at + 4;
    }

    /** Where the first attribute of {@code type} starts, or -1 when there is none. */
    public int find(int attributeType) {
        for (int at = firstAttribute(); at >= 0; at = nextAttribute(at)) {
            if (attributeType(at) == attributeType) {
                return at;
            }
        }
        return -1;
    }

    /**
     * Appends to {@code out}, after its first {@code n}, the comprehension-required attribute types that
     * {@code known} does not accept, each once, as many as fit.
     *
     * @return how many {@code out} now holds
     */
    public int unknownComprehensionRequired(IntPredicate known, int[] out, int n) {
        for (int at = firstAttribute(); at >= 0 && n < out.length; at = nextAttribute(at)) {
            int t = attributeType(at);
            if (Stun.comprehensionRequired(t) && !known.test(t) && !contains(out, n, t)) {
                out[n++] = t;
            }
        }
        return n;
    }

    private static boolean contains(int[] a, int n, int v) {
        for (int i = 0; i < n; i++) {
            if (a[i] == v) {
                return true;
            }
        }
        return false;
    }
}

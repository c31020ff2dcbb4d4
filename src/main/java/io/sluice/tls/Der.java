package io.sluice.tls;

import java.io.ByteArrayOutputStream;

/**
 * Just enough DER to re-wrap the traditional OpenSSL key forms into PKCS#8, which the JDK reads: an RSA
 * (PKCS#1) key gets the rsaEncryption algorithm around it; an EC (SEC 1) key gets id-ecPublicKey with the
 * curve named inside the key. Stateless; thread-safe.
 */
final class Der {
    private static final int SEQUENCE = 0x30;
    private static final int INTEGER = 0x02;
    private static final int OCTET_STRING = 0x04;
    private static final int NULL = 0x05;
    private static final int OID = 0x06;
    private static final int CONTEXT_0 = 0xA0;
    /** 1.2.840.113549.1.1.1 */
    private static final byte[] RSA_ENCRYPTION = {0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01,
        0x01, 0x01};
    /** 1.2.840.10045.2.1 */
    private static final byte[] EC_PUBLIC_KEY = {0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x02, 0x01};

    private Der() {
    }

    /** PKCS#8 around a PKCS#1 RSAPrivateKey. */
    static byte[] rsaToPkcs8(byte[] pkcs1) {
        byte[] algorithm = tlv(SEQUENCE, concat(tlv(OID, RSA_ENCRYPTION), tlv(NULL, new byte[0])));
        return tlv(SEQUENCE, concat(tlv(INTEGER, new byte[] {0}), algorithm, tlv(OCTET_STRING, pkcs1)));
    }

    /** PKCS#8 around a SEC 1 ECPrivateKey that names its curve; IllegalArgumentException when it cannot. */
    static byte[] ecToPkcs8(byte[] sec1) {
        Reader outer = new Reader(sec1, 0, sec1.length);
        Reader key = outer.enter(SEQUENCE);
        key.skip(INTEGER);
        key.skip(OCTET_STRING);
        byte[] curve = null;
        while (key.more()) {
            if (key.peek() == CONTEXT_0) {
                Reader params = key.enter(CONTEXT_0);
                if (params.peek() != OID) {
                    throw new IllegalArgumentException("its curve is given by explicit parameters, not by name");
                }
                curve = params.value(OID);
            } else {
                key.skip(key.peek());
            }
        }
        if (curve == null) {
            throw new IllegalArgumentException("it does not name its curve");
        }
        byte[] algorithm = tlv(SEQUENCE, concat(tlv(OID, EC_PUBLIC_KEY), tlv(OID, curve)));
        return tlv(SEQUENCE, concat(tlv(INTEGER, new byte[] {0}), algorithm, tlv(OCTET_STRING, sec1)));
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Reads tag-length-value items from {@code [pos, end)} of a buffer. */
    private static final class Reader {
        private final byte[] buf;
        private final int end;
        private int pos;

        Reader(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int peek() {
            if (pos >= end) {
                throw new IllegalArgumentException("it ends early");
            }
            return buf[pos] & 0xFF;
        }

        /** The contents of the next item, which must have {@code tag}, as a reader. */
        Reader enter(int tag) {
            int[] span = next(tag);
            return new Reader(buf, span[0], span[1]);
        }

        byte[] value(int tag) {
            int[] span = next(tag);
            byte[] out = new byte[span[1] - span[0]];
            System.arraycopy(buf, span[0], out, 0, out.length);
            return out;
        }

        void skip(int tag) {
            next(tag);
        }

        private int[] next(int tag) {
            if (peek() != tag) {
                throw new IllegalArgumentException("unexpected DER tag " + peek());
            }
            pos++;
            int len = peekByte();
            pos++;
            if (len >= 0x80) {
                int count = len & 0x7F;
                if (count == 0 || count > 3) {
                    throw new IllegalArgumentException("bad DER length");
                }
                len = 0;
                for (int i = 0; i < count; i++) {
                    len = (len << 8) | peekByte();
                    pos++;
                }
            }
            int start = pos;
            if (len > end - start) {
                throw new IllegalArgumentException("it ends early");
            }
            pos = start + len;
            return new int[] {start, pos};
        }

        private int peekByte() {
            if (pos >= end) {
                throw new IllegalArgumentException("it ends early");
            }
            return buf[pos] & 0xFF;
        }
    }
}

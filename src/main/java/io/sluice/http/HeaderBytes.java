package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * What {@link HeaderBlock} does with bytes and names: compares a value in place (whole, as a number, or as a
 * comma-separated list), writes a name or value, and checks names and values that are added. Stateless.
 */
final class HeaderBytes {
    private HeaderBytes() {
    }

    /** ASCII lower case of {@code c}. */
    static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    }

    /** {@code b[s, e)} as 1 to 18 decimal digits, or -1 when it is anything else. */
    static long digits(byte[] b, int s, int e) {
        if (e - s < 1 || e - s > 18) {
            return -1;
        }
        long n = 0;
        for (int i = s; i < e; i++) {
            int c = b[i];
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** Whether {@code b[s, e)}, read as Latin-1, is {@code v} (ignoring ASCII case if asked). */
    static boolean equals(byte[] b, int s, int e, CharSequence v, boolean ignoreCase) {
        if (e - s != v.length()) {
            return false;
        }
        for (int j = 0; j < e - s; j++) {
            int a = b[s + j] & 0xFF;
            int c = v.charAt(j);
            if (a != c && (!ignoreCase || lower(a) != lower(c))) {
                return false;
            }
        }
        return true;
    }

    /** Whether the comma-separated list in {@code b[s, e)} has {@code v} as an element (trimmed, as Netty trims). */
    static boolean listHas(byte[] b, int s, int e, CharSequence v, boolean ignoreCase) {
        int i = s;
        while (true) {
            int comma = i;
            while (comma < e && b[comma] != ',') {
                comma++;
            }
            int ts = i;
            int te = comma;
            while (ts < te && (b[ts] & 0xFF) <= ' ') {
                ts++;
            }
            while (te > ts && (b[te - 1] & 0xFF) <= ' ') {
                te--;
            }
            if (equals(b, ts, te, v, ignoreCase)) {
                return true;
            }
            if (comma == e) {
                return false;
            }
            i = comma + 1;
        }
    }

    /** Writes {@code s} as Latin-1, an AsciiString's bytes straight from its array. */
    static void writeAscii(ByteBuf buf, CharSequence s) {
        if (s instanceof AsciiString a) {
            buf.writeBytes(a.array(), a.arrayOffset(), a.length());
        } else {
            buf.writeCharSequence(s, StandardCharsets.ISO_8859_1);
        }
    }

    /** Whether {@code name} is a field a trailer section may not carry: it would reframe the message. */
    static boolean framing(CharSequence name) {
        return AsciiString.contentEqualsIgnoreCase(name, "content-length")
                || AsciiString.contentEqualsIgnoreCase(name, "transfer-encoding")
                || AsciiString.contentEqualsIgnoreCase(name, "trailer");
    }

    /** A name must be a token (RFC 9110 5.1), as Netty's headers require. */
    static void checkName(CharSequence name) {
        if (name.length() == 0 || HttpHeaderValidationUtil.validateToken(name) >= 0) {
            throw new IllegalArgumentException("header name '" + name + "' is not a token");
        }
    }

    /** A value is checked as Netty's own headers check it: no control characters, no blank at the start. */
    static void checkValue(CharSequence value) {
        int bad = HttpHeaderValidationUtil.validateValidHeaderValue(value);
        if (bad >= 0) {
            throw new IllegalArgumentException("header value has a character not allowed there at index " + bad);
        }
    }
}

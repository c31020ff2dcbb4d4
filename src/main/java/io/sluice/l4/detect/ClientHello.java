package io.sluice.l4.detect;

import io.netty.buffer.ByteBuf;
import io.sluice.l4.Detection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a TLS ClientHello handshake message (RFC 8446 section 4.1.2, RFC 5246 section 7.4.1.2) for the
 * server name (RFC 6066 section 3) and the offered application protocols (RFC 7301). Shared by the
 * {@code tls} detector, which takes the message out of TLS records, and the {@code quic} one, which takes it
 * out of CRYPTO frames.
 * <p>The message may be incomplete: every length is checked against the length that encloses it first, so a
 * message that cannot be well formed is refused even before its end arrives, and one that still can is
 * answered with NEED_MORE. Messages over {@link #MAX} bytes are not read to the end: once that much was
 * seen without a fault, the answer is a match without a server name. Stateless; thread-safe.
 */
final class ClientHello {
    /** The most bytes of one ClientHello message (its 4-byte header included) that are read. */
    static final int MAX = 16 * 1024;
    /** The most application protocol names kept; further names are read (and checked) but not kept. */
    static final int MAX_ALPN = 32;

    private static final int CLIENT_HELLO = 1;
    private static final int SERVER_NAME = 0;
    private static final int ALPN = 16;
    private static final int HOST_NAME = 0;
    private static final int MAX_HOST = 255;

    private ClientHello() {
    }

    /**
     * Reads the handshake message that starts at {@code from}; the bytes up to {@code to} are present (to the
     * reader they are the message's first bytes, whatever follows them).
     */
    static Detection parse(ByteBuf b, int from, int to) {
        boolean capped = to - from >= MAX;
        Reader r = new Reader(b, capped ? from + MAX : to);
        r.pos = from;
        Detection d = body(r, from);
        if (d == Detection.NEED_MORE && capped) {
            return Detection.match(null, List.of()); // plausible for MAX bytes: TLS, server name unread
        }
        return d;
    }

    private static Detection body(Reader r, int from) {
        int type = r.u8(from + 4);
        if (r.failed()) {
            return r.fault;
        }
        if (type != CLIENT_HELLO) {
            return Detection.NO_MATCH;
        }
        int length = r.u24(from + 4);
        int end = from + 4 + length;
        int version = r.u16(end);
        if (!r.failed() && version >> 8 != 3) {
            return Detection.NO_MATCH;
        }
        r.skip(32, end); // random
        int session = r.u8(end);
        if (!r.failed() && session > 32) {
            return Detection.NO_MATCH;
        }
        r.skip(session, end);
        int suites = r.u16(end);
        if (!r.failed() && (suites < 2 || suites % 2 != 0)) {
            return Detection.NO_MATCH;
        }
        r.skip(suites, end);
        int compressions = r.u8(end);
        if (!r.failed() && compressions < 1) {
            return Detection.NO_MATCH;
        }
        r.skip(compressions, end);
        if (r.failed()) {
            return r.fault;
        }
        if (r.pos == end) {
            return Detection.match(null, List.of()); // a TLS 1.0-1.2 hello may carry no extensions at all
        }
        int extensions = r.u16(end);
        if (!r.failed() && extensions != end - r.pos) {
            return Detection.NO_MATCH;
        }
        return extensions(r, end);
    }

    private static Detection extensions(Reader r, int end) {
        String sni = null;
        boolean sawSni = false;
        List<String> alpn = null;
        while (!r.failed() && r.pos < end) {
            int type = r.u16(end);
            int length = r.u16(end);
            if (r.failed()) {
                break;
            }
            if (length > end - r.pos) {
                return Detection.NO_MATCH;
            }
            int dataEnd = r.pos + length;
            if (type == SERVER_NAME) {
                if (sawSni) {
                    return Detection.NO_MATCH; // a repeated extension: which name would count?
                }
                sawSni = true;
                sni = serverName(r, dataEnd);
            } else if (type == ALPN) {
                if (alpn != null) {
                    return Detection.NO_MATCH;
                }
                alpn = protocols(r, dataEnd);
            } else {
                r.skip(length, dataEnd);
            }
            if (!r.failed() && r.pos != dataEnd) {
                return Detection.NO_MATCH;
            }
        }
        if (r.failed()) {
            return r.fault;
        }
        return Detection.match(sni, alpn == null ? List.of() : alpn);
    }

    /** The host_name of a server_name extension, lower case; null when it has none or a fault was marked. */
    private static String serverName(Reader r, int end) {
        int list = r.u16(end);
        if (!r.failed() && (list == 0 || list != end - r.pos)) {
            r.refuse();
        }
        String host = null;
        while (!r.failed() && r.pos < end) {
            int type = r.u8(end);
            int length = r.u16(end);
            if (!r.failed() && length == 0) {
                r.refuse();
            }
            if (type == HOST_NAME && !r.failed()) {
                if (host != null || length > MAX_HOST) {
                    r.refuse(); // RFC 6066: one name of each type; a DNS name has at most 255 octets
                } else if (r.require(length, end)) {
                    host = hostName(r.b, r.pos, length);
                    if (host == null) {
                        r.refuse();
                    }
                }
            }
            r.skip(length, end);
        }
        return r.failed() ? null : host;
    }

    /** A host name as RFC 6066 allows it (ASCII letters, digits, '-', '.', and '_' as some use), lower case. */
    private static String hostName(ByteBuf b, int from, int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            int c = b.getUnsignedByte(from + i);
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            } else if (!(Bytes.letter(c) || Bytes.digit(c) || c == '-' || c == '.' || c == '_')) {
                return null;
            }
            out[i] = (char) c;
        }
        return new String(out);
    }

    /** The protocol names of an ALPN extension, in the client's order; a fault is marked on the reader. */
    private static List<String> protocols(Reader r, int end) {
        int list = r.u16(end);
        if (!r.failed() && (list < 2 || list != end - r.pos)) {
            r.refuse();
        }
        List<String> names = new ArrayList<>();
        while (!r.failed() && r.pos < end) {
            int length = r.u8(end);
            if (!r.failed() && length == 0) {
                r.refuse();
            }
            if (r.require(length, end) && names.size() < MAX_ALPN) {
                // ALPN names are opaque bytes; ISO-8859-1 keeps each byte as one char
                names.add(r.b.toString(r.pos, length, StandardCharsets.ISO_8859_1));
            }
            r.skip(length, end);
        }
        return names;
    }

    /**
     * A cursor over the message. A read past the length that encloses it marks the message malformed
     * (NO_MATCH); a read past the bytes present marks it incomplete (NEED_MORE). After either, every read
     * answers -1 and the first fault stays. One per parse; not thread-safe.
     */
    private static final class Reader {
        final ByteBuf b;
        final int present;
        int pos;
        Detection fault;

        Reader(ByteBuf b, int present) {
            this.b = b;
            this.present = present;
        }

        boolean failed() {
            return fault != null;
        }

        void refuse() {
            if (fault == null) {
                fault = Detection.NO_MATCH;
            }
        }

        /** Whether {@code n} bytes at the cursor are inside {@code limit} and present; marks the fault if not. */
        boolean require(int n, int limit) {
            if (fault != null) {
                return false;
            }
            if (n < 0 || n > limit - pos) {
                fault = Detection.NO_MATCH;
            } else if (n > present - pos) {
                fault = Detection.NEED_MORE;
            }
            return fault == null;
        }

        void skip(int n, int limit) {
            if (require(n, limit)) {
                pos += n;
            }
        }

        int u8(int limit) {
            return number(1, limit);
        }

        int u16(int limit) {
            return number(2, limit);
        }

        int u24(int limit) {
            return number(3, limit);
        }

        private int number(int n, int limit) {
            if (!require(n, limit)) {
                return -1;
            }
            int v = 0;
            for (int i = 0; i < n; i++) {
                v = v << 8 | b.getUnsignedByte(pos + i);
            }
            pos += n;
            return v;
        }
    }
}

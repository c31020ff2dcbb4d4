package io.sluice.l4.detect;

import io.netty.buffer.ByteBuf;
import io.sluice.l4.Detection;
import io.sluice.l4.Detector;

/**
 * Detector {@code http}: an HTTP/1.x request line (RFC 9112 section 3), that is a method of 1 to 32 token
 * characters (RFC 9110 tchar), one space, a request target of visible US-ASCII characters, one space,
 * {@code HTTP/1.} and a digit, then CR LF. A match once the whole line was seen; no match at the first byte
 * that cannot belong to such a line, or when the line would be longer than 8 KiB (a server would refuse it
 * anyway). The HTTP/2 preface ({@code PRI * HTTP/2.0}) is no match, at its version. Empty lines before the
 * request line are not skipped. Stateless; thread-safe.
 */
public final class HttpDetector implements Detector {
    /** The longest request line accepted, CR LF included. */
    public static final int MAX_LINE = 8 * 1024;
    private static final int MAX_METHOD = 32;
    private static final byte[] VERSION = {' ', 'H', 'T', 'T', 'P', '/', '1', '.'};

    @Override
    public String protocol() {
        return "http";
    }

    @Override
    public Detection detect(ByteBuf seen) {
        int from = seen.readerIndex();
        int to = Math.min(seen.writerIndex(), from + MAX_LINE);
        int at = from;
        while (at < to && tchar(seen.getUnsignedByte(at))) {
            at++;
        }
        int method = at - from;
        if (method > MAX_METHOD) {
            return Detection.NO_MATCH;
        }
        if (at == to) {
            return more(seen, to);
        }
        if (method == 0 || seen.getByte(at++) != ' ') {
            return Detection.NO_MATCH;
        }
        int target = at;
        while (at < to && Bytes.visible(seen.getUnsignedByte(at))) {
            at++;
        }
        if (at == to) {
            return more(seen, to);
        }
        if (at == target) {
            return Detection.NO_MATCH;
        }
        Detection version = Bytes.literal(seen, at, to, VERSION);
        if (version != Detection.MATCH) {
            return version == Detection.NEED_MORE ? more(seen, to) : version;
        }
        at += VERSION.length;
        if (at < to && !Bytes.digit(seen.getUnsignedByte(at))) {
            return Detection.NO_MATCH;
        }
        if (++at < to && seen.getByte(at) != '\r') {
            return Detection.NO_MATCH;
        }
        if (++at < to && seen.getByte(at) != '\n') {
            return Detection.NO_MATCH;
        }
        return at < to ? Detection.MATCH : more(seen, to);
    }

    /** NEED_MORE while the line may still end within {@link #MAX_LINE}; NO_MATCH once it cannot. */
    private static Detection more(ByteBuf seen, int to) {
        return to - seen.readerIndex() >= MAX_LINE ? Detection.NO_MATCH : Detection.NEED_MORE;
    }

    /** RFC 9110 section 5.6.2: the characters of a token. */
    static boolean tchar(int c) {
        if (Bytes.letter(c) || Bytes.digit(c)) {
            return true;
        }
        return switch (c) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
            default -> false;
        };
    }
}

package io.sluice.http;

import io.netty.buffer.ByteBuf;

/**
 * RFC 9112's request-line grammar, checked on the raw bytes: {@code method SP request-target SP
 * HTTP/DIGIT.DIGIT CRLF}, one space each, a token for the method, visible US-ASCII for the target (and no
 * fragment: a {@code #} part is the client's own, never sent); empty
 * lines (CRLF) before it are allowed (§2.2). Stateless; thread-safe.
 */
final class RequestLine {
    static final int OK = 0;
    static final int INCOMPLETE = 1;
    static final int BAD = 2;
    /** The line is longer than the limit: left to the decoder, which refuses it with its own error. */
    static final int TOO_LONG = 3;

    private RequestLine() {
    }

    /** Checks the request line at the start of {@code buf} without consuming anything. */
    static int check(ByteBuf buf, int maxLine) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i + 1 < end && buf.getByte(i) == '\r' && buf.getByte(i + 1) == '\n') {
            i += 2; // empty lines before a request are tolerated
        }
        if (i < end && buf.getByte(i) == '\r' && i + 1 == end) {
            return INCOMPLETE;
        }
        int lf = buf.indexOf(i, end, (byte) '\n');
        if (lf < 0) {
            return end - i > maxLine ? TOO_LONG : INCOMPLETE;
        }
        if (lf - i > maxLine) {
            return TOO_LONG;
        }
        if (lf == i || buf.getByte(lf - 1) != '\r') {
            return BAD; // bare LF
        }
        int lineEnd = lf - 1;
        int p = i;
        while (p < lineEnd && isTchar(buf.getByte(p))) {
            p++;
        }
        if (p == i || p >= lineEnd || buf.getByte(p) != ' ') {
            return BAD;
        }
        int target = ++p;
        while (p < lineEnd && buf.getByte(p) > 0x20 && buf.getByte(p) < 0x7F && buf.getByte(p) != '#') {
            p++;
        }
        if (p == target || p >= lineEnd || buf.getByte(p) != ' ') {
            return BAD;
        }
        p++;
        if (lineEnd - p != 8 || buf.getByte(p) != 'H' || buf.getByte(p + 1) != 'T' || buf.getByte(p + 2) != 'T'
                || buf.getByte(p + 3) != 'P' || buf.getByte(p + 4) != '/' || !isDigit(buf.getByte(p + 5))
                || buf.getByte(p + 6) != '.' || !isDigit(buf.getByte(p + 7))) {
            return BAD;
        }
        return OK;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** RFC 9110 tchar: a letter, a digit, or one of {@code !#$%&'*+-.^_`|~}. */
    static boolean isTchar(byte b) {
        if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || isDigit(b)) {
            return true;
        }
        return switch (b) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
            default -> false;
        };
    }
}

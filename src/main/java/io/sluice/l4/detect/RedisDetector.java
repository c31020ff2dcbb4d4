package io.sluice.l4.detect;

import io.netty.buffer.ByteBuf;
import io.sluice.l4.Detection;
import io.sluice.l4.Detector;
import java.util.Map;

/**
 * Detector {@code redis}: a Redis client's first command, in either form a server takes (RESP2 and RESP3 send
 * commands alike).
 * <ul>
 *   <li>An array of bulk strings: {@code *<n>\r\n$<len>\r\n} with n from 1 to 1024 and len from 1 (the command
 *       name) to 999999999, both without leading zeros. A match once the first bulk string's header was
 *       seen.</li>
 *   <li>An inline command: a known first word, any case ({@code PING AUTH HELLO INFO SELECT GET SET COMMAND
 *       QUIT ECHO}), arguments of visible characters separated by spaces or tabs, as many as that command
 *       takes, then CR LF or LF (a server takes both), the line at most 1024 bytes. Counting arguments keeps an
 *       HTTP request line ({@code GET / HTTP/1.1}) out: it has one argument too many.</li>
 * </ul>
 * Stateless; thread-safe.
 */
public final class RedisDetector implements Detector {
    /** The longest inline command line accepted, line end included. */
    public static final int MAX_INLINE = 1024;
    private static final int MAX_ARRAY = 1024;
    private static final long MAX_BULK = 999_999_999;
    /** The inline first words, upper case, with the fewest and most arguments each takes. */
    private static final Map<String, int[]> INLINE = Map.of(
            "PING", new int[] {0, 1},
            "AUTH", new int[] {1, 2},
            "HELLO", new int[] {0, 6},
            "INFO", new int[] {0, 16},
            "SELECT", new int[] {1, 1},
            "GET", new int[] {1, 1},
            "SET", new int[] {2, 8},
            "COMMAND", new int[] {0, 16},
            "QUIT", new int[] {0, 0},
            "ECHO", new int[] {1, 1});
    private static final int LONGEST_WORD = 7;
    private static final long MORE = -1;
    private static final long BAD = -2;

    @Override
    public String protocol() {
        return "redis";
    }

    @Override
    public Detection detect(ByteBuf seen) {
        int from = seen.readerIndex();
        int to = seen.writerIndex();
        if (from == to) {
            return Detection.NEED_MORE;
        }
        if (seen.getByte(from) == '*') {
            return array(seen, from + 1, to);
        }
        return inline(seen, from, Math.min(to, from + MAX_INLINE));
    }

    private static Detection array(ByteBuf seen, int at, int to) {
        long count = number(seen, at, to, MAX_ARRAY);
        if (count < 1) {
            return count == MORE ? Detection.NEED_MORE : Detection.NO_MATCH;
        }
        at += digits(count) + 2;
        if (at >= to) {
            return Detection.NEED_MORE;
        }
        if (seen.getByte(at) != '$') {
            return Detection.NO_MATCH;
        }
        long length = number(seen, at + 1, to, MAX_BULK);
        if (length < 1) {
            return length == MORE ? Detection.NEED_MORE : Detection.NO_MATCH;
        }
        return Detection.MATCH;
    }

    /**
     * A decimal number at {@code at} ended by CR LF: its value, {@link #MORE} while it may still be one, or
     * {@link #BAD} (no digits, a leading zero, over {@code max}, or not CR LF after the digits).
     */
    private static long number(ByteBuf seen, int at, int to, long max) {
        long value = 0;
        int digits = 0;
        for (; at < to; at++, digits++) {
            int c = seen.getUnsignedByte(at);
            if (!Bytes.digit(c)) {
                break;
            }
            if (digits == 1 && value == 0) {
                return BAD;
            }
            value = value * 10 + (c - '0');
            if (value > max) {
                return BAD;
            }
        }
        if (at == to) {
            return MORE;
        }
        if (digits == 0 || seen.getByte(at) != '\r') {
            return BAD;
        }
        if (at + 1 == to) {
            return MORE;
        }
        return seen.getByte(at + 1) == '\n' ? value : BAD;
    }

    private static int digits(long value) {
        int n = 1;
        for (long v = value; v >= 10; v /= 10) {
            n++;
        }
        return n;
    }

    private static Detection inline(ByteBuf seen, int from, int to) {
        int at = from;
        StringBuilder word = new StringBuilder(LONGEST_WORD);
        while (at < to && Bytes.letter(seen.getUnsignedByte(at))) {
            if (word.length() == LONGEST_WORD) {
                return Detection.NO_MATCH;
            }
            word.append((char) (seen.getUnsignedByte(at) & ~0x20)); // upper case
            at++;
        }
        if (!startsWord(word)) {
            return Detection.NO_MATCH;
        }
        if (at == to) {
            return more(from, to);
        }
        int[] arity = INLINE.get(word.toString());
        int next = seen.getUnsignedByte(at);
        if (arity == null || (next != ' ' && next != '\t' && next != '\r' && next != '\n')) {
            return Detection.NO_MATCH;
        }
        int args = 0;
        boolean inArg = false;
        for (; at < to; at++) {
            int c = seen.getUnsignedByte(at);
            if (c == ' ' || c == '\t') {
                inArg = false;
            } else if (c == '\r' || c == '\n') {
                if (args < arity[0]) {
                    return Detection.NO_MATCH;
                }
                if (c == '\n') {
                    return Detection.MATCH;
                }
                if (at + 1 == to) {
                    return more(from, to);
                }
                return seen.getByte(at + 1) == '\n' ? Detection.MATCH : Detection.NO_MATCH;
            } else if (Bytes.visible(c)) {
                if (!inArg && ++args > arity[1]) {
                    return Detection.NO_MATCH;
                }
                inArg = true;
            } else {
                return Detection.NO_MATCH;
            }
        }
        return more(from, to);
    }

    /** Whether some known first word begins with {@code word}. */
    private static boolean startsWord(CharSequence word) {
        for (String known : INLINE.keySet()) {
            if (known.startsWith(word.toString())) {
                return true;
            }
        }
        return false;
    }

    private static Detection more(int from, int to) {
        return to - from >= MAX_INLINE ? Detection.NO_MATCH : Detection.NEED_MORE;
    }
}

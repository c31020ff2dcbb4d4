package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Reads a backend's HTTP/1 responses: the head becomes a {@link HttpResponse} whose headers are a
 * {@link HeaderBlock} (the section's bytes, checked and indexed; no object per line), the body comes as
 * {@code HttpContent} slices of what was read and ends with a {@code LastHttpContent}, as Netty's decoder hands
 * them on. The body's length follows RFC 9112 §6.3: none for 1xx, 204, 304 and answers to HEAD
 * ({@link #bodyless}); chunked when Transfer-Encoding ends in chunked (a Content-Length beside it is removed);
 * else Content-Length (one value, digits only); else until the connection closes. After a 101 that leaves
 * HTTP/1 everything read is handed on as bytes. A broken head becomes a response with a failed
 * {@code DecoderResult}, a broken body a failed last content, and everything after either is dropped; a
 * body cut short by the connection's close gets no last content at all. Lines may end
 * with LF alone and folded lines are joined (a backend is a peer that RFC 9112 asks a recipient to be lenient
 * with). Confined to the connection's event loop.
 */
class Http1ResponseDecoder extends Http1Decoder {
    private static final byte[] HTTP_1_1 = {'H', 'T', 'T', 'P', '/', '1', '.', '1'};
    private static final byte[] HTTP_1_0 = {'H', 'T', 'T', 'P', '/', '1', '.', '0'};

    private final int maxLine;
    private final int maxHeaderSize;

    Http1ResponseDecoder(int maxLine, int maxHeaderSize, int maxChunk) {
        super(false, maxHeaderSize, maxChunk);
        this.maxLine = maxLine;
        this.maxHeaderSize = maxHeaderSize;
    }

    /**
     * Whether this final or interim response has no body whatever its headers say: 1xx, 204 and 304 here; a
     * subclass that knows the request adds HEAD. Called once per response head, in order.
     */
    protected boolean bodyless(HttpResponse r) {
        int code = r.status().code();
        return code < 200 || code == 204 || code == 304;
    }

    @Override
    void readHead(ByteBuf in, List<Object> out) {
        int r = in.readerIndex();
        int w = in.writerIndex();
        while (r < w && (in.getByte(r) == '\r' || in.getByte(r) == '\n')) {
            r++; // blank lines between responses are skipped
        }
        in.readerIndex(r);
        if (r == w) {
            return;
        }
        try {
            int lf = in.indexOf(r, w, (byte) '\n');
            if (lf < 0 ? w - r > maxLine : lf - r > maxLine) {
                throw new HeadParser.BadHead("status line longer than " + maxLine + " bytes");
            }
            if (lf < 0) {
                return;
            }
            int end = HeadParser.sectionEnd(in, Math.max(lf + 1, r + headScanned), w, true);
            if (end < 0) {
                if (w - lf > maxHeaderSize) {
                    throw new HeadParser.BadHead("response head longer than " + maxHeaderSize + " bytes");
                }
                headScanned = HeadParser.resumeAt(end) - r;
                return;
            }
            headScanned = 0;
            if (end - lf > maxHeaderSize) {
                throw new HeadParser.BadHead("response head longer than " + maxHeaderSize + " bytes");
            }
            int lineEnd = lf > r && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
            HttpVersion version = version(in, r, lineEnd);
            int sp = r + 8;
            if (sp >= lineEnd || in.getByte(sp) != ' ') {
                throw new HeadParser.BadHead("no space after the version");
            }
            while (sp < lineEnd && in.getByte(sp) == ' ') {
                sp++;
            }
            HttpResponseStatus status = status(in, sp, lineEnd);
            int emptyLine = HeadParser.emptyLineStart(in, lf + 1, end);
            HeaderBlock headers = parser.parse(in, lf + 1, emptyLine, true);
            in.readerIndex(end);
            head(new DefaultHttpResponse(version, status, headers), headers, out);
        } catch (HeadParser.BadHead e) {
            badHead(in, out, e.getMessage());
        }
    }

    /** The response head is read: hands it on and picks how its body is read. */
    private void head(HttpResponse res, HeaderBlock h, List<Object> out) throws HeadParser.BadHead {
        int code = res.status().code();
        boolean te = h.contains(HttpHeaderNames.TRANSFER_ENCODING);
        if (bodyless(res)) {
            contentLength(h); // checked: it goes on to the client as it is
            if (te) {
                HttpUtil.setTransferEncodingChunked(res, false);
            }
            out.add(res);
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            state = code == 101 && leavesHttp1(h) ? UPGRADED : HEAD;
            return;
        }
        if (te) {
            h.remove(HttpHeaderNames.CONTENT_LENGTH); // Transfer-Encoding overrides it (RFC 9112 §6.3)
            state = HttpUtil.isTransferEncodingChunked(res) ? CHUNK_SIZE : TO_CLOSE;
            out.add(res);
            return;
        }
        long length = contentLength(h);
        if (length < 0) {
            out.add(res);
            state = TO_CLOSE;
            return;
        }
        out.add(res);
        if (length == 0) {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            state = HEAD;
        } else {
            counted(length);
        }
    }

    /**
     * The response's Content-Length, or -1 when it has none. One line of 1 to 18 digits or the head is bad,
     * even when no body follows (HEAD, 204, 304): the client would read the same header (RFC 9112 §6.3 has a
     * proxy answer 502 to an invalid one).
     */
    private static long contentLength(HeaderBlock h) throws HeadParser.BadHead {
        int lengths = h.count(HttpHeaderNames.CONTENT_LENGTH);
        if (lengths == 0) {
            return -1;
        }
        if (lengths > 1) {
            throw new HeadParser.BadHead("more than one Content-Length");
        }
        long length = h.digits(HttpHeaderNames.CONTENT_LENGTH); // read in place: no string per response
        if (length < 0) {
            throw new HeadParser.BadHead("Content-Length is not a length");
        }
        return length;
    }

    private static boolean leavesHttp1(HttpHeaders h) {
        String to = h.get(HttpHeaderNames.UPGRADE);
        return to == null || (!to.contains("HTTP/1.0") && !to.contains("HTTP/1.1"));
    }

    private static HttpVersion version(ByteBuf in, int from, int lineEnd) throws HeadParser.BadHead {
        if (lineEnd - from >= 8) {
            if (startsWith(in, from, HTTP_1_1)) {
                return HttpVersion.HTTP_1_1;
            }
            if (startsWith(in, from, HTTP_1_0)) {
                return HttpVersion.HTTP_1_0;
            }
        }
        throw new HeadParser.BadHead("not an HTTP/1.0 or HTTP/1.1 status line");
    }

    private static boolean startsWith(ByteBuf in, int from, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (in.getByte(from + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** {@code 3DIGIT [SP reason-phrase]}: the shared status when the phrase is the usual one. */
    private static HttpResponseStatus status(ByteBuf in, int p, int lineEnd) throws HeadParser.BadHead {
        if (lineEnd - p < 3 || !digit(in.getByte(p)) || !digit(in.getByte(p + 1)) || !digit(in.getByte(p + 2))
                || in.getByte(p) == '0' || (lineEnd > p + 3 && in.getByte(p + 3) != ' ')) {
            throw new HeadParser.BadHead("bad status code");
        }
        int code = (in.getByte(p) - '0') * 100 + (in.getByte(p + 1) - '0') * 10 + (in.getByte(p + 2) - '0');
        int rs = Math.min(p + 4, lineEnd);
        for (int i = rs; i < lineEnd; i++) {
            int c = in.getByte(i) & 0xFF;
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                throw new HeadParser.BadHead("a control character in the reason phrase");
            }
        }
        HttpResponseStatus known = HttpResponseStatus.valueOf(code);
        String phrase = known.reasonPhrase();
        int len = lineEnd - rs;
        if (phrase.length() == len) {
            boolean same = true;
            for (int i = 0; i < len && same; i++) {
                same = in.getByte(rs + i) == phrase.charAt(i);
            }
            if (same) {
                return known;
            }
        }
        return new HttpResponseStatus(code, in.toString(rs, len, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    private void badHead(ByteBuf in, List<Object> out, String why) {
        in.skipBytes(in.readableBytes());
        state = BAD;
        HttpResponse bad = new DefaultFullHttpResponse(HttpVersion.HTTP_1_0, HttpResponseStatus.BAD_GATEWAY,
                Unpooled.EMPTY_BUFFER);
        bad.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(why)));
        out.add(bad);
    }
}

package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 codec of a client connection: Sluice's request decoder and Netty's response encoder. The decoder
 * holds the request line to RFC 9112's grammar ({@link RequestLine}; Netty's splitter would take runs of spaces
 * and tabs, leading whitespace and a lower-case version, which a backend may split another way), keeps the
 * headers as the bytes they came in ({@link HeaderBlock}, checked line by line: CRLF endings, a token before the
 * colon, no whitespace before it, no control characters in values; an obs-fold is replaced by spaces, as RFC
 * 9112 §5.2 allows and Netty's decoder did, so no line goes on starting with whitespace) and frames the body by RFC 9112
 * §6: Transfer-Encoding must end in chunked, name it once, not come with Content-Length and not on HTTP/1.0;
 * Content-Length must be digits, and equal repeats are folded into one. A request that breaks a rule becomes a
 * failed request (answered 400, 414 for a long request line, 431 for long headers) and everything after it is
 * dropped. The methods of requests in flight are remembered so that a response to HEAD is written without a
 * body. Confined to the connection's event loop.
 */
final class Http1ServerCodec extends CombinedChannelDuplexHandler<Http1ServerCodec.Decoder, Http1ServerCodec.Encoder> {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);
    private final int maxPipelineDepth;

    /**
     * @param maxLine        the longest request line taken (414 over it)
     * @param maxHeaderSize  the most bytes of header lines taken (431 over it)
     * @param maxChunk       the largest piece of body handed on at once
     */
    Http1ServerCodec(int maxLine, int maxHeaderSize, int maxChunk, int maxPipelineDepth) {
        this.maxPipelineDepth = maxPipelineDepth;
        init(new Decoder(maxLine, maxHeaderSize, maxChunk), new Encoder());
    }

    /** Request decoder: RFC 9112's rules, headers kept as bytes, each request's method remembered. */
    final class Decoder extends Http1Decoder {
        private final int maxLine;
        private final int maxHeaderSize;

        Decoder(int maxLine, int maxHeaderSize, int maxChunk) {
            super(true, maxHeaderSize, maxChunk);
            this.maxLine = maxLine;
            this.maxHeaderSize = maxHeaderSize;
        }

        @Override
        void readHead(ByteBuf in, List<Object> out) {
            int verdict = RequestLine.check(in, maxLine);
            if (verdict == RequestLine.INCOMPLETE) {
                return; // wait for the whole line
            }
            if (verdict != RequestLine.OK) {
                refuse(in, out, verdict == RequestLine.TOO_LONG
                        ? new TooLongHttpLineException("request line longer than " + maxLine + " bytes")
                        : new IllegalArgumentException("request line breaks RFC 9112"));
                return;
            }
            int r = in.readerIndex();
            int w = in.writerIndex();
            while (in.getByte(r) == '\r') {
                r += 2; // empty lines before a request (RequestLine checked they are CRLF)
            }
            int lf = in.indexOf(r, w, (byte) '\n');
            try {
                int end = HeadParser.sectionEnd(in, Math.max(lf + 1, r + headScanned), w, false);
                if (end < 0 ? w - lf - 1 > maxHeaderSize : end - lf - 1 > maxHeaderSize) {
                    refuse(in, out, new TooLongHttpHeaderException("headers longer than " + maxHeaderSize
                            + " bytes"));
                    return;
                }
                if (end < 0) {
                    headScanned = HeadParser.resumeAt(end) - r;
                    in.readerIndex(r);
                    return;
                }
                headScanned = 0;
                int sp1 = in.indexOf(r, lf, (byte) ' ');
                int sp2 = in.indexOf(sp1 + 1, lf, (byte) ' ');
                HttpMethod method = method(in, r, sp1 - r);
                String uri = in.toString(sp1 + 1, sp2 - sp1 - 1, StandardCharsets.ISO_8859_1);
                HttpVersion version = version(in, sp2 + 1);
                HeaderBlock headers = parser.parse(in, lf + 1, HeadParser.emptyLineStart(in, lf + 1, end), true);
                if (methods.size() >= maxPipelineDepth) {
                    refuse(in, out, new IllegalArgumentException("more pipelined requests than allowed"));
                    return;
                }
                in.readerIndex(end);
                HttpRequest req = new DefaultHttpRequest(version, method, uri, headers);
                long length = framing(version, headers);
                methods.add(method);
                out.add(req);
                if (length == CHUNKED) {
                    state = CHUNK_SIZE;
                } else if (length > 0) {
                    counted(length);
                } else {
                    out.add(LastHttpContent.EMPTY_LAST_CONTENT);
                }
            } catch (HeadParser.BadHead e) {
                refuse(in, out, new IllegalArgumentException(e.getMessage()));
            }
        }

        /** A failed request goes on (the front answers it and closes) and nothing more is read. */
        private void refuse(ByteBuf in, List<Object> out, Exception why) {
            in.skipBytes(in.readableBytes());
            state = BAD;
            HttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request",
                    Unpooled.EMPTY_BUFFER);
            r.setDecoderResult(DecoderResult.failure(why));
            out.add(r);
        }
    }

    private static final long CHUNKED = -1;

    /**
     * How the body of a request is framed (RFC 9112 §6.1-6.3): {@link #CHUNKED}, or its length (0 for none).
     * Equal repeated Content-Lengths are folded into one header.
     */
    static long framing(HttpVersion version, HeaderBlock h) throws HeadParser.BadHead {
        if (h.count(HttpHeaderNames.TRANSFER_ENCODING) > 0) {
            if (version == HttpVersion.HTTP_1_0) {
                throw new HeadParser.BadHead("Transfer-Encoding in an HTTP/1.0 request");
            }
            if (h.count(HttpHeaderNames.CONTENT_LENGTH) > 0) {
                throw new HeadParser.BadHead("Transfer-Encoding with Content-Length");
            }
            int chunked = 0;
            boolean chunkedLast = false;
            for (String v : h.getAll(HttpHeaderNames.TRANSFER_ENCODING)) {
                for (String coding : v.split(",", -1)) {
                    String c = coding.strip();
                    if (c.isEmpty()) {
                        continue; // an empty list element (RFC 9110 §5.6.1)
                    }
                    if (HttpHeaderValidationUtil.validateToken(c) >= 0) {
                        throw new HeadParser.BadHead("a transfer coding that is not a token");
                    }
                    chunkedLast = c.equalsIgnoreCase("chunked");
                    if (chunkedLast) {
                        chunked++;
                    }
                }
            }
            if (chunked != 1 || !chunkedLast) {
                throw new HeadParser.BadHead("chunked is not the last transfer coding, once");
            }
            return CHUNKED;
        }
        int lines = h.count(HttpHeaderNames.CONTENT_LENGTH);
        if (lines == 0) {
            return 0;
        }
        long only = lines == 1 ? h.digits(HttpHeaderNames.CONTENT_LENGTH) : -1;
        if (only >= 0) {
            return only; // the usual one line of digits, read in place
        }
        long length = -1;
        for (String v : h.getAll(HttpHeaderNames.CONTENT_LENGTH)) {
            for (String part : v.split(",", -1)) {
                long n = digits(part.strip());
                if (length >= 0 && n != length) {
                    throw new HeadParser.BadHead("differing Content-Lengths");
                }
                length = n;
            }
        }
        h.set(HttpHeaderNames.CONTENT_LENGTH, Long.toString(length));
        return length;
    }

    /** 1*DIGIT, at most 18 of them (so it fits a long). Only for the rare lists and repeats. */
    private static long digits(String v) throws HeadParser.BadHead {
        byte[] b = v.getBytes(StandardCharsets.ISO_8859_1);
        long n = HeaderBytes.digits(b, 0, b.length);
        if (n < 0) {
            throw new HeadParser.BadHead("Content-Length is not a length");
        }
        return n;
    }

    private static final HttpMethod[] KNOWN = {HttpMethod.GET, HttpMethod.POST, HttpMethod.HEAD, HttpMethod.PUT,
        HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.PATCH, HttpMethod.TRACE, HttpMethod.CONNECT};

    /** The method token at {@code [from, from + len)}: a shared one for the standard methods. */
    private static HttpMethod method(ByteBuf in, int from, int len) {
        for (HttpMethod m : KNOWN) {
            AsciiString name = m.asciiName();
            if (name.length() == len) {
                boolean same = true;
                for (int i = 0; i < len && same; i++) {
                    same = in.getByte(from + i) == name.byteAt(i);
                }
                if (same) {
                    return m;
                }
            }
        }
        return HttpMethod.valueOf(in.toString(from, len, StandardCharsets.US_ASCII));
    }

    /** {@code HTTP/DIGIT.DIGIT} at {@code at} (RequestLine checked its shape). */
    private static HttpVersion version(ByteBuf in, int at) {
        int major = in.getByte(at + 5) - '0';
        int minor = in.getByte(at + 7) - '0';
        if (major == 1 && minor == 1) {
            return HttpVersion.HTTP_1_1;
        }
        if (major == 1 && minor == 0) {
            return HttpVersion.HTTP_1_0;
        }
        return new HttpVersion("HTTP", major, minor, true);
    }

    /** Response encoder that knows which responses answer a HEAD (no body, whatever the headers say). */
    final class Encoder extends HttpResponseEncoder {
        /** A last part whose trailers nobody made is written without making them (see {@link LastPart}). */
        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof LastPart p) {
                p.seal();
            }
            super.encode(ctx, msg, out);
        }

        /** Headers still kept as the bytes they came in are written as bytes. */
        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            if (headers instanceof HeaderBlock b && b.lean()) {
                b.writeTo(buf);
            } else {
                super.encodeHeaders(headers, buf);
            }
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg);
            }
            HttpMethod m = methods.poll();
            return HttpMethod.HEAD.equals(m) || super.isContentAlwaysEmpty(msg);
        }
    }
}

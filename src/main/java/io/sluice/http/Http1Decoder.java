package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;
import java.util.Map;

/**
 * What Sluice's two HTTP/1 decoders share: a head read by the subclass ({@link #readHead}) whose headers are a
 * {@link HeaderBlock}, then a body handed on as Netty's decoder hands it on ({@code HttpContent} slices of what
 * was read, ending with a {@code LastHttpContent}): counted by Content-Length, chunked (sizes in hex, extensions
 * checked against the grammar and skipped, trailers checked as Netty checks them and framing fields in them
 * dropped), until the connection closes, or as plain bytes after a
 * protocol switch. A broken body ends with a failed last content and everything after it is dropped; a body cut
 * short by the connection's close gets no end at all (the handler hears of the close and never takes it as
 * complete). In strict mode (requests) every line must end with CRLF; otherwise LF alone is taken. Confined to
 * the connection's event loop.
 */
abstract class Http1Decoder extends ByteToMessageDecoder {
    static final int HEAD = 0;
    static final int FIXED = 1;
    static final int CHUNK_SIZE = 2;
    static final int CHUNK_DATA = 3;
    static final int CHUNK_END = 4;
    static final int TRAILERS = 5;
    static final int TO_CLOSE = 6;
    static final int UPGRADED = 7;
    static final int BAD = 8;
    /** The longest chunk-size line (with extensions) taken. */
    private static final int MAX_CHUNK_LINE = 4096;

    final HeadParser parser = new HeadParser();
    private final boolean strict;
    private final int maxTrailers;
    private final int maxChunk;
    int state = HEAD;
    /**
     * How far into the head being read (from its first byte) the lines are known complete and not the end:
     * the next piece of a slow head is scanned from there, not from the start.
     */
    int headScanned;
    private long remaining;

    Http1Decoder(boolean strict, int maxTrailers, int maxChunk) {
        this.strict = strict;
        this.maxTrailers = maxTrailers;
        this.maxChunk = maxChunk;
    }

    /** Reads a head at the start of {@code in} if it is all there, and sets {@link #state} for what follows. */
    abstract void readHead(ByteBuf in, List<Object> out);

    /** The body that follows the head just handed on has this many bytes (more than zero). */
    final void counted(long length) {
        remaining = length;
        state = FIXED;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            int before = in.readableBytes();
            int outBefore = out.size();
            switch (state) {
                case HEAD -> readHead(in, out);
                case FIXED -> readFixed(in, out);
                case CHUNK_SIZE -> readChunkSize(in, out);
                case CHUNK_DATA -> readChunkData(in, out);
                case CHUNK_END -> readChunkEnd(in, out);
                case TRAILERS -> readTrailers(in, out);
                case TO_CLOSE -> out.add(new DefaultHttpContent(in.readRetainedSlice(Math.min(in.readableBytes(),
                        maxChunk))));
                case UPGRADED -> out.add(in.readRetainedSlice(in.readableBytes()));
                default -> in.skipBytes(in.readableBytes());
            }
            if (in.readableBytes() == before && out.size() == outBefore) {
                return; // waits for more bytes
            }
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (in.isReadable()) {
            decode(ctx, in, out);
        }
        if (state == TO_CLOSE) {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            state = HEAD;
        }
    }

    private void readFixed(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(Math.min(remaining, maxChunk), in.readableBytes());
        ByteBuf part = in.readRetainedSlice(n);
        remaining -= n;
        if (remaining == 0) {
            out.add(new LastPart(part));
            state = HEAD;
        } else {
            out.add(new DefaultHttpContent(part));
        }
    }

    private void readChunkSize(ByteBuf in, List<Object> out) {
        int r = in.readerIndex();
        int w = in.writerIndex();
        int lf = in.indexOf(r, Math.min(w, r + MAX_CHUNK_LINE), (byte) '\n');
        if (lf < 0) {
            if (w - r >= MAX_CHUNK_LINE) {
                badBody(out, "chunk-size line too long");
            }
            return;
        }
        boolean cr = lf > r && in.getByte(lf - 1) == '\r';
        if (strict && !cr) {
            badBody(out, "chunk-size line ends with LF alone");
            return;
        }
        int lineEnd = cr ? lf - 1 : lf;
        long size = 0;
        int digits = 0;
        int i = r;
        for (; i < lineEnd; i++) {
            int d = Character.digit(in.getByte(i), 16);
            if (d < 0) {
                break;
            }
            if (size > (Long.MAX_VALUE >> 4)) {
                badBody(out, "chunk size too large");
                return;
            }
            size = size * 16 + d;
            digits++;
        }
        if (digits == 0 || (i < lineEnd && !extension(in, i, lineEnd))) {
            badBody(out, "bad chunk size");
            return;
        }
        in.readerIndex(lf + 1);
        if (size == 0) {
            state = TRAILERS;
        } else {
            remaining = size;
            state = CHUNK_DATA;
        }
    }

    /**
     * Whether {@code [i, end)} is a run of chunk extensions as RFC 9112 7.1.1 writes them: {@code *( BWS ";" BWS
     * name [ BWS "=" BWS value ] )} with a token name and a token or quoted-string value. They are checked,
     * not interpreted: an unclosed quote or a stray byte here is how two parsers come to disagree on where a
     * chunk ends.
     */
    private static boolean extension(ByteBuf in, int i, int end) {
        int p = i;
        do {
            p = blanks(in, p, end);
            if (p == end || in.getByte(p) != ';') {
                return false;
            }
            p = blanks(in, p + 1, end);
            int name = p;
            while (p < end && RequestLine.isTchar(in.getByte(p))) {
                p++;
            }
            if (p == name) {
                return false;
            }
            p = blanks(in, p, end);
            if (p < end && in.getByte(p) == '=') {
                p = blanks(in, p + 1, end);
                p = p < end && in.getByte(p) == '"' ? quoted(in, p + 1, end) : token(in, p, end);
                if (p < 0) {
                    return false;
                }
                p = blanks(in, p, end);
            }
        } while (p < end);
        return true;
    }

    private static int blanks(ByteBuf in, int p, int end) {
        while (p < end && (in.getByte(p) == ' ' || in.getByte(p) == '\t')) {
            p++;
        }
        return p;
    }

    /** The index after a non-empty token from {@code p}, or -1. */
    private static int token(ByteBuf in, int p, int end) {
        int start = p;
        while (p < end && RequestLine.isTchar(in.getByte(p))) {
            p++;
        }
        return p == start ? -1 : p;
    }

    /** The index after the closing quote of a quoted-string whose body starts at {@code p}, or -1. */
    private static int quoted(ByteBuf in, int p, int end) {
        while (p < end) {
            int c = in.getByte(p) & 0xFF;
            if (c == '"') {
                return p + 1;
            }
            if (c == '\\') {
                if (p + 1 == end) {
                    return -1;
                }
                int q = in.getByte(p + 1) & 0xFF;
                if ((q < 0x20 && q != '\t') || q == 0x7F) {
                    return -1;
                }
                p += 2;
            } else if ((c < 0x20 && c != '\t') || c == 0x7F) {
                return -1;
            } else {
                p++;
            }
        }
        return -1;
    }

    private void readChunkData(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(Math.min(remaining, maxChunk), in.readableBytes());
        out.add(new DefaultHttpContent(in.readRetainedSlice(n)));
        remaining -= n;
        if (remaining == 0) {
            state = CHUNK_END;
        }
    }

    private void readChunkEnd(ByteBuf in, List<Object> out) {
        int r = in.readerIndex();
        byte b = in.getByte(r);
        if (b == '\n' && !strict) {
            in.readerIndex(r + 1);
            state = CHUNK_SIZE;
        } else if (b == '\r') {
            if (in.readableBytes() < 2) {
                return;
            }
            if (in.getByte(r + 1) != '\n') {
                badBody(out, "chunk data not followed by CRLF");
                return;
            }
            in.readerIndex(r + 2);
            state = CHUNK_SIZE;
        } else {
            badBody(out, "chunk data not followed by CRLF");
        }
    }

    private void readTrailers(ByteBuf in, List<Object> out) {
        int r = in.readerIndex();
        int w = in.writerIndex();
        int end;
        try {
            end = HeadParser.sectionEnd(in, r, w, !strict);
        } catch (HeadParser.BadHead e) {
            badBody(out, e.getMessage());
            return;
        }
        if (end < 0) {
            if (w - r > maxTrailers) {
                badBody(out, "trailers too long");
            }
            return;
        }
        if (end - r > maxTrailers) {
            badBody(out, "trailers too long");
            return;
        }
        int emptyLine = HeadParser.emptyLineStart(in, r, end);
        if (emptyLine == r) {
            in.readerIndex(end); // no trailers: the usual end of a chunked body
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            state = HEAD;
            return;
        }
        try {
            HeaderBlock block = parser.parse(in, r, emptyLine, true); // obs-fold unfolded, as in heads
            HttpHeaders trailers = DefaultHttpHeadersFactory.trailersFactory().newHeaders();
            for (var it = block.iteratorCharSequence(); it.hasNext(); ) {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                if (!framingField(e.getKey())) { // a trailer may not reframe the message: dropped, as Netty does
                    trailers.add(e.getKey(), e.getValue());
                }
            }
            in.readerIndex(end);
            out.add(new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers));
            state = HEAD;
        } catch (HeadParser.BadHead | IllegalArgumentException e) {
            badBody(out, "bad trailer: " + e.getMessage());
        }
    }

    private static boolean framingField(CharSequence name) {
        return HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.TRAILER.contentEqualsIgnoreCase(name);
    }

    /** The body broke: a failed last content goes on and everything after it is dropped. */
    final void badBody(List<Object> out, String why) {
        state = BAD;
        LastHttpContent bad = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        bad.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(why)));
        out.add(bad);
    }
}

package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * The one handler between an HTTP/2 stream channel and its {@link FrontendHandler}: stream frames in, HTTP/1-style
 * messages out, and back. It does in one place, without a pipeline hop, a codec output list or a buffer per
 * request, what three handlers and Netty's {@code Http2StreamFrameToHttpObjectCodec} did before:
 * <ul>
 *   <li>a malformed request ({@link H2RequestGuard#wellFormed}, or one Netty's conversion refuses) is reset with
 *       PROTOCOL_ERROR before anything routes or forwards it, and nothing more of the stream is read; a stream error the frame codec
 *       raises stops here too, so the codec resets the stream with that error's code rather than the stream's
 *       handlers closing it (which would say CANCEL);</li>
 *   <li>a request head becomes an {@link HttpRequest} with its fields kept as bytes ({@link H2RequestHead}), or
 *       by Netty's conversion ({@link HttpConversionUtil}) when that does not take it on; one that ends the
 *       stream is followed by an empty last part, as an HTTP/1.1 request without a body arrives, and one with a
 *       body but no Content-Length is marked chunked; DATA becomes content, a HEADERS frame after
 *       the head becomes the trailers;</li>
 *   <li>a proxied response head becomes a HEADERS frame by {@link H2ResponseHead#convert} when it can, by Netty's
 *       conversion otherwise (Sluice's own full answers, heads with Connection, TE or Cookie); content becomes
 *       DATA, trailers a last HEADERS frame; an interim (1xx) answer must be a full response and never ends the
 *       stream.</li>
 * </ul>
 * What crosses the stream is what Netty's codec produced for the same messages. One per stream; confined to the
 * stream's event loop.
 */
final class H2StreamCodec extends ChannelDuplexHandler {
    /** Trailers as Netty's codec made them: the frame codec has checked the names already. */
    private static final HttpHeadersFactory UNCHECKED_TRAILERS =
            DefaultHttpHeadersFactory.trailersFactory().withValidation(false);

    private boolean headSeen;
    private boolean rejected;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejected) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof Http2DataFrame data) {
            ByteBuf content = data.content();
            ctx.fireChannelRead(data.isEndStream() ? new LastPart(content) : new DefaultHttpContent(content));
        } else if (msg instanceof Http2HeadersFrame frame) {
            readHeaders(ctx, frame);
        } else if (msg instanceof Http2StreamFrame) {
            ReferenceCountUtil.release(msg); // no other stream frame means anything to the exchange
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void readHeaders(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
        Http2Headers headers = frame.headers();
        if (!headSeen) {
            headSeen = true;
            if (!H2RequestGuard.wellFormed(headers)) {
                reject(ctx);
                return;
            }
        }
        int id = frame.stream() == null ? 0 : frame.stream().id();
        Object out;
        try {
            if (frame.isEndStream() && headers.method() == null && headers.status() == null) {
                LastHttpContent trailers = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, UNCHECKED_TRAILERS);
                HttpConversionUtil.addHttp2ToHttpHeaders(id, headers, trailers.trailingHeaders(), HttpVersion.HTTP_1_1,
                        true, true);
                out = trailers;
            } else {
                HttpRequest req = H2RequestHead.convert(headers);
                if (req == null) {
                    req = HttpConversionUtil.toHttpRequest(id, headers, false);
                }
                if (frame.isEndStream()) {
                    ctx.fireChannelRead(req);
                    out = LastHttpContent.EMPTY_LAST_CONTENT;
                } else {
                    if (!HttpUtil.isContentLengthSet(req)) {
                        req.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                    }
                    out = req;
                }
            }
        } catch (Exception e) {
            // What Netty's conversion refuses (two different Hosts without :authority, a HEADERS frame in the
            // middle that is neither a head nor trailers) is a malformed request too: reset, as the guard does.
            reject(ctx);
            return;
        }
        ctx.fireChannelRead(out);
    }

    /** Resets the stream with PROTOCOL_ERROR and drops whatever else of it arrives (RFC 9113 §8.1.1). */
    private void reject(ChannelHandlerContext ctx) {
        rejected = true;
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR), ctx.voidPromise());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2Exception) {
            // A stream error from the codec: the multiplexer resets the stream with its code right after this.
            rejected = true;
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse r) {
            writeHead(ctx, r, promise);
        } else if (msg instanceof LastHttpContent last) {
            writeLast(ctx, last, promise, true);
        } else if (msg instanceof HttpContent part) {
            ctx.write(new DefaultHttp2DataFrame(part.content(), false), promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    private static void writeHead(ChannelHandlerContext ctx, HttpResponse r, ChannelPromise promise) {
        boolean full = r instanceof FullHttpResponse;
        boolean interim = r.status().codeClass() == HttpStatusClass.INFORMATIONAL && r.status().code() != 101;
        Http2Headers headers;
        try {
            if (interim && !full) {
                throw new EncoderException(r.status() + " must be a FullHttpResponse");
            }
            headers = full ? null : H2ResponseHead.convert(r);
            if (headers == null) {
                headers = HttpConversionUtil.toHttp2Headers(r, false);
            }
        } catch (RuntimeException e) {
            ReferenceCountUtil.release(r);
            promise.setFailure(e instanceof EncoderException ? e : new EncoderException(e));
            return;
        }
        if (!full) {
            ctx.write(new DefaultHttp2HeadersFrame(headers, false), promise);
            return;
        }
        FullHttpResponse whole = (FullHttpResponse) r;
        if (interim || !whole.content().isReadable() && whole.trailingHeaders().isEmpty()) {
            whole.release();
            ctx.write(new DefaultHttp2HeadersFrame(headers, !interim), promise);
            return;
        }
        ctx.write(new DefaultHttp2HeadersFrame(headers, false));
        writeLast(ctx, whole, promise, false);
    }

    /**
     * The end of a response: its content as DATA (an empty one ends the stream when there is nothing else) and
     * its trailers as a HEADERS frame that ends the stream.
     */
    private static void writeLast(ChannelHandlerContext ctx, LastHttpContent last, ChannelPromise promise,
                                  boolean emptyDataEnds) {
        if (last instanceof LastPart part) {
            part.seal(); // released once written: absent trailers need not be made to be read as none
        }
        HttpHeaders trailers = last.trailingHeaders();
        boolean noTrailers = trailers.isEmpty();
        ByteBuf content = last.content();
        boolean data = content.isReadable() || emptyDataEnds && noTrailers;
        if (noTrailers) {
            if (data) {
                ctx.write(new DefaultHttp2DataFrame(content, true), promise);
            } else {
                content.release();
                promise.setSuccess();
            }
            return;
        }
        Http2Headers h2 = HttpConversionUtil.toHttp2Headers(trailers, false);
        if (data) {
            ctx.write(new DefaultHttp2DataFrame(content, false));
        } else {
            content.release();
        }
        ctx.write(new DefaultHttp2HeadersFrame(h2, true), promise);
    }
}

package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 codec of an upstream connection: Sluice's response decoder ({@link Http1ResponseDecoder}, which
 * keeps each response's headers as the bytes they came in) and Netty's request encoder, with the method of each
 * request sent remembered so that the response to a HEAD is read without a body whatever its Content-Length
 * says. Sluice never sends CONNECT upstream (listeners answer it 405), so there is no tunnel mode here; after a
 * 101 the decoder hands on bytes and {@code Tunnel} removes this handler. Confined to the connection's event
 * loop.
 */
final class Http1ClientCodec extends CombinedChannelDuplexHandler<Http1ClientCodec.Decoder, Http1ClientCodec.Encoder> {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

    Http1ClientCodec(int maxLine, int maxHeaderSize, int maxChunk) {
        init(new Decoder(maxLine, maxHeaderSize, maxChunk), new Encoder());
    }

    /** Response decoder that pairs each final response with the method of its request. */
    final class Decoder extends Http1ResponseDecoder {
        Decoder(int maxLine, int maxHeaderSize, int maxChunk) {
            super(maxLine, maxHeaderSize, maxChunk);
        }

        @Override
        protected boolean bodyless(HttpResponse r) {
            // an interim response (100, 103) belongs to a request still waiting for its final one; 101 is final
            if (r.status().codeClass() == HttpStatusClass.INFORMATIONAL && r.status().code() != 101) {
                return true;
            }
            HttpMethod m = methods.poll();
            return HttpMethod.HEAD.equals(m) || super.bodyless(r);
        }
    }

    /** Request encoder that notes the method of each request it writes. */
    final class Encoder extends HttpRequestEncoder {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
            if (msg instanceof HttpRequest req) {
                methods.add(req.method());
            }
            super.write(ctx, msg, promise);
        }

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
    }
}

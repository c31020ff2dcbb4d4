package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The HTTP/1.1 codec of a client connection: Netty's request decoder and response encoder, with the request
 * line held to RFC 9112's grammar before the decoder sees it (Netty's splitter accepts runs of spaces and
 * tabs, leading whitespace and a lower-case version, and would hand on a line the backend may split another
 * way), and the methods of requests in flight remembered so that a response to HEAD is written without a
 * body. A request line that breaks the grammar becomes a failed request (answered 400) and everything after
 * it is dropped. Confined to the connection's event loop.
 */
final class Http1ServerCodec extends CombinedChannelDuplexHandler<Http1ServerCodec.Decoder, Http1ServerCodec.Encoder> {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);
    private final int maxPipelineDepth;

    Http1ServerCodec(HttpDecoderConfig config, int maxPipelineDepth) {
        this.maxPipelineDepth = maxPipelineDepth;
        init(new Decoder(config), new Encoder());
    }

    /** Request decoder that checks each request line first and remembers each request's method. */
    final class Decoder extends HttpRequestDecoder {
        private final int maxLine;
        private boolean atStart = true;
        private boolean refused;

        Decoder(HttpDecoderConfig config) {
            super(config);
            this.maxLine = config.getMaxInitialLineLength();
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (refused) {
                buffer.skipBytes(buffer.readableBytes());
                return;
            }
            if (atStart) {
                int verdict = RequestLine.check(buffer, maxLine);
                if (verdict == RequestLine.INCOMPLETE) {
                    return; // wait for the whole line
                }
                if (verdict == RequestLine.BAD) {
                    refused = true;
                    buffer.skipBytes(buffer.readableBytes());
                    out.add(invalid());
                    return;
                }
                atStart = verdict != RequestLine.OK; // TOO_LONG: the decoder itself refuses it
            }
            int before = out.size();
            super.decode(ctx, buffer, out);
            for (int i = before; i < out.size(); i++) {
                Object o = out.get(i);
                if (o instanceof HttpRequest req && !req.decoderResult().isFailure()) {
                    if (methods.size() >= maxPipelineDepth) {
                        refused = true;
                        for (int j = i; j < out.size(); j++) {
                            ReferenceCountUtil.release(out.get(j));
                        }
                        out.subList(i, out.size()).clear();
                        buffer.skipBytes(buffer.readableBytes());
                        out.add(invalid());
                        return;
                    }
                    methods.add(req.method());
                }
                if (o instanceof LastHttpContent) {
                    atStart = true;
                }
            }
        }

        /** A common name comes from a shared table instead of being made anew for every header line. */
        @Override
        protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
            AsciiString known = KnownHeaderNames.find(sb, start, length);
            return known != null ? known : super.splitHeaderName(sb, start, length);
        }

        private HttpRequest invalid() {
            HttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request",
                    Unpooled.EMPTY_BUFFER);
            r.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("request line breaks RFC 9112")));
            return r;
        }
    }

    /** Response encoder that knows which responses answer a HEAD (no body, whatever the headers say). */
    final class Encoder extends HttpResponseEncoder {
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

package io.sluice.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DefaultHeaders.NameValidator;
import io.netty.handler.codec.DefaultHeaders.ValueValidator;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;

/**
 * The HTTP/1.1 codec of an upstream connection: Netty's response decoder and request encoder, with the method of
 * each request sent remembered so that the response to a HEAD is read without a body whatever its
 * Content-Length says. It replaces Netty's {@code HttpClientCodec}, whose decoder cannot be extended, so that
 * common response header names ({@code Server}, {@code Date}, {@code ETag}, ...) come from the shared
 * {@link KnownHeaderNames} table instead of a new name per header line. Sluice never sends CONNECT upstream
 * (listeners answer it 405), so there is no tunnel mode here; an upgrade (101) is handled by the decoder and by
 * {@code Tunnel}, which removes this handler. Confined to the connection's event loop.
 */
final class Http1ClientCodec extends CombinedChannelDuplexHandler<Http1ClientCodec.Decoder, Http1ClientCodec.Encoder> {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

    /**
     * Trailers of a response: nearly always none, but Netty's decoder makes the object for every response that
     * ends by its length. These have room for two names in their table instead of sixteen (56 bytes less each)
     * and grow when a backend does send trailers; the names are checked as Netty's own trailers check them.
     */
    private static final HttpHeadersFactory TRAILERS = new HttpHeadersFactory() {
        private final DefaultHttpHeadersFactory checks = DefaultHttpHeadersFactory.trailersFactory();

        @Override
        public HttpHeaders newHeaders() {
            return new FewHeaders(checks.getNameValidator(), checks.getValueValidator());
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return checks.newEmptyHeaders();
        }
    };

    Http1ClientCodec(HttpDecoderConfig config) {
        init(new Decoder(config.setTrailersFactory(TRAILERS)), new Encoder());
    }

    /** Headers with a small table, for a block that usually stays empty. */
    private static final class FewHeaders extends DefaultHttpHeaders {
        FewHeaders(NameValidator<CharSequence> names, ValueValidator<CharSequence> values) {
            super(names, values, 2);
        }
    }

    /** Response decoder that pairs each final response with the method of its request. */
    final class Decoder extends HttpResponseDecoder {
        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            HttpResponse r = (HttpResponse) msg;
            // an interim response (100, 103) belongs to a request still waiting for its final one; 101 is final
            if (r.status().codeClass() == HttpStatusClass.INFORMATIONAL && r.status().code() != 101) {
                return super.isContentAlwaysEmpty(msg);
            }
            HttpMethod m = methods.poll();
            return HttpMethod.HEAD.equals(m) || super.isContentAlwaysEmpty(msg);
        }

        /** A common name comes from a shared table instead of being made anew for every header line. */
        @Override
        protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
            AsciiString known = KnownHeaderNames.find(sb, start, length);
            return known != null ? known : super.splitHeaderName(sb, start, length);
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
    }
}

package io.sluice.http;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;

/**
 * Turns the head of a proxied response into an HTTP/2 HEADERS frame on a stream, ahead of Netty's
 * {@code Http2StreamFrameToHttpObjectCodec}, without the garbage of its general conversion: a common header name
 * comes lower-cased from {@link KnownHeaderNames} instead of as a new lower-case copy, and there is no table of the
 * names a Connection header lists. What is sent is the same: {@code :status}, then every header but the
 * connection-specific ones (RFC 9113 §8.2.2: Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade;
 * Host and Netty's x-http2-* names as Netty drops them), names lower-cased, in order. A head this does not take on
 * is passed to Netty's codec untouched: a full response (Sluice's own answers), an interim one, and any with a
 * Connection, TE or Cookie header, whose rules (the names Connection lists, TE only as "trailers", cookie
 * crumbs) stay Netty's. Stateless; one instance serves every stream.
 */
@Sharable
final class H2ResponseHead extends ChannelOutboundHandlerAdapter {
    static final H2ResponseHead INSTANCE = new H2ResponseHead();

    private static final AsciiString X_HTTP2_STREAM_ID = HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text();
    private static final AsciiString X_HTTP2_SCHEME = HttpConversionUtil.ExtensionHeaderNames.SCHEME.text();
    private static final AsciiString X_HTTP2_PATH = HttpConversionUtil.ExtensionHeaderNames.PATH.text();

    private H2ResponseHead() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse r && !(msg instanceof FullHttpResponse)
                && r.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            Http2Headers h2 = convert(r);
            if (h2 != null) {
                ctx.write(new DefaultHttp2HeadersFrame(h2, false), promise);
                return;
            }
        }
        ctx.write(msg, promise);
    }

    /** The HTTP/2 headers for {@code r}, or null when Netty's codec should convert it. */
    static Http2Headers convert(HttpResponse r) {
        HttpHeaders in = r.headers();
        Http2Headers out = new DefaultHttp2Headers(false, in.size());
        out.status(r.status().codeAsText());
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = in.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            AsciiString name = KnownHeaderNames.lowerCase(e.getKey());
            switch (verdict(name)) {
                case SEND -> out.add(name, e.getValue());
                case DROP -> { }
                default -> {
                    return null;
                }
            }
        }
        return out;
    }

    private static final int SEND = 0;
    private static final int DROP = 1;
    private static final int NETTY = 2;

    /** What to do with a header of this lower-case name. */
    private static int verdict(AsciiString name) {
        switch (name.length()) {
            case 2:
                return name.contentEquals("te") ? NETTY : SEND;
            case 4:
                return name.contentEquals("host") ? DROP : SEND;
            case 6:
                return name.contentEquals("cookie") ? NETTY : SEND;
            case 7:
                return name.contentEquals("upgrade") ? DROP : SEND;
            case 10:
                return name.contentEquals("connection") ? NETTY : name.contentEquals("keep-alive") ? DROP : SEND;
            case 12:
                return name.contentEquals(X_HTTP2_PATH) ? DROP : SEND;
            case 14:
                return name.contentEquals(X_HTTP2_SCHEME) ? DROP : SEND;
            case 16:
                return name.contentEquals("proxy-connection") ? DROP : SEND;
            case 17:
                return name.contentEquals("transfer-encoding") || name.contentEquals(X_HTTP2_STREAM_ID) ? DROP : SEND;
            default:
                return SEND;
        }
    }
}

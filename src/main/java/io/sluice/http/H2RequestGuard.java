package io.sluice.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

/**
 * First handler of an HTTP/2 stream channel on the client side: a malformed request (RFC 9113 section 8.1.1)
 * is a stream error, so the stream is reset with PROTOCOL_ERROR before anything converts, routes or forwards
 * it, and nothing is answered on it. The frame codec checks field names, connection-specific fields, pseudo-header
 * order and Content-Length against the DATA received; this adds what it leaves to the application:
 * {@code :method}, {@code :scheme} and {@code :path} present (and only {@code :authority} with CONNECT),
 * {@code :path} in origin form or {@code *} for OPTIONS, without control bytes or spaces. A stream error the
 * codec raises reaches the stream here first and goes no further, so the codec resets the stream with that
 * error's code rather than the stream's handlers closing it (which would say CANCEL). One per stream; confined
 * to the stream's event loop.
 */
final class H2RequestGuard extends ChannelInboundHandlerAdapter {
    private boolean headersSeen;
    private boolean rejected;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejected) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!headersSeen && msg instanceof Http2HeadersFrame h) {
            headersSeen = true;
            if (!wellFormed(h.headers())) {
                rejected = true;
                ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.PROTOCOL_ERROR), ctx.voidPromise());
                return;
            }
        }
        ctx.fireChannelRead(msg);
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

    /** True when the request's pseudo-header fields make a request Sluice may forward (or answer). */
    static boolean wellFormed(Http2Headers headers) {
        CharSequence method = headers.method();
        if (method == null || !isToken(method)) {
            return false;
        }
        CharSequence path = headers.path();
        CharSequence scheme = headers.scheme();
        if (isConnect(method)) {
            // CONNECT names only the authority (extended CONNECT is not offered: no SETTINGS_ENABLE_CONNECT_PROTOCOL)
            return path == null && scheme == null && headers.authority() != null && visible(headers.authority());
        }
        if (scheme == null || scheme.length() == 0 || !visible(scheme)) {
            return false;
        }
        if (headers.authority() != null && !visible(headers.authority())) {
            return false;
        }
        CharSequence host = headers.get(HttpHeaderNames.HOST);
        if (host != null && headers.authority() != null
                && !AsciiString.contentEqualsIgnoreCase(host, headers.authority())) {
            return false; // two hosts: routing and the backend could each take another (RFC 9113 §8.3.1)
        }
        return path != null && validPath(method, path);
    }

    /** Origin form ("/" then visible characters), or "*" for OPTIONS only. */
    static boolean validPath(CharSequence method, CharSequence path) {
        if (path.length() == 1 && path.charAt(0) == '*') {
            return method.length() == 7 && "OPTIONS".contentEquals(method);
        }
        return path.length() > 0 && path.charAt(0) == '/' && visible(path)
                && AsciiString.indexOf(path, '#', 0) < 0; // a fragment is the client's own, never sent
    }

    /** Visible US-ASCII only: no control bytes, no space, no DEL, nothing above 0x7E. */
    private static boolean visible(CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static boolean isConnect(CharSequence method) {
        return method.length() == 7 && "CONNECT".contentEquals(method);
    }

    /** An HTTP token (RFC 9110 section 5.6.2): one or more tchar. */
    private static boolean isToken(CharSequence s) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            boolean alnum = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
            if (!alnum && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }
}

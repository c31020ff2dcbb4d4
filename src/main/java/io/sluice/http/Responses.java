package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The short responses Sluice makes itself (404, 502, 503, ...): a status line, a one-line text body,
 * never a stack trace. Stateless; thread-safe.
 */
final class Responses {
    private Responses() {
    }

    /** A complete response with a plain-text body naming the status. */
    static FullHttpResponse error(HttpResponseStatus status, boolean close) {
        ByteBuf body = Unpooled.copiedBuffer(status.code() + " " + status.reasonPhrase() + "\n", StandardCharsets.US_ASCII);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (close) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return r;
    }

    /** Raw bytes of a 408 response, for the timer that sits below the HTTP codec. */
    static ByteBuf requestTimeoutBytes() {
        return Unpooled.copiedBuffer("HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 20\r\nConnection: close\r\n\r\n408 Request Timeout\n", StandardCharsets.US_ASCII);
    }
}

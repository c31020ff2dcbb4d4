package io.sluice.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What an exchange needs to know of its request's head, read once when it arrives. Immutable.
 *
 * @param hasBody   a body follows (Content-Length above 0, or chunked)
 * @param head      the method is HEAD: the response has no body whatever its headers say
 * @param http10    the client speaks HTTP/1.0
 * @param keepAlive the client allows the connection to stay open
 * @param upgrade   a WebSocket upgrade on HTTP/1.1
 */
record RequestShape(boolean hasBody, boolean head, boolean http10, boolean keepAlive, boolean upgrade) {
    static RequestShape of(HttpRequest request, boolean h2) {
        return new RequestShape(HttpUtil.getContentLength(request, 0L) > 0 || HttpUtil.isTransferEncodingChunked(request),
                HttpMethod.HEAD.equals(request.method()), request.protocolVersion().equals(HttpVersion.HTTP_1_0),
                HttpUtil.isKeepAlive(request), !h2 && ForwardHeaders.isWebSocketUpgrade(request));
    }
}

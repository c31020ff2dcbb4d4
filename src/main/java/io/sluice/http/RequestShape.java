package io.sluice.http;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What an exchange needs to know of its request's head, read once when it arrives. Immutable; one
 * shared instance per combination.
 *
 * @param hasBody   a body follows (Content-Length above 0, or chunked)
 * @param head      the method is HEAD: the response has no body whatever its headers say
 * @param http10    the client speaks HTTP/1.0
 * @param keepAlive the client allows the connection to stay open
 * @param upgrade   a WebSocket upgrade on HTTP/1.1
 */
record RequestShape(boolean hasBody, boolean head, boolean http10, boolean keepAlive, boolean upgrade) {
    /** Every shape there can be, made once: reading a request's shape allocates nothing. */
    private static final RequestShape[] ALL = new RequestShape[32];

    static {
        for (int i = 0; i < ALL.length; i++) {
            ALL[i] = new RequestShape((i & 1) != 0, (i & 2) != 0, (i & 4) != 0, (i & 8) != 0, (i & 16) != 0);
        }
    }

    static RequestShape of(HttpRequest request, boolean h2) {
        boolean hasBody = HttpUtil.getContentLength(request, 0L) > 0 || HttpUtil.isTransferEncodingChunked(request);
        boolean head = HttpMethod.HEAD.equals(request.method());
        boolean http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean upgrade = !h2 && ForwardHeaders.isWebSocketUpgrade(request);
        return ALL[(hasBody ? 1 : 0) | (head ? 2 : 0) | (http10 ? 4 : 0) | (keepAlive ? 8 : 0) | (upgrade ? 16 : 0)];
    }
}

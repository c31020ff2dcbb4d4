package io.sluice.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;

/**
 * Header rules at the proxy boundary: hop-by-hop headers stop here, the X-Forwarded-* family is added on
 * the way in. Stateless; thread-safe.
 */
final class ForwardHeaders {
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    static final AsciiString X_FORWARDED_BY = AsciiString.cached("x-forwarded-by");
    static final AsciiString X_BACKEND_SERVER = AsciiString.cached("x-backend-server");
    static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString SLUICE = AsciiString.cached("sluice");
    private static final AsciiString HTTP = AsciiString.cached("http");
    private static final AsciiString HTTPS = AsciiString.cached("https");
    private static final AsciiString H2_SCHEME = HttpConversionUtil.ExtensionHeaderNames.SCHEME.text();
    private static final AsciiString H2_STREAM_ID = HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text();

    private ForwardHeaders() {
    }

    // Bits of hopByHop(): which hop-by-hop headers a message has.
    private static final int CONNECTION = 1;
    private static final int KEEP_ALIVE = 2;
    private static final int PROXY_CONN = 4;
    private static final int TE = 8;
    private static final int TRAILER = 16;
    private static final int TRANSFER_ENCODING = 32;
    private static final int UPGRADE = 64;
    /** Connection appears more than once (its values must all be read). */
    private static final int CONNECTION_REPEATED = 128;

    /**
     * Which hop-by-hop headers {@code h} has, as bits, found in one pass over its names: most messages have none
     * or only Connection, and then nothing needs to be looked up or removed by name.
     */
    static int hopByHop(HttpHeaders h) {
        if (h instanceof HeaderBlock b && b.lean()) {
            return hopByHop(b);
        }
        int found = 0;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
            found = addBit(found, hopByHopBit(it.next().getKey()));
        }
        return found;
    }

    /** As {@link #hopByHop(HttpHeaders)}, reading the names in place. */
    private static int hopByHop(HeaderBlock b) {
        int found = 0;
        for (int i = 0; i < b.lines(); i++) {
            if (!b.isRemoved(i)) {
                found = addBit(found, hopByHopBit(b.nameLength(i), b, i, null));
            }
        }
        for (int i = 0; i < b.extraCount(); i++) {
            found = addBit(found, hopByHopBit(b.extraName(i)));
        }
        return found;
    }

    /** {@code found} with {@code bit} added; a second Connection line counts as CONNECTION_REPEATED. */
    private static int addBit(int found, int bit) {
        return found | (bit == CONNECTION && (found & CONNECTION) != 0 ? CONNECTION_REPEATED : bit);
    }

    private static int hopByHopBit(CharSequence name) {
        return hopByHopBit(name.length(), null, 0, name);
    }

    /**
     * Which hop-by-hop header a name is, given its length: line {@code line} of block {@code b} (read in place)
     * when {@code b} is not null, else {@code name}.
     */
    private static int hopByHopBit(int length, HeaderBlock b, int line, CharSequence name) {
        switch (length) {
            case 2:
                return is(b, line, name, HttpHeaderNames.TE) ? TE : 0;
            case 7:
                return is(b, line, name, HttpHeaderNames.TRAILER) ? TRAILER
                        : is(b, line, name, HttpHeaderNames.UPGRADE) ? UPGRADE : 0;
            case 10:
                return is(b, line, name, HttpHeaderNames.CONNECTION) ? CONNECTION
                        : is(b, line, name, HttpHeaderNames.KEEP_ALIVE) ? KEEP_ALIVE : 0;
            case 16:
                return is(b, line, name, PROXY_CONNECTION) ? PROXY_CONN : 0;
            case 17:
                return is(b, line, name, HttpHeaderNames.TRANSFER_ENCODING) ? TRANSFER_ENCODING : 0;
            default:
                return 0;
        }
    }

    private static boolean is(HeaderBlock b, int line, CharSequence name, CharSequence wanted) {
        return b != null ? b.nameIs(line, wanted) : AsciiString.contentEqualsIgnoreCase(name, wanted);
    }

    /**
     * Removes the hop-by-hop headers of a message: Connection and every header it names, Keep-Alive,
     * Proxy-Connection, TE, Trailer, Transfer-Encoding and Upgrade. {@code TE: trailers} stays: it says the
     * client takes trailers, which gRPC needs end to end, and HTTP/2 allows it.
     */
    static void stripHopByHop(HttpHeaders h) {
        stripHopByHop(h, hopByHop(h));
    }

    /** As {@link #stripHopByHop(HttpHeaders)}, given which of those headers it has ({@link #hopByHop}). */
    private static void stripHopByHop(HttpHeaders h, int present) {
        if (present == 0) {
            return;
        }
        if ((present & CONNECTION_REPEATED) != 0) {
            for (Iterator<String> it = h.valueStringIterator(HttpHeaderNames.CONNECTION); it.hasNext(); ) {
                removeListedUnlessKeepAlive(h, it.next());
            }
            h.remove(HttpHeaderNames.CONNECTION);
        } else if ((present & CONNECTION) != 0) {
            if (h instanceof HeaderBlock b && b.valueIs(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)) {
                h.remove(HttpHeaderValues.CLOSE); // the usual values, read in place: no string made
            } else if (!(h instanceof HeaderBlock b
                    && b.valueIs(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE))) {
                removeListedUnlessKeepAlive(h, h.get(HttpHeaderNames.CONNECTION)); // one line: no iterator
            }
            h.remove(HttpHeaderNames.CONNECTION);
        }
        if ((present & KEEP_ALIVE) != 0) {
            h.remove(HttpHeaderNames.KEEP_ALIVE);
        }
        if ((present & PROXY_CONN) != 0) {
            h.remove(PROXY_CONNECTION);
        }
        if ((present & TE) != 0) {
            String te = h.get(HttpHeaderNames.TE);
            h.remove(HttpHeaderNames.TE);
            if (te != null && hasToken(te, HttpHeaderValues.TRAILERS)) {
                h.set(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
            }
        }
        if ((present & TRAILER) != 0) {
            h.remove(HttpHeaderNames.TRAILER);
        }
        if ((present & TRANSFER_ENCODING) != 0) {
            h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        }
        if ((present & UPGRADE) != 0) {
            h.remove(HttpHeaderNames.UPGRADE);
        }
    }

    private static void removeListedUnlessKeepAlive(HttpHeaders h, String value) {
        // The usual value names only Keep-Alive, removed below when present.
        if (value != null && !HttpHeaderValues.KEEP_ALIVE.contentEqualsIgnoreCase(value)) {
            removeListed(h, value);
        }
    }

    /** Whether a comma-separated header value lists {@code token} (ignoring case, parameters and spaces). */
    static boolean hasToken(String value, CharSequence token) {
        int start = 0;
        int len = value.length();
        while (start < len) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? len : comma;
            int semi = value.indexOf(';', start);
            int stop = semi >= 0 && semi < end ? semi : end;
            if (AsciiString.contentEqualsIgnoreCase(value.substring(start, stop).trim(), token)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    /** Whether the request asks to switch to WebSocket (Upgrade: websocket with Connection: upgrade). */
    static boolean isWebSocketUpgrade(HttpMessage m) {
        HttpHeaders h = m.headers();
        String upgrade = h.get(HttpHeaderNames.UPGRADE);
        if (upgrade == null || !hasToken(upgrade, HttpHeaderValues.WEBSOCKET)) {
            return false;
        }
        for (String c : h.getAll(HttpHeaderNames.CONNECTION)) {
            if (hasToken(c, HttpHeaderValues.UPGRADE)) {
                return true;
            }
        }
        return false;
    }

    /** Puts back the two headers a protocol switch needs after the hop-by-hop ones were removed. */
    static void keepUpgrade(HttpHeaders h) {
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        h.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
    }

    /** A backend's interim (1xx) answer for the client: hop-by-hop headers go, the version becomes HTTP/1.1. */
    static HttpResponse interimToClient(HttpResponse r) {
        stripHopByHop(r.headers());
        r.setProtocolVersion(HttpVersion.HTTP_1_1);
        return r;
    }

    /** A backend's 101 for the client: hop-by-hop headers go, except the switch itself. */
    static void switchingToClient(HttpResponse r, String backendServer) {
        stripHopByHop(r.headers());
        keepUpgrade(r.headers());
        if (backendServer != null) {
            r.headers().set(X_BACKEND_SERVER, backendServer);
        }
        r.setProtocolVersion(HttpVersion.HTTP_1_1);
    }
    /**
     * Headers that a Connection list never removes: the framing (Content-Length, Transfer-Encoding) is the
     * one the codec decoded and the one Sluice sends, and Host is what the request was routed by. Dropping
     * them on a client's say-so would let the body be read upstream as another request.
     */
    private static boolean isProtected(String name) {
        return HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.HOST.contentEqualsIgnoreCase(name);
    }

    private static void removeListed(HttpHeaders h, String value) {
        int start = 0;
        int len = value.length();
        while (start < len) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? len : comma;
            String name = value.substring(start, end).trim();
            if (!name.isEmpty() && !isProtected(name)) {
                h.remove(name);
            }
            start = end + 1;
        }
    }

    /**
     * Rewrites a client's request for the backend. The body framing is kept: a chunked body is sent
     * chunked again, a Content-Length body with its length. The request goes upstream as HTTP/1.1 so the
     * connection can be kept alive, with the backend's address as Host when an HTTP/1.0 client sent none.
     * A WebSocket upgrade keeps its Upgrade and Connection headers.
     *
     * @param secure the client came over TLS (X-Forwarded-Proto: https)
     * @param fromH2 the request came on an HTTP/2 stream (the codec's x-http2-* headers go)
     * @param upgrade the request is a WebSocket upgrade
     */
    static void toUpstream(HttpMessage request, String clientIp, String localPort, boolean forwardedBy,
                           String backendAddress, boolean secure, boolean fromH2, boolean upgrade) {
        HttpHeaders h = request.headers();
        if (fromH2) {
            h.remove(H2_SCHEME);
            h.remove(H2_STREAM_ID);
        }
        if (!request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
            request.setProtocolVersion(HttpVersion.HTTP_1_1);
            if (!h.contains(HttpHeaderNames.HOST)) {
                h.set(HttpHeaderNames.HOST, backendAddress);
            }
        }
        int present = hopByHop(h);
        boolean chunked = (present & TRANSFER_ENCODING) != 0
                && h.containsValue(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED, true);
        stripHopByHop(h, present);
        if (chunked) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        if (upgrade) {
            keepUpgrade(h);
        }
        String xff = h.get(X_FORWARDED_FOR);
        h.set(X_FORWARDED_FOR, xff == null || xff.isEmpty() ? clientIp : xff + ", " + clientIp);
        h.set(X_FORWARDED_PROTO, secure ? HTTPS : HTTP);
        CharSequence host = h instanceof HeaderBlock b ? b.view(HttpHeaderNames.HOST) : h.get(HttpHeaderNames.HOST);
        if (host != null) {
            h.set(X_FORWARDED_HOST, host); // from a lean head, a view of its bytes: no copy
        }
        h.set(X_FORWARDED_PORT, localPort);
        if (forwardedBy) {
            h.set(X_FORWARDED_BY, SLUICE);
        }
    }

    /**
     * Rewrites a backend's response head for the client: hop-by-hop headers go; a body without a length is
     * re-framed (chunked to an HTTP/1.1 client; to an HTTP/1.0 client its end is the connection's close);
     * Connection says whether the connection stays open; X-Backend-Server is set when asked for; the
     * version becomes HTTP/1.1.
     *
     * @param head           the request was a HEAD (the response has no body)
     * @param http10         the client speaks HTTP/1.0
     * @param mayKeepAlive   the client and the proxy allow the connection to stay open
     * @param backendServer  the value of X-Backend-Server, or null for none
     * @param fromH2         the response came from an HTTP/2 backend (the codec's x-http2-* header goes)
     * @return whether the client connection stays open after this response
     */
    static boolean toClient(HttpResponse r, boolean head, boolean http10, boolean mayKeepAlive, String backendServer,
                            boolean fromH2) {
        HttpHeaders h = r.headers();
        if (fromH2) {
            h.remove(H2_STREAM_ID);
        }
        int code = r.status().code();
        int present = hopByHop(h);
        boolean chunked = (present & TRANSFER_ENCODING) != 0 && HttpUtil.isTransferEncodingChunked(r);
        boolean bodyless = head || code == 204 || code == 304;
        stripHopByHop(h, present);
        boolean keepAlive = mayKeepAlive;
        if (chunked || (!bodyless && !h.contains(HttpHeaderNames.CONTENT_LENGTH))) {
            if (http10) {
                keepAlive = false;
            } else {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        }
        if (!keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        if (backendServer != null) {
            h.set(X_BACKEND_SERVER, backendServer);
        }
        r.setProtocolVersion(HttpVersion.HTTP_1_1);
        return keepAlive;
    }
}

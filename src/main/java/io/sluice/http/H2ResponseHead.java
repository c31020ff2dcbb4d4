package io.sluice.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.codec.http2.ReadOnlyHttp2Headers;
import io.netty.util.AsciiString;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * Turns the head of a proxied response into HTTP/2 headers for {@link H2Stream}, without the garbage of
 * Netty's general conversion: a common header name comes lower-cased from {@link KnownHeaderNames} instead of as
 * a new lower-case copy, and there is no table of the names a Connection header lists. What is sent is the same:
 * {@code :status}, then every header but the connection-specific ones (RFC 9113 §8.2.2: Connection, Keep-Alive,
 * Proxy-Connection, Transfer-Encoding, Upgrade; Host and Netty's x-http2-* names as Netty drops them), names
 * lower-cased, in order. A head with a Connection, TE or Cookie header is left to Netty's conversion, whose rules
 * (the names Connection lists, TE only as "trailers", cookie crumbs) stay Netty's. Stateless.
 */
final class H2ResponseHead {
    private static final AsciiString X_HTTP2_STREAM_ID = HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text();
    private static final AsciiString X_HTTP2_SCHEME = HttpConversionUtil.ExtensionHeaderNames.SCHEME.text();
    private static final AsciiString X_HTTP2_PATH = HttpConversionUtil.ExtensionHeaderNames.PATH.text();

    private H2ResponseHead() {
    }

    /** The HTTP/2 headers for {@code r}, or null when Netty's codec should convert it. */
    static Http2Headers convert(HttpResponse r) {
        HttpHeaders in = r.headers();
        if (in instanceof HeaderBlock block && block.lean()) {
            return convert(r, block);
        }
        Http2Headers out = new DefaultHttp2Headers(false, in.size());
        out.status(r.status().codeAsText());
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = in.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            if (!add(out, KnownHeaderNames.lowerCase(e.getKey()), e.getValue())) {
                return null;
            }
        }
        return out;
    }

    /**
     * A proxied head as the upstream decoder left it: names and values read off the block's bytes into Netty's
     * read-only headers, which keep the array as it is (no entry per field, no value strings).
     */
    private static Http2Headers convert(HttpResponse r, HeaderBlock block) {
        AsciiString[] fields = new AsciiString[2 * block.size()];
        int at = 0;
        for (int i = 0, n = block.lines(); i < n; i++) {
            if (!block.isRemoved(i)) {
                at = take(fields, at, block.lowerName(i), block.valueView(i));
                if (at < 0) {
                    return null;
                }
            }
        }
        for (int i = 0, n = block.extraCount(); i < n; i++) {
            at = take(fields, at, KnownHeaderNames.lowerCase(block.extraName(i)), block.extraValue(i));
            if (at < 0) {
                return null;
            }
        }
        if (at < fields.length) {
            fields = Arrays.copyOf(fields, at); // something was dropped: the array must hold fields only
        }
        return ReadOnlyHttp2Headers.serverHeaders(false, r.status().codeAsText(), fields);
    }

    /** Puts one field at {@code at} unless HTTP/2 drops it; where the next goes, or -1 when Netty's to convert. */
    private static int take(AsciiString[] fields, int at, AsciiString name, CharSequence value) {
        switch (verdict(name)) {
            case SEND -> {
                fields[at] = name;
                fields[at + 1] = AsciiString.of(value);
                return at + 2;
            }
            case DROP -> {
                return at;
            }
            default -> {
                return -1;
            }
        }
    }

    /** Adds one header unless HTTP/2 drops it; false when the head is Netty's to convert. */
    private static boolean add(Http2Headers out, AsciiString name, CharSequence value) {
        switch (verdict(name)) {
            case SEND -> out.add(name, value);
            case DROP -> { }
            default -> {
                return false;
            }
        }
        return true;
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

package io.sluice.http;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Map;

/**
 * Turns the head of an HTTP/2 request into an HTTP/1.1 request whose headers are a {@link HeaderBlock}: the fields
 * copied once into the block's one array, which the upstream encoder writes back as bytes. What the block holds is
 * what Netty's {@code HttpConversionUtil.toHttpRequest} gives, less the {@code x-http2-scheme} and
 * {@code x-http2-stream-id} fields it adds and the proxy drops before forwarding: {@code :authority} as the first
 * field, {@code host} (a Host equal to {@code :authority} is not repeated), every other regular field in order,
 * Netty's own {@code x-http2-*} names, Transfer-Encoding, Trailer and Connection left out, and the cookie crumbs
 * joined by {@code "; "} into one Cookie field at the end (RFC 9113 §8.2.3). A CONNECT, a Host that differs from
 * {@code :authority}, more than {@link HeaderBlock#MAX_LINES} fields or a section past the block's 64 KiB is left
 * to Netty's conversion (null). Stateless.
 */
final class H2RequestHead {
    private static final AsciiString HOST = AsciiString.cached("host");
    private static final AsciiString COOKIE = AsciiString.cached("cookie");
    private static final byte[] CRUMB_SEPARATOR = {';', ' '};
    private static final HttpConversionUtil.ExtensionHeaderNames[] EXTENSION_NAMES =
            HttpConversionUtil.ExtensionHeaderNames.values();

    private H2RequestHead() {
    }

    /** The request, or null when Netty's conversion should make it. {@code headers} passed the request guard. */
    static HttpRequest convert(Http2Headers headers) {
        CharSequence method = headers.method();
        CharSequence path = headers.path();
        if (method == null || path == null || AsciiString.contentEqualsIgnoreCase(method, "CONNECT")) {
            return null;
        }
        CharSequence authority = headers.authority();
        int lines = authority != null ? 1 : 0;
        int data = authority != null ? 4 + authority.length() : 0;
        int crumbs = 0;
        int crumbBytes = 0;
        boolean host = false;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iterator(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            CharSequence name = e.getKey();
            CharSequence value = e.getValue();
            switch (kind(name, authority, value)) {
                case KEEP -> {
                    if (authority == null && name.length() == 4 && AsciiString.contentEqualsIgnoreCase(name, HOST)) {
                        if (host) {
                            return null; // Host twice without :authority: Netty's rules (one kept, or an error)
                        }
                        host = true;
                    }
                    lines++;
                    data += name.length() + value.length();
                }
                case CRUMB -> {
                    crumbs++;
                    crumbBytes += value.length();
                }
                case SKIP -> { }
                default -> {
                    return null;
                }
            }
        }
        if (crumbs > 0) {
            lines++;
            data += COOKIE.length() + crumbBytes + 2 * (crumbs - 1);
        }
        if (lines > HeaderBlock.MAX_LINES || data + 4 * lines > HeadParser.MAX_SECTION) {
            return null;
        }
        byte[] out = new byte[data + 4 * lines];
        int w = 0;
        int line = 0;
        if (authority != null) {
            w = put(out, w, HOST);
            w = end(out, data, line, w, true);
            w = put(out, w, authority);
            w = end(out, data, line++, w, false);
        }
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iterator(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            if (kind(e.getKey(), authority, e.getValue()) == KEEP) {
                w = put(out, w, e.getKey());
                w = end(out, data, line, w, true);
                w = put(out, w, e.getValue());
                w = end(out, data, line++, w, false);
            }
        }
        if (crumbs > 0) {
            w = put(out, w, COOKIE);
            w = end(out, data, line, w, true);
            boolean first = true;
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iterator(); it.hasNext(); ) {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                if (kind(e.getKey(), authority, e.getValue()) == CRUMB) { // in the order they came
                    if (!first) {
                        w = put(out, w, CRUMB_SEPARATOR);
                    }
                    first = false;
                    w = put(out, w, e.getValue());
                }
            }
            end(out, data, line, w, false);
        }
        HttpMethod m = HttpMethod.valueOf(method.toString());
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, m, path.toString(), new HeaderBlock(out, lines));
    }

    private static final int KEEP = 0;
    private static final int SKIP = 1;
    private static final int CRUMB = 2;
    private static final int NETTY = 3;

    /** What becomes of one field of the HTTP/2 head. */
    private static int kind(CharSequence name, CharSequence authority, CharSequence value) {
        int n = name.length();
        if (n == 0) {
            return NETTY;
        }
        if (name.charAt(0) == ':') {
            return SKIP; // pseudo-header fields: :authority is Host, the others are in the request line
        }
        switch (n) {
            case 4:
                if (AsciiString.contentEqualsIgnoreCase(name, HOST)) {
                    if (authority == null) {
                        return KEEP;
                    }
                    return AsciiString.contentEqualsIgnoreCase(authority, value) ? SKIP : NETTY;
                }
                return KEEP;
            case 6:
                return AsciiString.contentEqualsIgnoreCase(name, COOKIE) ? CRUMB : KEEP;
            case 7:
                return AsciiString.contentEqualsIgnoreCase(name, "trailer") ? SKIP : KEEP;
            case 10:
                return AsciiString.contentEqualsIgnoreCase(name, "connection") ? SKIP : KEEP;
            case 17:
                return AsciiString.contentEqualsIgnoreCase(name, "transfer-encoding") ? SKIP : KEEP;
            default:
                return n > 8 && name.charAt(0) == 'x' && isExtensionName(name) ? SKIP : KEEP;
        }
    }

    /** One of Netty's own x-http2-* names, which its conversion never takes from a client. */
    private static boolean isExtensionName(CharSequence name) {
        for (HttpConversionUtil.ExtensionHeaderNames x : EXTENSION_NAMES) {
            if (x.text().contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    private static int put(byte[] out, int w, CharSequence s) {
        if (s instanceof AsciiString a) {
            System.arraycopy(a.array(), a.arrayOffset(), out, w, a.length());
            return w + a.length();
        }
        for (int i = 0, n = s.length(); i < n; i++) {
            out[w++] = (byte) s.charAt(i);
        }
        return w;
    }

    private static int put(byte[] out, int w, byte[] b) {
        System.arraycopy(b, 0, out, w, b.length);
        return w + b.length;
    }

    /** Records where line {@code line}'s name ({@code name}) or value ends: at {@code w}. */
    private static int end(byte[] out, int data, int line, int w, boolean name) {
        int o = data + 4 * line + (name ? 0 : 2);
        out[o] = (byte) (w >>> 8);
        out[o + 1] = (byte) w;
        return w;
    }
}

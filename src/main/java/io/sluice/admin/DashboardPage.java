package io.sluice.admin;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The operator dashboard at {@code /dashboard}: one self-contained HTML page (inline CSS and JS) that polls
 * the admin JSON endpoints of the same origin. The page is read from the classpath once, when this class is
 * first used, and never changes afterwards. Stateless apart from that immutable copy; thread-safe.
 */
final class DashboardPage {
    static final String RESOURCE = "dashboard.html";

    /**
     * Only this origin, and the page's own inline script and style: no other scripts, frames, forms or
     * plugins; {@code connect-src 'self'} is what the page's fetches need; the favicon is a {@code data:} URL.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self' 'unsafe-inline'; "
            + "style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static final byte[] PAGE = load();

    private DashboardPage() {
    }

    /**
     * A fresh 200 response with the page. Its content wraps the cached bytes without copying them; the
     * response owns that one reference, so whoever writes the response releases it (and must not write
     * into it).
     */
    static FullHttpResponse response() {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(PAGE));
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, PAGE.length);
        h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        h.set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
        h.set("X-Content-Type-Options", "nosniff");
        h.set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY");
        h.set("Referrer-Policy", "no-referrer");
        return r;
    }

    /** The size of the page in bytes. */
    static int length() {
        return PAGE.length;
    }

    private static byte[] load() {
        try (InputStream in = DashboardPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard page " + RESOURCE + " is missing from the classpath"
                        + " (expected next to " + DashboardPage.class.getName() + ")");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dashboard page " + RESOURCE, e);
        }
    }
}

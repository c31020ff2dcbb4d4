package io.sluice.filter;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Objects;

/**
 * Sluice's one way of answering with a redirect: a {@link HeaderTemplate} for the Location (e.g.
 * {@code https://example.com/new{path}}) and a status among 301, 302, 303, 307 and 308. The {@code redirect}
 * filter and the clear-text side of an HTTPS listener ({@code redirect_http_from}) both answer through it.
 * Immutable; thread-safe.
 */
public final class Redirects {
    private final HeaderTemplate to;
    private final HttpResponseStatus status;

    /**
     * @param to     where to send the client
     * @param status 301, 302, 303, 307 or 308
     * @throws IllegalArgumentException for any other status
     */
    public Redirects(HeaderTemplate to, int status) {
        this.to = Objects.requireNonNull(to, "to");
        if (!isRedirect(status)) {
            throw new IllegalArgumentException("a redirect status is 301, 302, 303, 307 or 308, got " + status);
        }
        this.status = HttpResponseStatus.valueOf(status);
    }

    /** Whether {@code status} is one a redirect may have. */
    public static boolean isRedirect(long status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** The Location for {@code request}. */
    public String location(HttpRequest request, String clientIp, String requestId, boolean secure) {
        return to.render(request, clientIp, requestId, secure);
    }

    /** The answer to {@code request}: the status, Location and a one-line plain-text body naming both. */
    public FullHttpResponse respond(HttpRequest request, String clientIp, String requestId, boolean secure) {
        return respond(location(request, clientIp, requestId, secure));
    }

    /** The answer with this Location. */
    public FullHttpResponse respond(String location) {
        FullHttpResponse r = Verdict.text(status, status.code() + " " + status.reasonPhrase() + ": " + location + "\n");
        r.headers().set(HttpHeaderNames.LOCATION, location);
        return r;
    }

    /** The status answered. */
    public int status() {
        return status.code();
    }
}

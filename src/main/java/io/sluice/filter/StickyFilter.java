package io.sluice.filter;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import java.util.Iterator;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Sticky sessions: a signed cookie ({@link StickyCookie}) names the backend that served a client, and later
 * requests carrying it ask for that backend first ({@link FilterContext#preferBackend}); the pool's strategy
 * picks only when there is no valid cookie or its backend cannot take requests (down, drained, breaker open,
 * removed). The response gets a new cookie when the request had no valid one, when another backend served
 * it, or when the cookie has lived more than half its time (so that an active session does not expire).
 * A tampered, expired or unknown cookie is ignored, counted and replaced.
 *
 * <p>Thread-safe: one instance serves a route on every event loop; the only per-request state is the
 * cookie's backend, kept in the exchange's filter state.
 */
public final class StickyFilter implements Filter {
    private final StickySettings settings;
    private final StickyCookie codec;
    private final FilterCounter issued;
    private final FilterCounter invalid;
    private final LongSupplier epochSeconds;
    private final long ttlSeconds;

    StickyFilter(StickySettings settings, FilterCounter issued, FilterCounter invalid, LongSupplier epochSeconds) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.codec = new StickyCookie(settings.secrets());
        this.issued = issued;
        this.invalid = invalid;
        this.epochSeconds = epochSeconds;
        this.ttlSeconds = settings.ttl().toSeconds();
    }

    /** The route's sticky filter, or null when its chain (null for none) has none. */
    public static StickyFilter in(FilterChain chain) {
        if (chain == null) {
            return null;
        }
        for (Filter f : chain.filters) {
            if (f instanceof StickyFilter s) {
                return s;
            }
        }
        return null;
    }

    /** The backend a valid cookie on this request names, or null when there is none. */
    public String backendOf(HttpRequest request) {
        StickyCookie.Verified v = find(request.headers(), epochSeconds.getAsLong(), false);
        return v == null ? null : v.backend();
    }

    @Override
    public Verdict onRequest(FilterContext ctx, HttpRequest request) {
        long now = epochSeconds.getAsLong();
        StickyCookie.Verified v = find(request.headers(), now, true);
        if (v != null) {
            ctx.preferBackend(v.backend());
            if (v.expires() - now > ttlSeconds / 2) {
                ctx.state(v.backend()); // fresh enough: no new cookie needed if that backend serves
            }
        }
        return Verdict.next();
    }

    @Override
    public void onResponse(FilterContext ctx, HttpResponse response) {
        String backend = ctx.backend();
        if (backend == null || backend.equals(ctx.state())) {
            return;
        }
        response.headers().add(HttpHeaderNames.SET_COOKIE, setCookie(backend, epochSeconds.getAsLong()));
        if (issued != null) {
            issued.increment();
        }
    }

    /** The {@code Set-Cookie} value naming {@code backend}, valid from {@code now} for the ttl. */
    String setCookie(String backend, long now) {
        DefaultCookie c = new DefaultCookie(settings.cookie(), codec.sign(backend, now + ttlSeconds));
        c.setMaxAge(ttlSeconds);
        c.setPath(settings.path());
        if (settings.domain() != null) {
            c.setDomain(settings.domain());
        }
        c.setSecure(settings.secure());
        c.setHttpOnly(settings.httpOnly());
        c.setSameSite(CookieHeaderNames.SameSite.valueOf(settings.sameSite()));
        return ServerCookieEncoder.STRICT.encode(c);
    }

    /**
     * The first cookie of the configured name that verifies, or null; a cookie of that name that does not
     * verify is counted as invalid when {@code count} (once per request: the traffic split looks too).
     */
    private StickyCookie.Verified find(HttpHeaders headers, long now, boolean count) {
        String name = settings.cookie();
        boolean seen = false;
        Iterator<String> it = headers.valueStringIterator(HttpHeaderNames.COOKIE);
        while (it.hasNext()) {
            String h = it.next();
            int n = h.length();
            int i = 0;
            while (i < n) {
                while (i < n && (h.charAt(i) == ' ' || h.charAt(i) == '\t' || h.charAt(i) == ';')) {
                    i++;
                }
                int end = h.indexOf(';', i);
                if (end < 0) {
                    end = n;
                }
                int eq = i + name.length();
                if (eq < end && h.charAt(eq) == '=' && h.regionMatches(i, name, 0, name.length())) {
                    int to = end;
                    while (to > eq + 1 && (h.charAt(to - 1) == ' ' || h.charAt(to - 1) == '\t')) {
                        to--;
                    }
                    seen = true;
                    StickyCookie.Verified v = codec.verify(h.substring(eq + 1, to), now);
                    if (v != null) {
                        return v;
                    }
                }
                i = end + 1;
            }
        }
        if (seen && count && invalid != null) {
            invalid.increment();
        }
        return null;
    }
}

package io.sluice.filter.ratelimit;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AsciiString;
import io.sluice.filter.Filter;
import io.sluice.filter.FilterContext;
import io.sluice.filter.FilterCounter;
import io.sluice.filter.Verdict;
import java.util.Objects;

/**
 * Limits the request rate per key with a token bucket: each key (client IP, a header or cookie, the route, or
 * several of them) may make {@code burst} requests at once and {@code requests_per_second} after that. A
 * refused request gets the configured status (429) with {@code Retry-After} in whole seconds (at least 1),
 * and never reaches a backend; it is counted as {@code sluice_filter_rate_limited_total}.
 *
 * <p>Every answer, passed or refused, says where the client stands, as draft-ietf-httpapi-ratelimit-headers
 * has it: {@code RateLimit-Policy: "NAME";q=BURST;w=SECONDS} (w: how long an empty bucket takes to fill) and
 * {@code RateLimit: "NAME";r=REMAINING;t=SECONDS} (t: seconds until the bucket is full again). The values are
 * worked out when the request passes and set on the response head; the common ones are made once, up front.
 *
 * <p>A request without the header or cookie its key names is counted under one key that all such requests
 * share ({@link RateLimitKey#MISSING}), so leaving the header out is no way around the limit; in a combined key
 * only the missing part is shared (with {@code [client_ip, "header:X-Api-Key"]}, requests without a key are
 * limited per client IP).
 *
 * <p>Buckets live in a {@link RateLimitStore}; thread-safe, one instance per route (or listener) on every event
 * loop.
 */
public final class RateLimitFilter implements Filter {
    static final AsciiString RATELIMIT_POLICY = AsciiString.cached("RateLimit-Policy");
    static final AsciiString RATELIMIT = AsciiString.cached("RateLimit");
    /** The most {@code RateLimit} values made up front; beyond, a value is made per request. */
    private static final int PRECOMPUTED = 4096;

    private final RateLimitSettings settings;
    private final RateLimitKey[] key;
    private final RateLimitStore store;
    private final FilterCounter limited;
    private final HttpResponseStatus status;
    private final AsciiString policy;
    private final AsciiString[] byRemaining;

    public RateLimitFilter(RateLimitSettings settings, RateLimitStore store, FilterCounter limited) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.store = Objects.requireNonNull(store, "store");
        this.limited = Objects.requireNonNull(limited, "limited");
        this.key = settings.key().toArray(new RateLimitKey[0]);
        this.status = HttpResponseStatus.valueOf(settings.status());
        long window = Math.max(1, (long) Math.ceil(settings.burst() / settings.requestsPerSecond()));
        this.policy = AsciiString.of("\"" + settings.name() + "\";q=" + settings.burst() + ";w=" + window);
        this.byRemaining = new AsciiString[(int) Math.min(settings.burst(), PRECOMPUTED) + 1];
        for (int r = 0; r < byRemaining.length; r++) {
            byRemaining[r] = remaining(r);
        }
    }

    private AsciiString remaining(long r) {
        long t = (long) Math.ceil((settings.burst() - r) / settings.requestsPerSecond());
        return AsciiString.of("\"" + settings.name() + "\";r=" + r + ";t=" + t);
    }

    private AsciiString value(long r) {
        return r < byRemaining.length ? byRemaining[(int) r] : remaining(r);
    }

    @Override
    public Verdict onRequest(FilterContext ctx, HttpRequest request) {
        long result = store.tryConsume(RateLimitKey.of(key, ctx, request));
        if (!RateLimitStore.refused(result)) {
            ctx.state(value(Math.min(result, settings.burst())));
            return Verdict.next();
        }
        limited.increment();
        long seconds = Math.max(1, (RateLimitStore.waitNanos(result) + 999_999_999L) / 1_000_000_000L);
        FullHttpResponse r = Verdict.text(status, status.code() + " " + status.reasonPhrase() + "\n");
        HttpHeaders h = r.headers();
        h.set(HttpHeaderNames.RETRY_AFTER, Long.toString(seconds));
        h.add(RATELIMIT_POLICY, policy);
        h.add(RATELIMIT, byRemaining[0]);
        return Verdict.respond(r);
    }

    @Override
    public void onResponse(FilterContext ctx, HttpResponse response) {
        if (ctx.state() instanceof AsciiString v) {
            response.headers().add(RATELIMIT_POLICY, policy).add(RATELIMIT, v);
        }
    }

    /** The settings this filter runs with. */
    public RateLimitSettings settings() {
        return settings;
    }
}

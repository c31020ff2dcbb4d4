package io.sluice.http;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.sluice.balance.Backend;
import io.sluice.config.RetryConfig;
import io.sluice.runtime.FailureKind;
import java.util.Date;
import java.util.random.RandomGenerator;

/**
 * The rules of retrying, apart from the exchange that applies them: which methods may be sent twice,
 * which failures a pool retries, how long to back off, and how long a backend's Retry-After asks for.
 *
 * <p>A failed attempt goes again, after a jittered backoff, to a backend the request has not tried yet (the
 * same one only when no other is left), while the pool's retry rules and budget allow: connect failures
 * always (nothing was sent); resets, timeouts and retryable statuses only for methods that may be sent twice
 * and while the whole body sent so far is still kept (up to 64 KiB, see {@link ReplayBuffer}). Nothing is
 * retried once the response has started towards the client. Stateless; thread-safe.
 */
final class Retries {
    /** The longest a backend's Retry-After holds it off: 5 minutes. */
    static final long MAX_RETRY_AFTER_NANOS = 300_000_000_000L;

    private Retries() {
    }

    /** True for methods that may be sent again after the backend may have seen them (RFC 9110 9.2.2). */
    static boolean idempotent(HttpMethod m) {
        return m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD) || m.equals(HttpMethod.OPTIONS)
                || m.equals(HttpMethod.PUT) || m.equals(HttpMethod.DELETE) || m.equals(HttpMethod.TRACE);
    }

    /** True when a request with this method may be retried after its bytes were sent. */
    static boolean retryableAfterSend(HttpMethod m, RetryConfig rc) {
        return idempotent(m) || (!rc.methods().isEmpty() && rc.methods().contains(m.name()));
    }

    /** True when the pool retries this local failure at all (the method and body are judged apart). */
    static boolean retriesOn(FailureKind kind, RetryConfig rc) {
        return switch (kind) {
            case CONNECT_REFUSED, CONNECT_TIMEOUT -> rc.on().contains(RetryConfig.On.CONNECT_FAILURE);
            case RESET -> rc.on().contains(RetryConfig.On.RESET);
            case RESPONSE_TIMEOUT -> rc.on().contains(RetryConfig.On.TIMEOUT);
            default -> false;
        };
    }

    /**
     * True when a pool with rules {@code rc} retries this failure of a request with this method, as far as
     * method and body go: connect failures whatever the method; after sending, idempotent or listed methods
     * whose body sent so far was kept whole ({@code bodyDropped} false).
     */
    static boolean mayRetry(FailureKind kind, RetryConfig rc, HttpMethod method, boolean bodyDropped) {
        if (!retriesOn(kind, rc) || bodyDropped) {
            return false;
        }
        return beforeSending(kind) || retryableAfterSend(method, rc);
    }

    /** True for failures that happened before any request byte could reach the backend. */
    static boolean beforeSending(FailureKind kind) {
        return kind == FailureKind.CONNECT_REFUSED || kind == FailureKind.CONNECT_TIMEOUT;
    }

    /**
     * The wait before retry number {@code n} (1 for the first): exponential backoff with full jitter, a
     * uniform draw in [0, min(maxBackoff, backoff * 2^(n-1))].
     */
    static long backoffNanos(RetryConfig rc, int n, RandomGenerator random) {
        long base = rc.backoff().toNanos();
        if (base <= 0) {
            return 0;
        }
        long cap = Math.max(base, rc.maxBackoff().toNanos());
        int shift = Math.min(Math.max(0, n - 1), 30);
        long ceiling = base > (cap >> shift) ? cap : base << shift;
        return (long) (random.nextDouble() * ceiling);
    }

    /** A backend's 503: its breaker holds it out of rotation for as long as its Retry-After asks (if it does). */
    static void holdOff(Backend backend, HttpHeaders headers, long nowNanos) {
        long hold = retryAfterNanos(headers, System.currentTimeMillis());
        if (hold > 0) {
            backend.state().breaker().holdOff(nowNanos, hold);
        }
    }

    /**
     * How long a Retry-After header asks for, in nanoseconds, capped at {@link #MAX_RETRY_AFTER_NANOS}:
     * delta-seconds or an HTTP date; 0 when absent, unreadable or in the past.
     */
    static long retryAfterNanos(HttpHeaders headers, long nowMillis) {
        String v = headers.get(HttpHeaderNames.RETRY_AFTER);
        if (v == null) {
            return 0;
        }
        v = v.trim();
        long seconds;
        if (!v.isEmpty() && v.chars().allMatch(Character::isDigit)) {
            seconds = v.length() > 6 ? Long.MAX_VALUE : Long.parseLong(v);
        } else {
            Date d = DateFormatter.parseHttpDate(v);
            if (d == null) {
                return 0;
            }
            seconds = Math.max(0, (d.getTime() - nowMillis + 999) / 1000);
        }
        return seconds >= MAX_RETRY_AFTER_NANOS / 1_000_000_000L ? MAX_RETRY_AFTER_NANOS : seconds * 1_000_000_000L;
    }
}

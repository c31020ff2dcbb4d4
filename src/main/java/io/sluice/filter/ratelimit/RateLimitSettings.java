package io.sluice.filter.ratelimit;

import java.util.List;
import java.util.Objects;

/**
 * The settings of one {@code rate_limit} filter. Immutable; thread-safe.
 *
 * @param requestsPerSecond the refill rate, more than zero (fractions allowed: 0.5 is one request per 2 s)
 * @param burst             the bucket size: requests a key may make at once after being idle, at least 1
 * @param key               what requests are counted by, one part or several combined (never empty)
 * @param maxKeys           the most keys remembered at once, at least 1
 * @param status            the status of a refused request (429 unless configured)
 * @param name              the policy's name in the {@code RateLimit-Policy} and {@code RateLimit} headers
 */
public record RateLimitSettings(double requestsPerSecond, long burst, List<RateLimitKey> key, long maxKeys,
                                int status, String name) {
    /** The default bound on remembered keys. */
    public static final long MAX_KEYS = 100_000;

    public RateLimitSettings {
        if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
            throw new IllegalArgumentException("requestsPerSecond must be > 0, got " + requestsPerSecond);
        }
        if (burst < 1 || maxKeys < 1) {
            throw new IllegalArgumentException("burst and maxKeys must be >= 1");
        }
        key = List.copyOf(Objects.requireNonNull(key, "key"));
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must name at least one part");
        }
        Objects.requireNonNull(name, "name");
    }

    /** {@code requests_per_second} with the defaults: burst = the rate (at least 1), by client IP, 429. */
    public static RateLimitSettings of(double requestsPerSecond) {
        return new RateLimitSettings(requestsPerSecond, defaultBurst(requestsPerSecond),
                List.of(new RateLimitKey(RateLimitKey.Kind.CLIENT_IP, null)), MAX_KEYS, 429, "default");
    }

    static long defaultBurst(double requestsPerSecond) {
        return Math.max(1, (long) Math.ceil(requestsPerSecond));
    }
}

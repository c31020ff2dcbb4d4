package io.sluice.filter.ratelimit;

/**
 * Where the token buckets of one {@code rate_limit} filter live: one bucket per key, each holding up to
 * {@code burst} tokens and refilled at {@code requests_per_second}. {@link LocalRateLimitStore} keeps them in
 * this process; a store shared by several instances (Redis) implements the same call.
 *
 * <p>The answer is one {@code long}, so that the hot path allocates nothing: zero or more is the number of
 * tokens left after taking one (the request passes); less than zero is the request refused, and its negation
 * the nanoseconds until a token is there again ({@link #waitNanos}). Implementations are called from every
 * event loop at once and must be thread-safe without a lock that all of them share.
 */
public interface RateLimitStore {
    /**
     * Takes one token from the bucket of {@code key} (made full on first use).
     *
     * @param key what the filter counts by: compared with {@code equals}, kept while its bucket is not full
     * @return tokens left (&gt;= 0) when one was taken, else minus the nanoseconds until one is there (&lt; 0)
     */
    long tryConsume(Object key);

    /** True when {@code result} of {@link #tryConsume} refused the request. */
    static boolean refused(long result) {
        return result < 0;
    }

    /** The nanoseconds to wait that a refusing {@code result} carries (at least 1). */
    static long waitNanos(long result) {
        return -result;
    }
}

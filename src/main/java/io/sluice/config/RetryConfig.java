package io.sluice.config;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * When and how a failed attempt is tried again on another backend. Immutable; thread-safe.
 *
 * <p>A connect failure is retried whatever the method (nothing reached the backend). Once request bytes
 * were sent, only idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE, TRACE) and those in {@code methods}
 * are retried, and only when the whole body was small enough to keep for a replay.
 *
 * @param maxRetries      retries after the first attempt (default 2; 0 turns retries off)
 * @param backoff         base of the exponential backoff with full jitter before retry n: a random wait in
 *                        {@code [0, min(maxBackoff, backoff * 2^(n-1))]} (default 25ms)
 * @param maxBackoff      cap of the backoff (default 250ms)
 * @param on              the local failures that are retried
 * @param statuses        the backend statuses that are retried (default 502, 503, 504)
 * @param methods         methods retried after sending besides the idempotent ones (e.g. POST), upper case
 * @param budgetPercent   retries may add at most this percentage to the pool's requests over the last
 *                        10 seconds (default 20)
 * @param budgetMinRetries retries allowed per 10 seconds whatever the traffic, so a quiet pool still
 *                        retries (default 10)
 */
public record RetryConfig(int maxRetries, Duration backoff, Duration maxBackoff, Set<On> on, StatusSet statuses,
                          List<String> methods, int budgetPercent, int budgetMinRetries) {
    /** Local failures that may be retried. */
    public enum On {
        /** The connection could not be made: refused, unreachable or timed out. */
        CONNECT_FAILURE,
        /** The backend closed or reset the connection before the response was complete. */
        RESET,
        /** The response headers did not come within the response timeout. */
        TIMEOUT
    }

    /** Two retries on connect failure, reset, timeout, 502, 503 and 504; 25ms-250ms backoff; 20% budget. */
    public static final RetryConfig DEFAULTS = new RetryConfig(2, Duration.ofMillis(25), Duration.ofMillis(250),
            EnumSet.allOf(On.class), StatusSet.of(502, 503, 504), List.of(), 20, 10);

    /** No retries at all. */
    public static final RetryConfig NONE = new RetryConfig(0, Duration.ofMillis(25), Duration.ofMillis(250),
            EnumSet.noneOf(On.class), StatusSet.NONE, List.of(), 20, 10);

    public RetryConfig {
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(on, "on");
        on = on.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(on));
        Objects.requireNonNull(statuses, "statuses");
        methods = List.copyOf(Objects.requireNonNull(methods, "methods"));
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0");
        }
        if (backoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("backoff must not be negative");
        }
        if (budgetPercent < 0 || budgetMinRetries < 0) {
            throw new IllegalArgumentException("budget must not be negative");
        }
    }

    /** The defaults with another number of retries. */
    public RetryConfig withMaxRetries(int n) {
        return new RetryConfig(n, backoff, maxBackoff, on, statuses, methods, budgetPercent, budgetMinRetries);
    }

    public RetryConfig withBackoff(Duration base, Duration max) {
        return new RetryConfig(maxRetries, base, max, on, statuses, methods, budgetPercent, budgetMinRetries);
    }

    public RetryConfig withBudget(int percent, int minRetries) {
        return new RetryConfig(maxRetries, backoff, maxBackoff, on, statuses, methods, percent, minRetries);
    }

    public RetryConfig withMethods(List<String> extra) {
        return new RetryConfig(maxRetries, backoff, maxBackoff, on, statuses, extra, budgetPercent, budgetMinRetries);
    }
}

package io.sluice.balance;

import java.time.Duration;
import java.util.Objects;

/**
 * The tuning knobs of a pool's strategy, as configured. Immutable value; thread-safe.
 *
 * @param hashKey           what {@code consistent_hash} hashes (default: the client IP)
 * @param hashBalanceFactor bounded load for {@code consistent_hash}, in percent of the average in-flight
 *                          count a backend may carry (HAProxy's hash-balance-factor, e.g. 125); 0 = unbounded
 * @param ewmaHalfLife      how fast latency averages forget: a sample's weight halves over this time
 * @param slowStart         how long a backend that joins or recovers takes to ramp up to its full weight;
 *                          zero = at once
 */
public record BalanceOptions(HashKey hashKey, int hashBalanceFactor, Duration ewmaHalfLife, Duration slowStart) {
    /** Client-IP hashing, unbounded, 10 s half-life, no slow start. */
    public static final BalanceOptions DEFAULTS =
            new BalanceOptions(HashKey.CLIENT_IP, 0, Duration.ofSeconds(10), Duration.ZERO);

    public BalanceOptions {
        Objects.requireNonNull(hashKey, "hashKey");
        Objects.requireNonNull(ewmaHalfLife, "ewmaHalfLife");
        Objects.requireNonNull(slowStart, "slowStart");
        if (hashBalanceFactor != 0 && hashBalanceFactor <= 100) {
            throw new IllegalArgumentException("hashBalanceFactor must be 0 or above 100");
        }
        if (ewmaHalfLife.isNegative() || ewmaHalfLife.isZero()) {
            throw new IllegalArgumentException("ewmaHalfLife must be positive");
        }
        if (slowStart.isNegative()) {
            throw new IllegalArgumentException("slowStart must not be negative");
        }
    }

    /** {@link #ewmaHalfLife} in nanoseconds. */
    public long halfLifeNanos() {
        return ewmaHalfLife.toNanos();
    }
}

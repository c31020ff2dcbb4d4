package io.sluice.config;

import java.util.Objects;

/**
 * One share of a route's traffic split: {@code weight} parts of the requests go to {@code pool}. Immutable.
 *
 * @param pool   the pool's name
 * @param weight the share, 0 to 1,000,000 (0 sends nothing until the admin API raises it)
 */
public record SplitConfig(String pool, int weight) {
    public SplitConfig {
        Objects.requireNonNull(pool, "pool");
        if (weight < 0) {
            throw new IllegalArgumentException("weight must be >= 0");
        }
    }
}

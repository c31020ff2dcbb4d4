package io.sluice.config;

import java.util.Objects;

/**
 * A route: when {@code match} matches a request, it goes to {@code pool}. Immutable; thread-safe.
 *
 * @param match the conditions, all of which must hold; {@link MatchConfig#ANY} matches everything
 * @param pool  name of the pool to send to
 */
public record RouteConfig(MatchConfig match, String pool) {
    public RouteConfig {
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(pool, "pool");
    }
}

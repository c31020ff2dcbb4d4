package io.sluice.config;

import java.util.List;
import java.util.Objects;

/**
 * A route: when {@code match} matches a request, its filters run and it goes to {@code pool} (or to one of the
 * pools of {@code split}, by weight). Immutable; thread-safe.
 *
 * @param match   the conditions, all of which must hold; {@link MatchConfig#ANY} matches everything
 * @param pool    name of the pool to send to; null when {@code split} names the pools, or when a filter answers
 *                every request ({@code redirect})
 * @param split   weighted pools sharing the route's requests (canary, blue-green); empty for none
 * @param filters the route's filters in order (after the listener's)
 */
public record RouteConfig(MatchConfig match, String pool, List<SplitConfig> split, List<FilterConfig> filters) {
    public RouteConfig {
        Objects.requireNonNull(match, "match");
        split = List.copyOf(Objects.requireNonNull(split, "split"));
        filters = List.copyOf(Objects.requireNonNull(filters, "filters"));
        if (pool == null && split.isEmpty() && filters.isEmpty()) {
            throw new IllegalArgumentException("a route needs a pool, a split or a filter that answers");
        }
    }

    /** A route to one pool, without filters. */
    public RouteConfig(MatchConfig match, String pool) {
        this(match, Objects.requireNonNull(pool, "pool"), List.of(), List.of());
    }

    /** This route with these filters. */
    public RouteConfig withFilters(List<FilterConfig> value) {
        return new RouteConfig(match, pool, split, value);
    }
}

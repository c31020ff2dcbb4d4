package io.sluice.config;

import java.util.Objects;

/**
 * An L4 route: connections (or UDP sessions) that {@code match} go to a pool, or are handed in-process to an
 * HTTP or HTTPS listener of the same Sluice. Exactly one of {@code pool} and {@code listener} is set.
 * Immutable; thread-safe.
 *
 * @param match    the conditions; {@link L4MatchConfig#ANY} for every connection
 * @param pool     the pool that gets the bytes, or null
 * @param listener the HTTP/HTTPS listener that takes the connection over, or null
 */
public record L4RouteConfig(L4MatchConfig match, String pool, String listener) {
    public L4RouteConfig {
        Objects.requireNonNull(match, "match");
        if ((pool == null) == (listener == null)) {
            throw new IllegalArgumentException("an L4 route goes to exactly one of a pool and a listener");
        }
    }

    /** A route to a pool. */
    public static L4RouteConfig toPool(L4MatchConfig match, String pool) {
        return new L4RouteConfig(match, Objects.requireNonNull(pool, "pool"), null);
    }

    /** A route to a listener. */
    public static L4RouteConfig toListener(L4MatchConfig match, String listener) {
        return new L4RouteConfig(match, null, Objects.requireNonNull(listener, "listener"));
    }

    /** The target's name, for logs: "pool NAME" or "listener NAME". */
    public String target() {
        return pool != null ? "pool " + pool : "listener " + listener;
    }
}

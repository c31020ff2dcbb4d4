package io.sluice.runtime;

import io.sluice.filter.FilterChain;
import io.sluice.observe.StatusCounts;
import java.util.List;

/**
 * A route as the data path sees it: its place in its listener's list, the pool it sends to (or the weighted
 * pools of its split), its filters, and the requests it matched. Immutable apart from the lock-free counts
 * and the split's weights; thread-safe.
 */
public final class RouteRuntime {
    private final int index;
    private final PoolRuntime pool;
    private final TrafficSplit split;
    private final FilterChain filters;
    private final StatusCounts requests = new StatusCounts();

    RouteRuntime(int index, PoolRuntime pool, TrafficSplit split, FilterChain filters) {
        this.index = index;
        this.pool = pool;
        this.split = split;
        this.filters = filters;
    }

    /** The route's index within its listener's routes, from 0. */
    public int index() {
        return index;
    }

    /**
     * The pool the route sends to; with a split, its first pool; null for a route whose filters answer every
     * request (a redirect).
     */
    public PoolRuntime pool() {
        return pool;
    }

    /** The route's traffic split, or null when it sends to one pool. */
    public TrafficSplit split() {
        return split;
    }

    /** The route's filters (the listener's first), or null when it has none. */
    public FilterChain filters() {
        return filters;
    }

    /** Requests this route matched, by the status the client got (since the snapshot was built). */
    public StatusCounts requests() {
        return requests;
    }

    /** Every pool the route may send to. */
    public List<PoolRuntime> pools() {
        if (split != null) {
            return split.pools();
        }
        return pool == null ? List.of() : List.of(pool);
    }
}

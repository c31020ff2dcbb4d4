package io.sluice.runtime;

import io.sluice.observe.StatusCounts;

/**
 * A route as the data path sees it: its place in its listener's list, the pool it sends to, and the
 * requests it matched. Immutable apart from the lock-free counts; thread-safe.
 */
public final class RouteRuntime {
    private final int index;
    private final PoolRuntime pool;
    private final StatusCounts requests = new StatusCounts();

    RouteRuntime(int index, PoolRuntime pool) {
        this.index = index;
        this.pool = pool;
    }

    /** The route's index within its listener's routes, from 0. */
    public int index() {
        return index;
    }

    public PoolRuntime pool() {
        return pool;
    }

    /** Requests this route matched, by the status the client got (since the snapshot was built). */
    public StatusCounts requests() {
        return requests;
    }
}

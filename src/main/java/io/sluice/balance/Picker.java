package io.sluice.balance;

import java.util.List;

/**
 * Chooses backends for requests, built by a {@link Strategy} for one fixed set of backends.
 * Implementations are thread-safe and lock-free: every event loop calls {@link #candidate} at once.
 */
public interface Picker {

    /**
     * The candidate at position {@code attempt} for this request, in the strategy's order of preference:
     * attempt 0 is its first choice, 1 the next one to try, and so on; attempts are asked in order, from 0,
     * for one request. Returns null when there are no more. A candidate may be unavailable; {@link Selection}
     * skips those, so strategies need not. After the first choice, a strategy should hand out the other
     * backends (each once) so that a retry or a skip reaches a different one.
     */
    Backend candidate(PickContext ctx, int attempt);

    /** The backends this picker chooses among, in configuration order. */
    List<Backend> backends();

    /**
     * True for strategies that map a request's key to a backend (hashing): {@link Selection} then keeps
     * the mapping rather than applying slow start.
     */
    default boolean sticky() {
        return false;
    }
}

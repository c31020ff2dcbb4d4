package io.sluice.balance;

/**
 * Chooses backends for requests, built by a {@link Strategy} for one fixed set of backends.
 * Implementations are thread-safe and lock-free: every event loop calls {@link #candidate} at once.
 */
public interface Picker {

    /**
     * The candidate at position {@code attempt} for this request, in the strategy's order of preference:
     * attempt 0 is its first choice, 1 the next one to try, and so on. Returns null when there are no more.
     * A candidate may be unavailable; {@link Selection} skips those, so strategies need not.
     */
    Backend candidate(PickContext ctx, int attempt);

    /** The backends this picker chooses among, in configuration order. */
    java.util.List<Backend> backends();
}

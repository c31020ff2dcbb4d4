package io.sluice.runtime;

/**
 * Receives one {@link Outcome} per upstream attempt. Called on event loops: implementations must be
 * thread-safe, fast and non-blocking.
 */
@FunctionalInterface
public interface OutcomeListener {
    void onOutcome(Outcome outcome);

    /** A listener that ignores every outcome. */
    OutcomeListener NONE = outcome -> { };
}

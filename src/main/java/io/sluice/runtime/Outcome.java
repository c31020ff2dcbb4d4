package io.sluice.runtime;

import io.sluice.balance.Endpoint;
import java.util.Objects;

/**
 * What one attempt to a backend came to: the single report the data path makes per attempt, feeding
 * backend stats, strategies, breakers, metrics and the access log. Immutable; thread-safe.
 *
 * @param endpoint     the backend tried
 * @param status       the HTTP status the backend sent, or 0 when it sent none
 * @param latencyNanos from choosing the backend to the end of the response (or the failure)
 * @param failure      the local failure, or {@link FailureKind#NONE}
 * @param attempt      0 for a request's first attempt, n for its n-th retry
 */
public record Outcome(Endpoint endpoint, int status, long latencyNanos, FailureKind failure, int attempt) {
    public Outcome {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(failure, "failure");
    }

    /** True when the attempt failed locally or the backend answered 5xx. */
    public boolean failed() {
        return failure.countsAgainstBackend() || status >= 500;
    }
}

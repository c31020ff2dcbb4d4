package io.sluice.turn;

import io.sluice.runtime.StripedCounters;

/**
 * What one STUN listener answered and dropped, counted per event loop without atomic instructions and summed
 * when read. Thread-safe.
 */
public final class StunStats {
    private static final int BINDINGS = 0;
    private static final int ERRORS = 1;
    private static final int MALFORMED = 2;
    private static final int IGNORED = 3;

    private final StripedCounters counts = new StripedCounters(4);

    void countBinding() {
        counts.increment(BINDINGS);
    }

    void countError() {
        counts.increment(ERRORS);
    }

    void countMalformed() {
        counts.increment(MALFORMED);
    }

    void countIgnored() {
        counts.increment(IGNORED);
    }

    /** Binding requests answered with the client's address. */
    public long bindings() {
        return counts.sum(BINDINGS);
    }

    /** Error responses sent (400, 420). */
    public long errors() {
        return counts.sum(ERRORS);
    }

    /** Messages that were not well-formed STUN (dropped over UDP, 400 or a close over TCP). */
    public long malformed() {
        return counts.sum(MALFORMED);
    }

    /** Well-formed messages needing no answer: indications, responses, RFC 3489 requests of other methods. */
    public long ignored() {
        return counts.sum(IGNORED);
    }
}

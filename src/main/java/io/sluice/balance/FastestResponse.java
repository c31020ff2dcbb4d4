package io.sluice.balance;

import java.util.List;

/**
 * {@code fastest_response}: the backend whose last few responses were fastest wins; times within 5% of
 * each other count as equal, and then the one with fewer requests in flight per unit of weight wins (so
 * weights share out traffic among equally fast backends), then a random one. Reacts within a few responses, so it suits backends whose speed changes quickly; it does
 * not look at the queue beyond breaking near-ties, so under heavy load prefer {@code dynamic_score} or
 * {@code least_ewma}. See {@link ScoredPicker} for the scan, sampling and new backends. Thread-safe.
 */
public final class FastestResponse implements Strategy {
    public static final String NAME = "fastest_response";
    static final double TIE = 0.05;

    private final BalanceOptions options;

    public FastestResponse(BalanceOptions options) {
        this.options = options;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Picker newPicker(Picker previous, List<Backend> backends) {
        return new ScoredPicker(backends, new ScoredPicker.Scorer() {
            @Override
            public double latency(BackendState s, long now, long halfLife) {
                return s.recentLatency(now, halfLife);
            }

            @Override
            public double score(double latency, Backend b, long now, long halfLife) {
                return latency;
            }

            @Override
            public int compare(double s, Backend candidate, double best, Backend holder) {
                if (s < best * (1 - TIE)) {
                    return -1;
                }
                if (s > best * (1 + TIE)) {
                    return 1;
                }
                return Candidates.compareLoad(candidate, holder);
            }
        }, options);
    }
}

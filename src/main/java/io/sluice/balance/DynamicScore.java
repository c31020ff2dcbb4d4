package io.sluice.balance;

import java.util.List;

/**
 * {@code dynamic_score}: score = average latency x (requests in flight + 1), divided by weight; the lowest
 * score wins. The average is time-weighted with the pool's {@code ewma_half_life}. Multiplying by the
 * queue makes a fast backend that is already busy wait its turn, so traffic spreads in proportion to
 * speed instead of piling onto the fastest. See {@link ScoredPicker} for the scan, sampling and how a
 * backend without numbers is treated. Thread-safe.
 */
public final class DynamicScore implements Strategy {
    public static final String NAME = "dynamic_score";

    private final BalanceOptions options;

    public DynamicScore(BalanceOptions options) {
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
                return s.averageLatency(now, halfLife);
            }

            @Override
            public double score(double latency, Backend b, long now, long halfLife) {
                return latency * (b.state().inFlight() + 1) / b.weight();
            }
        }, options);
    }
}

package io.sluice.balance;

import java.util.List;

/**
 * {@code least_ewma}: power of two choices on cost = peak-EWMA latency x (requests in flight + 1), divided
 * by weight. Two different backends are drawn at random in proportion to weight and the cheaper one wins.
 *
 * <p>The peak-EWMA (see {@link BackendState#peakEwma}) jumps to a slow response at once and forgets it
 * over the pool's {@code ewma_half_life}, so a backend that slows down loses traffic immediately and wins
 * it back gradually. A backend with no estimate yet is neutral: it takes the other candidate's latency, so
 * the queue decides between them — new backends are neither starved nor flooded. Two random choices
 * rather than a full scan keep the pick O(1) and stop every proxy from chasing the same best backend.
 * Thread-safe.
 */
public final class LeastEwma implements Strategy {
    public static final String NAME = "least_ewma";

    private final BalanceOptions options;

    public LeastEwma(BalanceOptions options) {
        this.options = options;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Picker newPicker(Picker previous, List<Backend> backends) {
        return new EwmaPicker(new Candidates(backends), options.halfLifeNanos());
    }

    private static final class EwmaPicker implements Picker, Candidates.Better {
        private final Candidates c;
        private final long halfLife;

        EwmaPicker(Candidates c, long halfLife) {
            this.c = c;
            this.halfLife = halfLife;
        }

        @Override
        public Backend candidate(PickContext ctx, int attempt) {
            return c.twoChoices(ctx, attempt, this);
        }

        /** True when x costs less than y; an unknown latency takes the other's, both unknown compare queues. */
        @Override
        public boolean test(Backend x, Backend y, PickContext ctx) {
            long now = ctx.nowNanos();
            double lx = x.state().peakEwma(now, halfLife);
            double ly = y.state().peakEwma(now, halfLife);
            if (Double.isNaN(lx)) {
                lx = Double.isNaN(ly) ? 1.0 : ly;
            }
            if (Double.isNaN(ly)) {
                ly = lx;
            }
            double cx = lx * (x.state().inFlight() + 1) / x.weight();
            double cy = ly * (y.state().inFlight() + 1) / y.weight();
            return cx < cy;
        }

        @Override
        public List<Backend> backends() {
            return c.list();
        }
    }
}

package io.sluice.balance;

import java.util.List;

/**
 * {@code adaptive}: score = peak-EWMA latency x (requests in flight + 1) x (1 + 10 x e) / (1 - e), divided
 * by weight, where e is the recent error rate (1 - e is floored at 1%); the lowest score wins.
 *
 * <p>Why: latency times queue length estimates how long a new request would wait there (Little's law), and
 * the peak-EWMA reacts at once to a slowdown. Latency alone has a blind spot: a backend that fails fast
 * (instant 500s, refused connections) looks like the fastest and would draw ever more traffic. Two error
 * factors close it. 1 / (1 - e) is the expected number of tries per good answer, so it prices a failing
 * backend by the work it takes to get a success from it, and grows without bound as it nears total
 * failure (100x at the floor) — a backend failing everything cannot win by being quick. 1 + 10e adds a
 * steeper penalty for moderate error rates: at 10% errors the score is 2.2x worse, at 50% 12x. A failing
 * backend sheds traffic smoothly before any circuit breaker opens, and wins it back as its error rate
 * decays. The error rate used is the one as of the last outcome: an idle backend's latency already decays
 * toward zero, which is what brings it back into play. See {@link ScoredPicker} for the scan, sampling and
 * new backends. Thread-safe.
 */
public final class Adaptive implements Strategy {
    public static final String NAME = "adaptive";
    static final double ERROR_PENALTY = 10.0;
    static final double MIN_SUCCESS = 0.01;

    private final BalanceOptions options;

    public Adaptive(BalanceOptions options) {
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
                return s.peakEwma(now, halfLife);
            }

            @Override
            public double score(double latency, Backend b, long now, long halfLife) {
                BackendState s = b.state();
                double e = s.errorRate();
                return latency * (s.inFlight() + 1) * (1 + ERROR_PENALTY * e)
                        / (Math.max(MIN_SUCCESS, 1 - e) * b.weight());
            }
        }, options);
    }
}

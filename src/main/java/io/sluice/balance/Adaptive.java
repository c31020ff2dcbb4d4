package io.sluice.balance;

import java.util.List;

/**
 * {@code adaptive}: score = peak-EWMA latency x (requests in flight + 1) x (1 + 10 x error rate), divided
 * by weight; the lowest score wins.
 *
 * <p>Why: latency times queue length estimates how long a new request would wait there (Little's law), and
 * the peak-EWMA reacts at once to a slowdown. Latency alone has a blind spot: a backend that fails fast
 * (instant 500s, refused connections) looks like the fastest and would draw ever more traffic. The error
 * factor closes it: at a 10% recent error rate a backend's score doubles, at 50% it is six times worse, so
 * a failing backend sheds traffic smoothly before any circuit breaker opens, and wins it back as its error
 * rate decays. See {@link ScoredPicker} for the scan, sampling and new backends. Thread-safe.
 */
public final class Adaptive implements Strategy {
    public static final String NAME = "adaptive";
    static final double ERROR_PENALTY = 10.0;

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
                // The error rate as of the last outcome: an idle backend's latency already decays toward
                // zero, which is what brings it back into play, so one decay per backend is enough.
                return latency * (s.inFlight() + 1) * (1 + ERROR_PENALTY * s.errorRate())
                        / b.weight();
            }
        }, options);
    }
}

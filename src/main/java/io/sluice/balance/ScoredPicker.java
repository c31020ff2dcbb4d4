package io.sluice.balance;

import java.util.List;

/**
 * The picker of the score-based strategies ({@code dynamic_score}, {@code fastest_response},
 * {@code adaptive}): every backend gets a score from its latency estimate and its load, and the lowest
 * score wins. Pools of up to {@value #SCAN_LIMIT} backends are scanned whole, so the pick is exact. Larger
 * ones pick the best of {@value #SAMPLE} backends: the previous winner plus five drawn at random in
 * proportion to weight. That keeps a pick to a few dozen nanoseconds at any size; carrying the winner
 * over makes the choice converge on the best backends instead of starting from scratch each time, and
 * the random draws keep looking for better ones. The winner is shared by all event loops through one
 * plain volatile field, written only when it changes.
 *
 * <p>A backend without a latency estimate yet (new, or never picked) is neutral, not free: it is scored
 * with the mean latency of the others looked at, so it gets a fair share until it has its own numbers.
 * Ties go to one of the tied at random, in proportion to weight. Unusable backends are left out of the
 * comparison (if all looked at are unusable, the first is returned and Selection moves on). Thread-safe.
 */
final class ScoredPicker implements Picker {
    static final int SCAN_LIMIT = 16;
    static final int SAMPLE = 6;
    static final int SCRATCH = Math.max(SCAN_LIMIT, SAMPLE);

    /** How one strategy turns a backend into numbers. */
    interface Scorer {
        /** The latency estimate to use (NaN when unknown). */
        double latency(BackendState s, long nowNanos, long halfLifeNanos);

        /** The score from a latency (never NaN here) and the backend's load; lower is better. */
        double score(double latency, Backend b, long nowNanos, long halfLifeNanos);

        /** Whether candidate score {@code s} beats {@code best}; 0 for a tie. Plain comparison by default. */
        default int compare(double s, Backend candidate, double best, Backend holder) {
            return Double.compare(s, best);
        }
    }

    private final Candidates c;
    private final Scorer scorer;
    private final long halfLifeNanos;
    private volatile int lastBest;

    ScoredPicker(List<Backend> backends, Scorer scorer, BalanceOptions options) {
        this.c = new Candidates(backends);
        this.scorer = scorer;
        this.halfLifeNanos = options.halfLifeNanos();
    }

    @Override
    public Backend candidate(PickContext ctx, int attempt) {
        int n = c.size();
        if (n == 0) {
            return null;
        }
        if (attempt > 0) {
            return c.after(ctx, attempt);
        }
        int[] looked = ctx.sample();
        int count;
        if (n <= SCAN_LIMIT) {
            for (int i = 0; i < n; i++) {
                looked[i] = i;
            }
            count = n;
        } else {
            looked[0] = lastBest;
            for (int k = 1; k < SAMPLE; k++) {
                looked[k] = c.weightedRandom(ctx);
            }
            count = SAMPLE;
        }
        int best = best(ctx, looked, count);
        if (n > SCAN_LIMIT && best != looked[0]) {
            lastBest = best;
        }
        ctx.cursor(best);
        return c.get(best);
    }

    /** The lowest-scoring of the backends looked at; each latency estimate is read once. */
    private int best(PickContext ctx, int[] looked, int count) {
        long now = ctx.nowNanos();
        double[] latency = ctx.sampleLatency();
        double sum = 0;
        int known = 0;
        for (int k = 0; k < count; k++) {
            BackendState st = c.get(looked[k]).state();
            // An unusable backend gets no traffic, so its estimates only decay and it would win every
            // pick, leaving each request to fall through to the same neighbour: leave it out here.
            double l = st.available() ? scorer.latency(st, now, halfLifeNanos) : Double.NaN;
            latency[k] = l;
            if (!Double.isNaN(l)) {
                sum += l;
                known++;
            }
        }
        double neutral = known == 0 ? 1.0 : sum / known;
        int best = -1;
        double bestScore = 0;
        long tiedWeight = 0;
        for (int k = 0; k < count; k++) {
            Backend b = c.get(looked[k]);
            if (!b.available()) {
                continue;
            }
            double l = latency[k];
            double s = scorer.score(Double.isNaN(l) ? neutral : l, b, now, halfLifeNanos);
            int cmp = best < 0 ? -1 : scorer.compare(s, b, bestScore, c.get(best));
            long w = b.weight();
            if (cmp < 0) {
                best = looked[k];
                bestScore = s;
                tiedWeight = w;
            } else if (cmp == 0 && best != looked[k] && ctx.random().nextLong(tiedWeight += w) < w) {
                // Among the tied, each wins in proportion to its weight.
                best = looked[k];
                bestScore = s;
            }
        }
        return best < 0 ? looked[0] : best;
    }

    @Override
    public List<Backend> backends() {
        return c.list();
    }
}

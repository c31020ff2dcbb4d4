package io.sluice.balance;

import java.util.List;

/**
 * {@code least_connections}: the backend with the fewest requests in flight per unit of weight, found by a
 * scan of the whole pool (O(n) per pick); ties are broken at random among the tied, in proportion to
 * weight, so idle backends share in the ratio of their weights. Thread-safe.
 */
public final class LeastConnections implements Strategy {
    public static final String NAME = "least_connections";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Picker newPicker(Picker previous, List<Backend> backends) {
        return new LeastPicker(new Candidates(backends));
    }

    private record LeastPicker(Candidates c) implements Picker {
        @Override
        public Backend candidate(PickContext ctx, int attempt) {
            int n = c.size();
            if (n == 0) {
                return null;
            }
            if (attempt > 0) {
                return c.after(ctx, attempt);
            }
            int best = -1;
            long tiedWeight = 0;
            for (int i = 0; i < n; i++) {
                Backend b = c.get(i);
                if (!b.available()) {
                    // Idle because it gets nothing: it would win every scan and send all to one neighbour.
                    continue;
                }
                int cmp = best < 0 ? -1 : Candidates.compareLoad(b, c.get(best));
                long w = b.weight();
                if (cmp < 0) {
                    best = i;
                    tiedWeight = w;
                } else if (cmp == 0 && ctx.random().nextLong(tiedWeight += w) < w) {
                    best = i;
                }
            }
            if (best < 0) {
                best = 0;
            }
            ctx.cursor(best);
            return c.get(best);
        }

        @Override
        public List<Backend> backends() {
            return c.list();
        }
    }
}

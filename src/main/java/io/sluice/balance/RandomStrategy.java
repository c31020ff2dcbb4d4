package io.sluice.balance;

import java.util.List;

/**
 * {@code random}: each request goes to a backend drawn at random in proportion to its weight
 * (O(log n) per pick: a binary search over cumulative weights). Stateless, so it spreads well from many
 * proxies at once. Thread-safe.
 */
public final class RandomStrategy implements Strategy {
    public static final String NAME = "random";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Picker newPicker(Picker previous, List<Backend> backends) {
        return new RandomPicker(new Candidates(backends));
    }

    private record RandomPicker(Candidates c) implements Picker {
        @Override
        public Backend candidate(PickContext ctx, int attempt) {
            if (c.size() == 0) {
                return null;
            }
            if (attempt == 0) {
                int i = c.weightedRandom(ctx);
                ctx.cursor(i);
                return c.get(i);
            }
            return c.after(ctx, attempt);
        }

        @Override
        public List<Backend> backends() {
            return c.list();
        }
    }
}

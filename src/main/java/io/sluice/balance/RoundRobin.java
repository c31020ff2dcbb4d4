package io.sluice.balance;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code round_robin}: each request goes to the next backend in turn, skipping unusable ones.
 * Ignores weights (see weighted round robin for those). Thread-safe; one atomic increment per pick.
 */
public final class RoundRobin implements Strategy {
    public static final String NAME = "round_robin";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Picker newPicker(Picker previous, List<Backend> backends) {
        AtomicLong next = previous instanceof RoundRobinPicker p ? p.next : new AtomicLong();
        return new RoundRobinPicker(new Candidates(backends), next);
    }

    private record RoundRobinPicker(Candidates c, AtomicLong next) implements Picker {
        @Override
        public Backend candidate(PickContext ctx, int attempt) {
            int n = c.size();
            if (n == 0) {
                return null;
            }
            if (attempt == 0) {
                int i = (int) Long.remainderUnsigned(next.getAndIncrement(), n);
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

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
        return new RoundRobinPicker(List.copyOf(backends), next);
    }

    private static final class RoundRobinPicker implements Picker {
        private final Backend[] array;
        private final List<Backend> list;
        private final AtomicLong next;

        RoundRobinPicker(List<Backend> backends, AtomicLong next) {
            this.list = backends;
            this.array = backends.toArray(new Backend[0]);
            this.next = next;
        }

        @Override
        public Backend candidate(PickContext ctx, int attempt) {
            int n = array.length;
            if (attempt >= n) {
                return null;
            }
            if (attempt == 0) {
                ctx.cursor(next.getAndIncrement());
                return array[(int) Long.remainderUnsigned(ctx.cursor(), n)];
            }
            // The others each once, from a random start: an unusable backend's turns spread over all the
            // rest instead of doubling its neighbour's share. (A shared-counter start would interleave
            // with the next requests' turns and skew the split.)
            if (attempt == 1) {
                ctx.cursor2(ctx.random().nextInt(n - 1));
            }
            int first = (int) Long.remainderUnsigned(ctx.cursor(), n);
            return array[(first + 1 + (int) ((ctx.cursor2() + attempt - 1) % (n - 1))) % n];
        }

        @Override
        public List<Backend> backends() {
            return list;
        }
    }
}

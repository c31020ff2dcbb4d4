package io.sluice.balance;

import java.util.Arrays;
import java.util.List;

/**
 * {@code consistent_hash}: a hash ring. Each backend owns points on a 64-bit ring in proportion to its
 * weight, placed by hashing its address (not its position in the list), and a request goes to the owner of
 * the first point at or after the hash of its key ({@link BalanceOptions#hashKey()}: client IP, a header,
 * a cookie, a query parameter or the path). Removing one of N backends moves only the keys it owned, about
 * 1/N; the others keep their backend. A lookup is a binary search over the points (about 17 steps for
 * 1,000 backends).
 *
 * <p>Bounded load ({@link BalanceOptions#hashBalanceFactor()}, e.g. 125): a backend takes a request only
 * while its in-flight count stays within that percentage of the pool's average; otherwise the request
 * walks on around the ring to the next backend with room, so one hot key cannot swamp its backend. When
 * the first choice is unusable, candidates follow in ring order too, so its keys spread over the others
 * instead of all landing on one neighbour. Thread-safe.
 */
public final class ConsistentHash implements Strategy {
    public static final String NAME = "consistent_hash";
    static final int POINTS_PER_WEIGHT = 160;
    static final int MAX_POINTS = 200_000;

    private final BalanceOptions options;

    public ConsistentHash(BalanceOptions options) {
        this.options = options;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Picker newPicker(Picker previous, List<Backend> backends) {
        return new RingPicker(new Candidates(backends), options);
    }

    private static final class RingPicker implements Picker {
        private final Candidates c;
        private final long[] points;
        private final int[] owners;
        private final HashKey key;
        private final int factor;

        RingPicker(Candidates c, BalanceOptions options) {
            this.c = c;
            this.key = options.hashKey();
            this.factor = options.hashBalanceFactor();
            int n = c.size();
            long minWeight = Long.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                minWeight = Math.min(minWeight, c.get(i).weight());
            }
            double perUnit = n == 0 ? 0 : (double) POINTS_PER_WEIGHT / minWeight;
            if (perUnit * c.totalWeight() > MAX_POINTS) {
                perUnit = (double) MAX_POINTS / c.totalWeight();
            }
            int[] count = new int[n];
            int total = 0;
            for (int i = 0; i < n; i++) {
                count[i] = Math.max(1, (int) Math.round(perUnit * c.get(i).weight()));
                total += count[i];
            }
            long[] raw = new long[total];
            int k = 0;
            for (int i = 0; i < n; i++) {
                long seed = Hashing.hash(c.get(i).addressText());
                for (int p = 0; p < count[i]; p++) {
                    // Point hash in the high 44 bits, owner in the low 20: one sort orders both.
                    raw[k++] = (Hashing.hash(seed + p) & ~0xFFFFFL) | i;
                }
            }
            Arrays.sort(raw);
            this.points = new long[total];
            this.owners = new int[total];
            for (int j = 0; j < total; j++) {
                points[j] = raw[j] & ~0xFFFFFL;
                owners[j] = (int) (raw[j] & 0xFFFFF);
            }
        }

        /** Index of the first point at or after {@code h}, wrapping to 0 (signed order, as sorted). */
        private int position(long h) {
            int i = Arrays.binarySearch(points, h & ~0xFFFFFL);
            if (i < 0) {
                i = -i - 1;
            }
            return i == points.length ? 0 : i;
        }

        @Override
        public Backend candidate(PickContext ctx, int attempt) {
            int n = c.size();
            if (n == 0 || attempt >= n) {
                return null;
            }
            int pos;
            if (attempt == 0) {
                pos = position(ctx.keyHash(key));
                if (factor > 0 && n > 1) {
                    pos = withRoom(pos, ctx);
                }
                ctx.clearMarks(n);
            } else {
                pos = next((int) ctx.cursor(), ctx);
                if (pos < 0) {
                    return null;
                }
            }
            ctx.mark(owners[pos]);
            ctx.cursor(pos);
            return c.get(owners[pos]);
        }

        /** From {@code pos}, the first point whose owner is within the load bound; {@code pos} if none is. */
        private int withRoom(int pos, PickContext ctx) {
            int n = c.size();
            long limit = ((long) c.get(0).state().poolInFlight() + 1) * factor;
            ctx.clearMarks(n);
            int seen = 0;
            int p = pos;
            for (int steps = 0; steps < points.length && seen < n; steps++, p = p + 1 == points.length ? 0 : p + 1) {
                int o = owners[p];
                if (!ctx.mark(o)) {
                    continue;
                }
                seen++;
                // inFlight + 1 <= ceil(avg * factor / 100), in integers: (inFlight + 1) * 100 * n <= limit + ...
                if (((long) c.get(o).state().inFlight() + 1) * 100 * n <= limit + 100L * n - 1) {
                    return p;
                }
            }
            return pos;
        }

        /** The next point after {@code pos} whose owner was not handed out yet; -1 when none is left. */
        private int next(int pos, PickContext ctx) {
            int p = pos;
            for (int steps = 0; steps < points.length; steps++) {
                p = p + 1 == points.length ? 0 : p + 1;
                if (!ctx.marked(owners[p])) {
                    return p;
                }
            }
            return -1;
        }

        @Override
        public List<Backend> backends() {
            return c.list();
        }

        @Override
        public boolean sticky() {
            return true;
        }
    }
}

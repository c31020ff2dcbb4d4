package io.sluice.balance;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code weighted_round_robin}: smooth weighted round robin, as nginx interleaves it — weights 5, 1, 1
 * give a a b a c a a, not a a a a a b c — so a heavy backend's turns are spread out instead of bunched.
 *
 * <p>The picker plays nginx's rule once, when the pool is built, and stores one whole cycle (its length is
 * the sum of the weights over their greatest common divisor); a pick is then one atomic increment and an
 * array read. Cycles longer than {@value #MAX_CYCLE} entries are avoided by scaling the weights down in
 * proportion (each stays at least 1), which keeps the shares to within a fraction of a percent.
 * Thread-safe.
 */
public final class WeightedRoundRobin implements Strategy {
    public static final String NAME = "weighted_round_robin";
    static final int MAX_CYCLE = 1 << 16;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Picker newPicker(Picker previous, List<Backend> backends) {
        AtomicLong next = previous instanceof WrrPicker p ? p.next : new AtomicLong();
        Candidates c = new Candidates(backends);
        return new WrrPicker(c, cycle(c), next);
    }

    /** One cycle of nginx's smooth weighted round robin over the (possibly scaled) weights. */
    static int[] cycle(Candidates c) {
        int n = c.size();
        if (n == 0) {
            return new int[0];
        }
        long[] weight = new long[n];
        long gcd = 0;
        for (int i = 0; i < n; i++) {
            weight[i] = c.get(i).weight();
            gcd = gcd(gcd, weight[i]);
        }
        long total = 0;
        for (int i = 0; i < n; i++) {
            weight[i] /= gcd;
            total += weight[i];
        }
        if (total > MAX_CYCLE) {
            double scale = (double) MAX_CYCLE / total;
            total = 0;
            for (int i = 0; i < n; i++) {
                weight[i] = Math.max(1, (long) Math.floor(weight[i] * scale));
                total += weight[i];
            }
        }
        int[] order = new int[(int) total];
        long[] current = new long[n];
        for (int k = 0; k < order.length; k++) {
            int best = 0;
            for (int i = 0; i < n; i++) {
                current[i] += weight[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            order[k] = best;
        }
        return order;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    private static final class WrrPicker implements Picker {
        private final Candidates c;
        private final int[] order;
        private final AtomicLong next;

        WrrPicker(Candidates c, int[] order, AtomicLong next) {
            this.c = c;
            this.order = order;
            this.next = next;
        }

        @Override
        public Backend candidate(PickContext ctx, int attempt) {
            if (order.length == 0) {
                return null;
            }
            if (attempt == 0) {
                int i = order[(int) Long.remainderUnsigned(next.getAndIncrement(), order.length)];
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

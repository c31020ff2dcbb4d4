package io.sluice.balance;

import java.util.List;

/**
 * {@code power_of_two}: draws two different backends at random, in proportion to weight, and sends the
 * request to the one with fewer requests in flight per unit of weight. Nearly as even as least connections
 * at the cost of two draws instead of a scan, and it never herds every proxy onto the same idle backend.
 * Thread-safe.
 */
public final class PowerOfTwo implements Strategy {
    public static final String NAME = "power_of_two";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Picker newPicker(Picker previous, List<Backend> backends) {
        return new P2cPicker(new Candidates(backends));
    }

    /** Two distinct weighted draws (the second redrawn a few times, then the neighbour); -1 when n < 2. */
    static int secondDraw(Candidates c, PickContext ctx, int first) {
        if (c.size() < 2) {
            return -1;
        }
        for (int tries = 0; tries < 4; tries++) {
            int j = c.weightedRandom(ctx);
            if (j != first) {
                return j;
            }
        }
        return (first + 1 + ctx.random().nextInt(c.size() - 1)) % c.size();
    }

    private record P2cPicker(Candidates c) implements Picker {
        @Override
        public Backend candidate(PickContext ctx, int attempt) {
            int n = c.size();
            if (n == 0 || attempt >= n) {
                return null;
            }
            if (attempt == 0) {
                int a = c.weightedRandom(ctx);
                int b = secondDraw(c, ctx, a);
                if (b >= 0 && Candidates.compareLoad(c.get(b), c.get(a)) < 0) {
                    int t = a;
                    a = b;
                    b = t;
                }
                ctx.cursor(a);
                ctx.cursor2(b);
                return c.get(a);
            }
            return c.afterPair((int) ctx.cursor(), (int) ctx.cursor2(), attempt);
        }

        @Override
        public List<Backend> backends() {
            return c.list();
        }
    }
}

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

    private record P2cPicker(Candidates c) implements Picker {
        private static final Candidates.Better FEWER_IN_FLIGHT = (x, y, ctx) -> Candidates.compareLoad(x, y) < 0;

        @Override
        public Backend candidate(PickContext ctx, int attempt) {
            return c.twoChoices(ctx, attempt, FEWER_IN_FLIGHT);
        }

        @Override
        public List<Backend> backends() {
            return c.list();
        }
    }
}

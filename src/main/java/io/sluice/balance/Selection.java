package io.sluice.balance;

/**
 * Walks a picker's candidates and returns the first that is available and not excluded, so that no
 * strategy needs its own code for health, breakers, drains, slow start or retries. Stateless; thread-safe.
 *
 * <p>Slow start: a candidate still ramping up after joining or recovering (see
 * {@link BackendState#rampFactor}) is taken only with the probability of its ramp factor, else the walk
 * goes on; so it gets about that share of the traffic it would otherwise get. If every usable candidate
 * was passed over that way, the first of them is taken: ramping never turns a request away. Sticky
 * (hashing) pickers are not ramped, since passing over a candidate would move a key.
 */
public final class Selection {
    private Selection() {
    }

    /**
     * The first usable candidate for this request, or null when none is left.
     *
     * @param exclude        a backend already tried for this request (a retry skips it), or null
     * @param slowStartNanos the pool's slow-start period; 0 for none
     */
    public static Backend select(Picker picker, PickContext ctx, Backend exclude, long slowStartNanos) {
        int limit = picker.backends().size() * 2 + 1;
        boolean ramp = slowStartNanos > 0 && !picker.sticky();
        Backend passedOver = null;
        for (int attempt = 0; attempt < limit; attempt++) {
            Backend b = picker.candidate(ctx, attempt);
            if (b == null) {
                break;
            }
            if (b == exclude || !b.available()) {
                continue;
            }
            if (ramp) {
                double f = b.state().rampFactor(ctx.nowNanos(), slowStartNanos);
                if (f < 1.0 && ctx.random().nextDouble() >= f) {
                    if (passedOver == null) {
                        passedOver = b;
                    }
                    continue;
                }
            }
            return b;
        }
        return passedOver;
    }

    /** {@link #select(Picker, PickContext, Backend, long)} without slow start. */
    public static Backend select(Picker picker, PickContext ctx, Backend exclude) {
        return select(picker, ctx, exclude, 0);
    }
}

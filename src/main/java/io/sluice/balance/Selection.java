package io.sluice.balance;

/**
 * Walks a picker's candidates and returns the first that may take the request, so that no strategy needs
 * its own code for health, breakers, drains, slow start, retries or panic mode. Stateless; thread-safe.
 *
 * <p>A candidate is skipped when the request already tried it (a retry goes elsewhere) or when it has a
 * health bit set; with only the breaker's bit set, the breaker decides (a half-open breaker lets a few
 * trial calls through). In panic mode every candidate that is not drained counts as healthy.
 *
 * <p>Slow start: a candidate still ramping up after joining or recovering (see
 * {@link BackendState#rampFactor}) is taken only with the probability of its ramp factor, else the walk
 * goes on; so it gets about that share of the traffic it would otherwise get. If every usable candidate
 * was passed over that way, the first of them is taken: ramping never turns a request away. Sticky
 * (hashing) pickers are not ramped, since passing over a candidate would move a key.
 */
public final class Selection {
    private static final Backend[] NONE = new Backend[0];

    private Selection() {
    }

    /**
     * The first usable candidate for this request, or null when none is left. The walk over the picker's
     * candidates goes on from where the last call for this request (since {@link PickContext#reset}) ended,
     * so a retry asks for the request's next candidate rather than making a new first pick.
     *
     * @param exclude        backends already tried for this request (a retry skips them); only the first
     *                       {@code excluded} entries count
     * @param slowStartNanos the pool's slow-start period; 0 for none
     * @param panic          true to treat every backend that is not drained as healthy
     */
    public static Backend select(Picker picker, PickContext ctx, Backend[] exclude, int excluded,
                                 long slowStartNanos, boolean panic) {
        int limit = picker.backends().size() * 2 + 1;
        boolean ramp = slowStartNanos > 0 && !picker.sticky();
        Backend passedOver = null;
        for (int attempt = ctx.walk(); attempt < limit; attempt++) {
            Backend b = picker.candidate(ctx, attempt);
            if (b == null) {
                ctx.walk(limit);
                break;
            }
            ctx.walk(attempt + 1);
            if (excluded > 0 && contains(exclude, excluded, b)) {
                continue;
            }
            BackendState s = b.state();
            int bits = s.healthBits();
            boolean trial = false;
            if (panic) {
                if (!s.notDrained()) {
                    continue;
                }
            } else if (bits == BackendState.BREAKER_OPEN) {
                trial = true;
            } else if (bits != 0) {
                continue;
            }
            if (ramp) {
                double f = s.rampFactor(ctx.nowNanos(), slowStartNanos);
                if (f < 1.0 && ctx.random().nextDouble() >= f) {
                    if (passedOver == null && !trial) {
                        passedOver = b;
                    }
                    continue;
                }
            }
            if (trial && !s.breaker().tryAcquire(ctx.nowNanos())) {
                continue;
            }
            return b;
        }
        return passedOver;
    }

    /** {@link #select(Picker, PickContext, Backend[], int, long, boolean)} with one or no exclusion. */
    public static Backend select(Picker picker, PickContext ctx, Backend exclude, long slowStartNanos) {
        return exclude == null
                ? select(picker, ctx, NONE, 0, slowStartNanos, false)
                : select(picker, ctx, new Backend[] {exclude}, 1, slowStartNanos, false);
    }

    /** {@link #select(Picker, PickContext, Backend, long)} without slow start. */
    public static Backend select(Picker picker, PickContext ctx, Backend exclude) {
        return select(picker, ctx, exclude, 0);
    }

    private static boolean contains(Backend[] list, int n, Backend b) {
        for (int i = 0; i < n; i++) {
            if (list[i] == b) {
                return true;
            }
        }
        return false;
    }
}

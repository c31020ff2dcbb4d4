package io.sluice.balance;

import io.sluice.health.CircuitBreaker;
import java.util.List;

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
 *
 * <p>Half-open trials: a backend whose breaker tripped is no strategy's first choice (scoring and
 * least-loaded pickers leave unusable backends out of their comparison, and a walk reaches the others
 * only when the first choice is unusable), so waiting for a picker to offer it would leave it out of
 * rotation for ever. Instead, the first pick of a request looks at the pool's {@link TrialSchedule}; when a
 * trial is due, it hands the request to the first backend (in configuration order) whose breaker lets a
 * trial through, whatever the strategy. That moves at most {@code half_open_calls} requests per open
 * period, even under a hashing strategy; a retry along the request's walk is never
 * made a trial. Otherwise the cost is one read.
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
        if (!panic && ctx.walk() == 0) {
            Backend t = trial(picker.backends(), ctx.nowNanos(), exclude, excluded);
            if (t != null) {
                return t;
            }
        }
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

    /**
     * A backend whose breaker let a trial through just now, or null. Looks only when the pool's schedule
     * says a trial may be due, and puts back the next moment of every tripped breaker it passes.
     */
    private static Backend trial(List<Backend> backends, long now, Backend[] exclude, int excluded) {
        int n = backends.size();
        if (n == 0 || !backends.get(0).state().trials().take(now)) {
            return null;
        }
        TrialSchedule schedule = backends.get(0).state().trials();
        Backend chosen = null;
        for (int i = 0; i < n; i++) {
            Backend b = backends.get(i);
            BackendState s = b.state();
            if (s.healthBits() != BackendState.BREAKER_OPEN) {
                continue; // usable, or down for another reason too: clearing that reason schedules it again
            }
            CircuitBreaker breaker = s.breaker();
            if (chosen == null && breaker.nextTrialNanos(now) - now <= 0
                    && (excluded == 0 || !contains(exclude, excluded, b)) && breaker.tryAcquire(now)) {
                chosen = b;
            }
            schedule.atOrBefore(breaker.nextTrialNanos(now));
        }
        return chosen;
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

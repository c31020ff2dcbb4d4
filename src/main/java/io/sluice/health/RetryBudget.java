package io.sluice.health;

import io.sluice.runtime.StripedCounters;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Caps a pool's retries at a share of its requests, so that a failing pool is not hit by a retry storm:
 * over the last 10 seconds, retries may number at most {@code percent}% of requests plus a fixed
 * {@code minRetries} (so that a quiet pool still retries). Counted in ten one-second slots.
 *
 * <p>Thread-safe and lock-free: a request costs no atomic instruction on an event loop (the requests are
 * {@link StripedCounters} tagged with their second, one block per loop, summed when a retry asks); a retry
 * is one compare-and-swap on its slot. Each count carries the second it counts, and a thread counting for a
 * newer second than its slot holds starts that slot over; no thread clears counts another thread made, so a
 * request counted while its slot moves on to a new second is never lost. Under concurrency the cap can be
 * overshot by at most one retry per thread deciding at the same instant.
 */
public final class RetryBudget {
    private static final int SLOTS = 10;
    private static final long SLOT_NANOS = 1_000_000_000L;

    private final int percent;
    private final int minRetries;
    /** Requests per slot, tagged with the second they count. */
    private final StripedCounters requests = new StripedCounters(SLOTS);
    /** Retries per slot, tagged with their second as {@link StripedCounters#countedIn} packs them. */
    private final AtomicLongArray retries = new AtomicLongArray(SLOTS);

    /**
     * @param percent    retries allowed per 100 requests
     * @param minRetries retries allowed per 10 seconds whatever the traffic
     */
    public RetryBudget(int percent, int minRetries) {
        if (percent < 0 || minRetries < 0) {
            throw new IllegalArgumentException("budget must not be negative");
        }
        this.percent = percent;
        this.minRetries = minRetries;
    }

    /** One request arrived (not a retry). */
    public void onRequest(long nowNanos) {
        long second = Math.floorDiv(nowNanos, SLOT_NANOS);
        requests.incrementTagged(Math.floorMod(second, SLOTS), (int) second);
    }

    /** True, and the retry counted, when the budget allows one more retry now. */
    public boolean tryRetry(long nowNanos) {
        long second = Math.floorDiv(nowNanos, SLOT_NANOS);
        int tag = (int) second;
        long req = 0;
        for (int i = 0; i < SLOTS; i++) {
            req += requests.sumTagged(i, tag, SLOTS);
        }
        if ((recentRetries(nowNanos) + 1) * 100 > (long) minRetries * 100 + req * percent) {
            return false;
        }
        int current = Math.floorMod(second, SLOTS);
        long seen;
        do {
            seen = retries.get(current);
        } while (!retries.compareAndSet(current, seen, StripedCounters.countedIn(seen, tag)));
        return true;
    }

    /** Retries counted over the last 10 seconds. */
    public long recentRetries(long nowNanos) {
        int tag = (int) Math.floorDiv(nowNanos, SLOT_NANOS);
        long ret = 0;
        for (int i = 0; i < SLOTS; i++) {
            ret += StripedCounters.countIn(retries.get(i), tag, SLOTS);
        }
        return ret;
    }
}

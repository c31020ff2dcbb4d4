package io.sluice.health;

import io.sluice.runtime.StripedCounters;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Caps a pool's retries at a share of its requests, so that a failing pool is not hit by a retry storm:
 * over the last 10 seconds, retries may number at most {@code percent}% of requests plus a fixed
 * {@code minRetries} (so that a quiet pool still retries). Counted in ten one-second slots.
 *
 * <p>Thread-safe and lock-free: a request costs no atomic instruction on an event loop (the requests are
 * {@link StripedCounters}, one block per loop, summed when a retry asks) and one volatile read of its second's
 * slot; when a slot is reused for a new second, the slot's running sum at that moment becomes its new zero
 * instead of every stripe being cleared. A retry sums the slots. Under concurrency the cap can be overshot by
 * at most one retry per thread deciding at the same instant, and a request counted while its slot is being
 * reused may land in the wrong second.
 */
public final class RetryBudget {
    private static final int SLOTS = 10;
    private static final long SLOT_NANOS = 1_000_000_000L;

    private final int percent;
    private final int minRetries;
    private final AtomicLongArray epochs = new AtomicLongArray(SLOTS);
    /** Requests ever counted in each slot; the slot's count for its current second is this minus its base. */
    private final StripedCounters requests = new StripedCounters(SLOTS);
    private final AtomicLongArray requestsBase = new AtomicLongArray(SLOTS);
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
        for (int i = 0; i < SLOTS; i++) {
            epochs.set(i, Long.MIN_VALUE);
        }
    }

    /** One request arrived (not a retry). */
    public void onRequest(long nowNanos) {
        requests.increment(slot(nowNanos));
    }

    /** True, and the retry counted, when the budget allows one more retry now. */
    public boolean tryRetry(long nowNanos) {
        int current = slot(nowNanos);
        long epoch = Math.floorDiv(nowNanos, SLOT_NANOS);
        long req = 0;
        long ret = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (recent(epochs.get(i), epoch)) {
                req += requests.sum(i) - requestsBase.get(i);
                ret += retries.get(i);
            }
        }
        if ((ret + 1) * 100 > (long) minRetries * 100 + req * percent) {
            return false;
        }
        retries.incrementAndGet(current);
        return true;
    }

    /** Retries counted over the last 10 seconds. */
    public long recentRetries(long nowNanos) {
        long epoch = Math.floorDiv(nowNanos, SLOT_NANOS);
        long ret = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (recent(epochs.get(i), epoch)) {
                ret += retries.get(i);
            }
        }
        return ret;
    }

    private static boolean recent(long slotEpoch, long epoch) {
        return slotEpoch != Long.MIN_VALUE && epoch - slotEpoch < SLOTS;
    }

    /** The slot of this second, cleared first when it last held an older second. */
    private int slot(long nowNanos) {
        long epoch = Math.floorDiv(nowNanos, SLOT_NANOS);
        int i = Math.floorMod(epoch, SLOTS);
        long seen = epochs.get(i);
        if (seen < epoch && epochs.compareAndSet(i, seen, epoch)) {
            requestsBase.set(i, requests.sum(i));
            retries.set(i, 0);
        }
        return i;
    }
}

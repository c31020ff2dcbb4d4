package io.sluice.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed set of counters that event loops add to without atomic instructions and readers sum. Each event-loop
 * thread ({@link LoopThread}) owns a block of its own, made on its first add and written only by it, with
 * opaque stores that a reader on another thread sees soon after; any other thread adds through a shared block
 * with atomic adds. A sum is exact once the writers are quiet and never runs backwards for one reader, but a
 * sum taken while loops write may miss their latest adds. An add costs a thread check, a load and a store, where
 * a {@link java.util.concurrent.atomic.LongAdder} costs a locked compare-and-swap even when no one contends.
 * Thread-safe.
 */
public final class StripedCounters {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle BLOCKS = MethodHandles.arrayElementVarHandle(long[][].class);

    private final int size;
    private final long[][] blocks = new long[LoopThread.STRIPES][];
    private final AtomicLongArray shared;

    /** {@code size} counters, all 0. */
    public StripedCounters(int size) {
        this.size = size;
        this.shared = new AtomicLongArray(size);
    }

    /** How many counters there are. */
    public int size() {
        return size;
    }

    /** Adds {@code delta} to counter {@code i}. */
    public void add(int i, long delta) {
        int s = LoopThread.currentStripe();
        if (s < 0) {
            shared.addAndGet(i, delta);
            return;
        }
        long[] b = blocks[s]; // written only by this thread, so a plain read sees its own block
        if (b == null) {
            b = new long[size];
            BLOCKS.setRelease(blocks, s, b);
        }
        LONGS.setOpaque(b, i, b[i] + delta);
    }

    /** Adds one to counter {@code i}. */
    public void increment(int i) {
        add(i, 1);
    }

    /** The sum of counter {@code i} over every thread. */
    public long sum(int i) {
        long x = shared.get(i);
        for (int s = 0; s < blocks.length; s++) {
            long[] b = (long[]) BLOCKS.getAcquire(blocks, s);
            if (b != null) {
                x += (long) LONGS.getOpaque(b, i);
            }
        }
        return x;
    }

    /** Every counter's sum, in one pass over the blocks. */
    public long[] sums() {
        long[] out = new long[size];
        for (int i = 0; i < size; i++) {
            out[i] = shared.get(i);
        }
        for (int s = 0; s < blocks.length; s++) {
            long[] b = (long[]) BLOCKS.getAcquire(blocks, s);
            if (b != null) {
                for (int i = 0; i < size; i++) {
                    out[i] += (long) LONGS.getOpaque(b, i);
                }
            }
        }
        return out;
    }
}

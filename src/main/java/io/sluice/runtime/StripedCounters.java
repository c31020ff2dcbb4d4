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
        long[] b = block(s);
        LONGS.setOpaque(b, i, b[i] + delta);
    }

    /**
     * Counts one in counter {@code i} for the period {@code tag} (a second, say): a counter used this way holds
     * its period's tag beside its count, and a thread that counts for a newer period than the one its counter
     * holds starts that counter over at one. No thread ever clears another's counter, so no count is lost to a
     * period change however the threads interleave. A counter is used either with {@link #add} or with this
     * method, never both.
     */
    public void incrementTagged(int i, int tag) {
        int s = LoopThread.currentStripe();
        if (s < 0) {
            long seen;
            do {
                seen = shared.get(i);
            } while (!shared.compareAndSet(i, seen, countedIn(seen, tag)));
            return;
        }
        long[] b = block(s);
        LONGS.setOpaque(b, i, countedIn(b[i], tag));
    }

    /**
     * The sum of counter {@code i} over the threads whose count is for a period in the {@code window} periods up
     * to and including {@code newest}; see {@link #incrementTagged}.
     */
    public long sumTagged(int i, int newest, int window) {
        long x = countIn(shared.get(i), newest, window);
        for (int s = 0; s < blocks.length; s++) {
            long[] b = (long[]) BLOCKS.getAcquire(blocks, s);
            if (b != null) {
                x += countIn((long) LONGS.getOpaque(b, i), newest, window);
            }
        }
        return x;
    }

    /**
     * A tagged count after one more is counted for the period {@code tag}: the period in the high 32 bits, the
     * count in the low ones. Shared with single atomic counters that keep the same form.
     */
    public static long countedIn(long tagged, int tag) {
        return (int) (tagged >>> 32) == tag ? tagged + 1 : ((long) tag << 32) | 1;
    }

    /** The count of a tagged counter when its period is one of the {@code window} periods up to {@code newest}. */
    public static long countIn(long tagged, int newest, int window) {
        int age = newest - (int) (tagged >>> 32); // periods wrap at 2^32; the difference stays right
        return age >= 0 && age < window ? tagged & 0xFFFF_FFFFL : 0;
    }

    private long[] block(int s) {
        long[] b = blocks[s]; // written only by this thread, so a plain read sees its own block
        if (b == null) {
            b = new long[size];
            BLOCKS.setRelease(blocks, s, b);
        }
        return b;
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

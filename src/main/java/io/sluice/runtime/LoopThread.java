package io.sluice.runtime;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.BitSet;
import java.util.concurrent.ThreadFactory;

/**
 * An event-loop thread with a stripe: a small number no other live event-loop thread has, by which {@link
 * StripedCounters} gives each loop counters of its own. Stripes are handed out when a thread starts and taken
 * back when it ends; past {@link #STRIPES} live loop threads a thread gets none and counts through the shared,
 * atomic path. Thread-safe.
 */
public final class LoopThread extends FastThreadLocalThread {
    /** Stripes there are; more live event-loop threads than this share the atomic path. */
    public static final int STRIPES = 256;
    private static final BitSet TAKEN = new BitSet(STRIPES);

    private final int stripe;

    private LoopThread(ThreadGroup group, Runnable r, String name) {
        super(group, r, name);
        this.stripe = take();
    }

    /** The current thread's stripe, or -1 when it is not an event-loop thread with one. */
    public static int currentStripe() {
        return Thread.currentThread() instanceof LoopThread t ? t.stripe : -1;
    }

    @Override
    public void run() {
        try {
            super.run();
        } finally {
            give(stripe);
        }
    }

    private static int take() {
        synchronized (TAKEN) {
            int s = TAKEN.nextClearBit(0);
            if (s >= STRIPES) {
                return -1;
            }
            TAKEN.set(s);
            return s;
        }
    }

    // Taking the lock here and in take() orders the ending thread's counter writes before the next owner's.
    private static void give(int stripe) {
        if (stripe >= 0) {
            synchronized (TAKEN) {
                TAKEN.clear(stripe);
            }
        }
    }

    /** A factory of daemon loop threads named {@code name-N}, as Netty's default factory names them. */
    public static ThreadFactory factory(String name) {
        return new DefaultThreadFactory(name, true) {
            @Override
            protected Thread newThread(Runnable r, String threadName) {
                return new LoopThread(threadGroup, r, threadName);
            }
        };
    }
}

package io.sluice.http;

import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A connection's timeout that costs nothing per request: one task sits in the event loop's scheduler, and
 * arming again only moves the deadline (a deadline earlier than the waiting task schedules one more). When the task fires before the (moved) deadline it reschedules
 * itself for the rest; when it fires disarmed, or on a closed channel, it does nothing. A task superseded by an
 * earlier one is taken out of the scheduler, and {@link #cancel} takes out the one waiting: the owner calls it when
 * its channel closes, because a waiting task holds the channel (its pipeline, buffers' owners and all) until it
 * runs, which for a header or idle timeout is long after a short connection has gone. Confined to the channel's
 * event loop; not thread-safe.
 */
final class DeadlineTimer {
    private final ChannelHandlerContext ctx;
    private final Runnable onExpiry;
    private long deadline;
    private boolean armed;
    private boolean scheduled;
    /** When the task in the scheduler runs, and which one it is (an earlier deadline supersedes it). */
    private long fireAt;
    private int generation;
    private ScheduledFuture<?> task;

    /** @param onExpiry run on the event loop when an armed deadline passes */
    DeadlineTimer(ChannelHandlerContext ctx, Runnable onExpiry) {
        this.ctx = ctx;
        this.onExpiry = onExpiry;
    }

    /** Expires {@code nanos} from now unless disarmed or armed again first. */
    void arm(long nanos) {
        long now = System.nanoTime();
        deadline = now + nanos;
        armed = true;
        if (!scheduled || deadline - fireAt < 0) {
            schedule(nanos, now); // none waiting, or the one waiting would fire too late
        }
    }

    void disarm() {
        armed = false;
    }

    /** Disarms and takes the waiting task out of the scheduler, so that nothing holds the channel any more. */
    void cancel() {
        armed = false;
        scheduled = false;
        generation++;
        ScheduledFuture<?> t = task;
        task = null;
        if (t != null) {
            t.cancel(false);
        }
    }

    private void schedule(long nanos, long now) {
        ScheduledFuture<?> superseded = task;
        if (superseded != null) {
            superseded.cancel(false);
        }
        scheduled = true;
        fireAt = now + nanos;
        int g = ++generation;
        task = ctx.executor().schedule(() -> fire(g), nanos, TimeUnit.NANOSECONDS);
    }

    private void fire(int g) {
        if (g != generation) {
            return; // superseded by a task for an earlier deadline
        }
        scheduled = false;
        task = null;
        if (!armed || !ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        long remaining = deadline - now;
        if (remaining > 0) {
            schedule(remaining, now);
            return;
        }
        armed = false;
        onExpiry.run();
    }
}

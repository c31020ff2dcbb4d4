package io.sluice.http;

import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.TimeUnit;

/**
 * A connection's timeout that costs nothing per request: one task sits in the event loop's scheduler, and
 * arming again only moves the deadline. When the task fires before the (moved) deadline it reschedules
 * itself for the rest; when it fires disarmed, or on a closed channel, it does nothing. Confined to the
 * channel's event loop; not thread-safe.
 */
final class DeadlineTimer {
    private final ChannelHandlerContext ctx;
    private final Runnable onExpiry;
    private long deadline;
    private boolean armed;
    private boolean scheduled;

    /** @param onExpiry run on the event loop when an armed deadline passes */
    DeadlineTimer(ChannelHandlerContext ctx, Runnable onExpiry) {
        this.ctx = ctx;
        this.onExpiry = onExpiry;
    }

    /** Expires {@code nanos} from now unless disarmed or armed again first. */
    void arm(long nanos) {
        deadline = System.nanoTime() + nanos;
        armed = true;
        if (!scheduled) {
            scheduled = true;
            ctx.executor().schedule(this::fire, nanos, TimeUnit.NANOSECONDS);
        }
    }

    void disarm() {
        armed = false;
    }

    private void fire() {
        scheduled = false;
        if (!armed || !ctx.channel().isActive()) {
            return;
        }
        long remaining = deadline - System.nanoTime();
        if (remaining > 0) {
            scheduled = true;
            ctx.executor().schedule(this::fire, remaining, TimeUnit.NANOSECONDS);
            return;
        }
        armed = false;
        onExpiry.run();
    }
}

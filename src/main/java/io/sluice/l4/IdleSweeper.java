package io.sluice.l4;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Closes the L4 connections of one listener on one event loop that moved no byte either way for the idle timeout.
 * One task per loop looks at every connection each quarter of the timeout, instead of a timer per connection:
 * a connection only sets a mark when it reads, so neither opening one nor moving bytes schedules, cancels or
 * allocates anything. A connection is closed between one and one and a quarter timeouts after its last byte.
 * Confined to its event loop.
 */
final class IdleSweeper {
    private final List<TcpSession> watched = new ArrayList<>();
    private final int ticksToIdle;
    private final ScheduledFuture<?> task;

    IdleSweeper(EventLoop loop, long idleNanos) {
        long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(10), idleNanos / 4);
        this.ticksToIdle = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (idleNanos + tick - 1) / tick));
        this.task = loop.scheduleAtFixedRate(this::sweep, tick, tick, TimeUnit.NANOSECONDS);
    }

    /** Starts watching a connection whose bytes now flow. */
    void add(TcpSession s) {
        s.idleSlot = watched.size();
        s.quietTicks = 0;
        watched.add(s);
    }

    /** Stops watching a connection (it closed); the last one watched takes its slot. */
    void remove(TcpSession s) {
        int slot = s.idleSlot;
        if (slot < 0 || slot >= watched.size() || watched.get(slot) != s) {
            return;
        }
        s.idleSlot = -1;
        TcpSession last = watched.remove(watched.size() - 1);
        if (last != s) {
            watched.set(slot, last);
            last.idleSlot = slot;
        }
    }

    private void sweep() {
        // From the end: a connection closed here (and removed at once) hands its slot to one already looked at.
        for (int i = watched.size() - 1; i >= 0; i--) {
            if (i >= watched.size()) {
                continue;
            }
            TcpSession s = watched.get(i);
            if (s.active) {
                s.active = false;
                s.quietTicks = 0;
            } else if (++s.quietTicks >= ticksToIdle) {
                s.idle();
            }
        }
    }

    /** Stops the task (the listener stopped accepting and its connections drain without it). */
    void stop() {
        task.cancel(false);
    }
}

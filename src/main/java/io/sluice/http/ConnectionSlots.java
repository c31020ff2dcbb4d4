package io.sluice.http;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.config.ConnectionLimitConfig;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection limits of one event loop's {@link UpstreamPool}: per backend address, the HTTP/1.1 connections
 * open from this loop (counting those still being opened) and, for pools with a {@code connection_limit}, the
 * requests waiting in line for one. A request that finds no idle connection and no room to open one takes a
 * {@link Ticket}; when a connection to that backend goes back idle or closes, the first in line is called to take
 * the idle one or open its own, in order of arrival. A ticket that waits the queue timeout out, or whose request
 * ends, leaves the line. Waking the line is a task on the loop, never a call inside another exchange's close.
 * Costs nothing per request when no limit is set: connections are counted as they open and close. Confined to
 * its event loop; not thread-safe.
 */
final class ConnectionSlots {
    /** A request that waits for a connection to a backend. */
    interface Waiter {
        /** Its turn: an idle connection is there for it, or room to open one. */
        void connectionFree();

        /** It waited for the queue timeout: no connection came free. */
        void queueTimedOut();
    }

    private final UpstreamPool pool;
    private final EventLoop loop;
    /** Event loops the limits are shared out among. */
    private final int loops;
    private final Map<InetSocketAddress, Slots> byAddress = new HashMap<>();
    /** Waiting requests across every loop, for the metrics: touched only when a request queues or leaves. */
    private final AtomicInteger queued;
    /** Waiting requests on this loop, so that a connection going back idle costs no lookup when none wait. */
    private int waitingHere;

    ConnectionSlots(UpstreamPool pool, EventLoop loop, int loops, AtomicInteger queued) {
        this.pool = pool;
        this.loop = loop;
        this.loops = Math.max(1, loops);
        this.queued = queued;
    }

    /** One backend address: connections open from this loop and the line of requests waiting for one. */
    private static final class Slots {
        final InetSocketAddress address;
        int open;
        /** Tickets in order of arrival; ones that left the line stay until they reach the front. */
        final ArrayDeque<Ticket> line = new ArrayDeque<>();
        /** Tickets in the line that still wait. */
        int waiting;
        boolean serveScheduled;

        Slots(InetSocketAddress address) {
            this.address = address;
        }
    }

    /** A request's place in the line for a backend. */
    final class Ticket implements Runnable {
        private final Waiter waiter;
        private final Slots slots;
        private final Object idleKey;
        private final int limit;
        private ScheduledFuture<?> timer;
        private boolean left;

        private Ticket(Waiter waiter, Slots slots, Object idleKey, int limit) {
            this.waiter = waiter;
            this.slots = slots;
            this.idleKey = idleKey;
            this.limit = limit;
        }

        /** The request ended while waiting (the client left, the exchange failed): it leaves the line. */
        void cancel() {
            if (leave()) {
                trim(slots);
            }
        }

        /** The queue timeout. */
        @Override
        public void run() {
            timer = null;
            if (leave()) {
                trim(slots);
                waiter.queueTimedOut();
            }
        }

        private boolean leave() {
            if (left) {
                return false;
            }
            left = true;
            slots.waiting--;
            waitingHere--;
            queued.decrementAndGet();
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
            return true;
        }
    }

    private Slots slots(InetSocketAddress address) {
        Slots s = byAddress.get(address);
        if (s == null) {
            s = new Slots(address);
            byAddress.put(address, s);
        }
        return s;
    }

    /** Counts a new HTTP/1.1 connection to {@code address} as open until it closes (a failed connect closes it). */
    void opened(InetSocketAddress address, Channel ch) {
        Slots s = slots(address);
        s.open++;
        ch.closeFuture().addListener(f -> closed(s));
    }

    private void closed(Slots s) {
        s.open--;
        if (s.waiting > 0) {
            scheduleServe(s);
        } else if (s.open == 0 && s.line.isEmpty()) {
            byAddress.remove(s.address, s);
        }
    }

    /** Connections open from this loop to {@code address}. */
    int open(InetSocketAddress address) {
        Slots s = byAddress.get(address);
        return s == null ? 0 : s.open;
    }

    /** Requests waiting for a connection to {@code address} on this loop. */
    int waiting(InetSocketAddress address) {
        Slots s = byAddress.get(address);
        return s == null ? 0 : s.waiting;
    }

    /**
     * Whether a request may open a new connection to {@code address} now: the pool has no limit, or this loop is
     * under its share of it and nobody is waiting in line before it.
     */
    boolean mayOpen(InetSocketAddress address, ConnectionLimitConfig limit) {
        if (!limit.limited()) {
            return true;
        }
        Slots s = byAddress.get(address);
        return s == null || s.waiting == 0 && s.open < ConnectionLimitConfig.share(limit.maxPerBackend(), loops);
    }

    /**
     * Puts a request in line for a connection to {@code address} (idle under {@code idleKey}), for at most the
     * limit's queue timeout; null when the line is full.
     */
    Ticket await(InetSocketAddress address, Object idleKey, ConnectionLimitConfig limit, Waiter waiter) {
        Slots s = slots(address);
        if (s.waiting >= queueShare(limit)) {
            return null;
        }
        Ticket t = new Ticket(waiter, s, idleKey, ConnectionLimitConfig.share(limit.maxPerBackend(), loops));
        s.line.addLast(t);
        s.waiting++;
        waitingHere++;
        queued.incrementAndGet();
        t.timer = loop.schedule(t, limit.queueTimeout().toNanos(), TimeUnit.NANOSECONDS);
        // Its turn may have come already: room under a limit a reload raised, or (with PROXY headers) another
        // client's idle connection to close to make room.
        scheduleServe(s);
        return t;
    }

    private int queueShare(ConnectionLimitConfig limit) {
        return limit.queue() == 0 ? 0 : ConnectionLimitConfig.share(limit.queue(), loops);
    }

    /** A connection to {@code address} went back idle: the first in line, if any, may take it. */
    void idleAgain(InetSocketAddress address) {
        if (waitingHere == 0) {
            return;
        }
        Slots s = byAddress.get(address);
        if (s != null && s.waiting > 0) {
            scheduleServe(s);
        }
    }

    private void scheduleServe(Slots s) {
        if (!s.serveScheduled) {
            s.serveScheduled = true;
            loop.execute(() -> serve(s));
        }
    }

    /**
     * Gives each ticket at the front of the line its turn while there is an idle connection for it or room to open
     * one. With PROXY headers an idle connection serves one client only; when the limit is reached and only other
     * clients' connections are idle, the oldest of those is closed to make room (its close serves the line again).
     */
    private void serve(Slots s) {
        s.serveScheduled = false;
        Ticket t;
        while ((t = s.line.peekFirst()) != null) {
            if (t.left) {
                s.line.pollFirst();
                continue;
            }
            if (!pool.hasIdle(t.idleKey) && s.open >= t.limit) {
                if (s.open > 0) {
                    pool.closeOldestIdle(s.address, t.idleKey);
                }
                break;
            }
            s.line.pollFirst();
            t.leave();
            t.waiter.connectionFree();
        }
        if (s.open == 0 && s.line.isEmpty()) {
            byAddress.remove(s.address, s);
        }
    }

    /** Drops tickets that left from the line once they outnumber the ones still waiting. */
    private static void trim(Slots s) {
        if (s.line.size() > 2 * s.waiting + 16) {
            s.line.removeIf(x -> x.left);
        }
    }
}

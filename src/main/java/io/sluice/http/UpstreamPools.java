package io.sluice.http;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link UpstreamPool} per event loop, so that an upstream connection is always used on the event loop
 * that made it and no pool needs a lock. Thread-safe.
 */
final class UpstreamPools {
    private final FastThreadLocal<UpstreamPool> perLoop = new FastThreadLocal<>();
    private final AtomicInteger open = new AtomicInteger();
    /** Requests waiting for a connection under a connection limit, across every event loop. */
    private final AtomicInteger queued = new AtomicInteger();
    /** Every loop's pool, for the rare calls that must reach them all (a reload). */
    private final List<UpstreamPool> all = new CopyOnWriteArrayList<>();

    /** The pool of the given event loop; must be called on that loop. */
    UpstreamPool get(EventLoop loop) {
        UpstreamPool p = perLoop.get();
        if (p == null) {
            p = new UpstreamPool(loop, open, queued);
            perLoop.set(p);
            all.add(p);
        }
        return p;
    }

    /** Closes, on each loop, the idle connections to these backend addresses; see {@link UpstreamPool#closeIdleTo}. */
    void closeIdleTo(Set<InetSocketAddress> gone) {
        if (gone.isEmpty()) {
            return;
        }
        for (UpstreamPool p : all) {
            p.loop().execute(() -> p.closeIdleTo(gone));
        }
    }

    /** Upstream connections open now, across every event loop. */
    int openConnections() {
        return open.get();
    }

    /** Requests waiting for an upstream connection now (pools with a {@code connection_limit}), across every loop. */
    int queuedRequests() {
        return queued.get();
    }
}

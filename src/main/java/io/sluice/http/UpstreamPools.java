package io.sluice.http;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link UpstreamPool} per event loop, so that an upstream connection is always used on the event loop
 * that made it and no pool needs a lock. Thread-safe.
 */
final class UpstreamPools {
    private final FastThreadLocal<UpstreamPool> perLoop = new FastThreadLocal<>();
    private final AtomicInteger open = new AtomicInteger();

    /** The pool of the given event loop; must be called on that loop. */
    UpstreamPool get(EventLoop loop) {
        UpstreamPool p = perLoop.get();
        if (p == null) {
            p = new UpstreamPool(loop, open);
            perLoop.set(p);
        }
        return p;
    }

    /** Upstream connections open now, across every event loop. */
    int openConnections() {
        return open.get();
    }
}

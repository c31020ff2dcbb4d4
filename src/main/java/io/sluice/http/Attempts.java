package io.sluice.http;

import io.netty.handler.codec.http.HttpRequest;
import io.sluice.balance.Backend;
import io.sluice.balance.PickContext;
import io.sluice.balance.Selection;
import io.sluice.runtime.PoolRuntime;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * Where the attempts of one request go: the pool serving it (a fallback pool may take over), the pick
 * context whose walk of candidates retries continue, and the backends already tried. One per client
 * connection, reset per request (a connection serves one request at a time), so a request allocates
 * nothing here. Confined to the connection's event loop.
 */
final class Attempts {
    /** How many fallback hops one request may take (pool a falls back to b, b to c, ...). */
    private static final int MAX_FALLBACKS = 4;

    private final ProxyContext proxy;
    private final PickContext pick = new PickContext();
    private InetSocketAddress client;
    private HttpRequest request;
    private PoolRuntime pool;
    private Backend[] tried = new Backend[4];
    private int triedCount;
    private int retries;
    private int fallbacks;

    Attempts(ProxyContext proxy) {
        this.proxy = proxy;
    }

    /** Starts over for a new request routed to {@code routed}. */
    Attempts reset(PoolRuntime routed, HttpRequest req, InetSocketAddress from) {
        pool = routed;
        request = req;
        client = from;
        triedCount = 0;
        retries = 0;
        fallbacks = 0;
        return this;
    }

    /** The pool serving the request: the routed one, or a fallback that took over. */
    PoolRuntime pool() {
        return pool;
    }

    /** Retries made so far for this request. */
    int retries() {
        return retries;
    }

    /** Counts one more retry. */
    void retrying() {
        retries++;
    }

    /** The first backend for the request, from its pool or a fallback pool; null when none can take it. */
    Backend first(long now) {
        pick.reset(client, request, now);
        return next(now, false);
    }

    /**
     * The backend for a retry after {@code failed}: the next candidate not tried yet along the first pick's
     * walk; failing that, one of the fallback pool; failing that, any usable one, tried or not. Null when
     * none is usable.
     */
    Backend retry(Backend failed, long now) {
        if (triedCount == tried.length) {
            tried = Arrays.copyOf(tried, triedCount * 2);
        }
        tried[triedCount++] = failed;
        return next(now, true);
    }

    private Backend next(long now, boolean anyAgain) {
        for (;;) {
            Backend b = Selection.select(pool.picker(), pick, tried, triedCount, pool.slowStartNanos(), pool.panic());
            if (b != null) {
                return b;
            }
            PoolRuntime fallback = pool.fallbackPool() == null || fallbacks >= MAX_FALLBACKS ? null
                    : proxy.snapshot().pool(pool.fallbackPool());
            if (fallback == null) {
                break;
            }
            fallbacks++;
            pool = fallback;
            pick.reset(client, request, now);
        }
        if (!anyAgain) {
            return null;
        }
        pick.reset(client, request, now);
        return Selection.select(pool.picker(), pick, tried, 0, pool.slowStartNanos(), pool.panic());
    }

    /** Forgets the request's objects once it is done, so the connection does not keep them alive. */
    void clear() {
        request = null;
        Arrays.fill(tried, 0, triedCount, null);
        triedCount = 0;
    }
}

package io.sluice.http;

import io.netty.handler.codec.http.HttpRequest;
import io.sluice.balance.ConsistentHash;
import io.sluice.balance.IpHash;
import io.sluice.filter.StickyFilter;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RouteRuntime;
import io.sluice.runtime.TrafficSplit;

/**
 * Picks the pool of a route's traffic split for one request. A client stays in its pool when the route keeps
 * sessions: a valid sticky cookie whose backend is in a pool of the split (with a weight above 0) sends it
 * there; otherwise, on a route with a sticky filter or whose pools hash on the client (ip_hash,
 * consistent_hash), the client's address chooses by weight, the same way every time; otherwise the choice
 * is random by weight. Stateless; thread-safe.
 */
final class Splits {
    private Splits() {
    }

    /** The pool for {@code request} on {@code route}, which has a split. */
    static PoolRuntime choose(RouteRuntime route, HttpRequest request, String clientIp) {
        TrafficSplit split = route.split();
        StickyFilter sticky = StickyFilter.in(route.filters());
        if (sticky != null) {
            String backend = sticky.backendOf(request);
            if (backend != null) {
                PoolRuntime p = split.poolWith(backend);
                if (p != null) {
                    return p;
                }
            }
        }
        return split.choose(sticky != null || hashes(split) ? affinity(clientIp) : 0);
    }

    /** A non-zero number standing for the client (String caches its hash). */
    static long affinity(String clientIp) {
        int h = clientIp == null ? 0 : clientIp.hashCode();
        return h == 0 ? 1 : h;
    }

    private static boolean hashes(TrafficSplit split) {
        for (PoolRuntime p : split.pools()) {
            String s = p.strategy();
            if (s.equals(IpHash.NAME) || s.equals(ConsistentHash.NAME)) {
                return true;
            }
        }
        return false;
    }
}

package io.sluice.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.sluice.balance.Backend;
import io.sluice.observe.AccessLog;
import io.sluice.observe.ListenerStats;
import io.sluice.observe.RequestLog;
import io.sluice.observe.RequestTrace;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RouteRuntime;

/**
 * Counts, traces and logs the requests of one client connection when they end: the listener's, route's and
 * pool's counts, the trace's end and the access-log line. Reads no clock when nothing counts, traces or logs
 * requests. Confined to the connection's event loop.
 */
final class RequestReport {
    private final ProxyContext proxy;
    private final String listener;
    private final ListenerStats stats;
    private final boolean h2;

    RequestReport(ProxyContext proxy, String listener, ListenerStats stats, boolean h2) {
        this.proxy = proxy;
        this.listener = listener;
        this.stats = stats;
        this.h2 = h2;
    }

    /** A request answered without an exchange (bad request, no route). */
    void local(HttpRequest req, String uri, int status, long requestNanos, long requestMillis, String clientIp) {
        if (!proxy.telemetry().metrics() && !proxy.telemetry().accessLog().enabled()) {
            return;
        }
        long nanos = proxy.nanoTime() - requestNanos;
        if (proxy.telemetry().metrics()) {
            stats.record(status, nanos, 0, 0);
        }
        log(req, uri, status, nanos, 0, 0, null, 0, 0, -1, null, null, requestMillis, clientIp);
    }

    /**
     * A request routed to {@code route} is over; {@code pool} is null for a route without one (a redirect);
     * {@code uri} is the target as the client sent it (a filter may have rewritten the request's); {@code endNanos} is
     * when it ended on the proxy's clock, 0 for now.
     */
    void done(HttpRequest req, String uri, RouteRuntime route, PoolRuntime pool, int status, long bytesIn, long bytesOut,
              Backend backend, long upstreamNanos, int retries, RequestTrace trace, long requestNanos,
              long endNanos, long requestMillis, String clientIp) {
        boolean metrics = proxy.telemetry().metrics();
        if (!metrics && trace == null && !proxy.telemetry().accessLog().enabled()) {
            return;
        }
        long nanos = (endNanos != 0 ? endNanos : proxy.nanoTime()) - requestNanos;
        String poolName = pool == null ? null : pool.name();
        if (metrics) {
            stats.record(status, nanos, bytesIn, bytesOut);
            route.requests().record(status, nanos);
            if (pool != null) {
                pool.requests().record(status, nanos);
            }
        }
        if (trace != null) {
            trace.end(status, poolName, route.index());
        }
        log(req, uri, status, nanos, bytesIn, bytesOut, backend == null ? null : backend.addressText(), upstreamNanos,
                retries, route.index(), poolName, trace != null && trace.sampled() ? trace.traceId() : null,
                requestMillis, clientIp);
    }

    private void log(HttpRequest req, String uri, int status, long nanos, long bytesIn, long bytesOut, String upstream,
                     long upstreamNanos, int retries, int route, String pool, String traceId, long requestMillis,
                     String clientIp) {
        AccessLog log = proxy.telemetry().accessLog();
        if (log.enabled()) {
            log.log(new RequestLog(requestMillis, clientIp, req.method().name(), uri,
                    h2 ? "HTTP/2.0" : req.protocolVersion().text(), status, bytesIn, bytesOut, nanos, upstream,
                    upstreamNanos, retries, listener, route, pool, traceId, req.headers().get(HttpHeaderNames.USER_AGENT),
                    req.headers().get(HttpHeaderNames.REFERER), req.headers().get(ForwardHeaders.X_REQUEST_ID)));
        }
    }
}

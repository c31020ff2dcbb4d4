package io.sluice.filter;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;

/**
 * A step between a route and its pool: sees a request's head before a backend is picked, its body as it
 * streams up, the response's head before the client gets it, the response body as it streams down, and the
 * end of the exchange. The built-in filters (rate limits, sticky sessions, compression, headers, rewrites,
 * redirects, access control) are filters like any a library user writes; {@link FilterFactory} names one so a
 * configuration can use it.
 *
 * <p><b>Threading.</b> Every hook runs on the client connection's event loop and must not block: no I/O, no
 * locks that others hold for long, no waiting. Slow work goes to another executor, and {@link #onRequest}
 * returns {@link Verdict#later} with its result; the exchange resumes on the event loop when it completes.
 * One filter instance serves every request of its route on every event loop, so its own state must be
 * thread-safe; state of one exchange belongs in {@link FilterContext#state}.
 *
 * <p><b>Bodies stream.</b> The content hooks get each part as it arrives and return the part to pass on
 * (the same one changed in place, a new one, or an empty one); nothing is gathered whole. A hook that returns
 * a different object owns the one it was given and must release it. Buffers follow Netty's reference counting.
 *
 * <p>Order: request hooks run in the route's order (listener filters first), response hooks in reverse. A
 * filter that answers a request locally stops the rest of the request hooks; the answer then passes the
 * response-head hooks of the filters before it, and so do Sluice's own error answers (502, 503, 504). Every
 * hook has a default that passes, so a filter overrides only what it needs.
 */
public interface Filter {
    /**
     * The request head, with the route chosen and before a backend is picked. May change the head (its
     * URI, headers) and answer, pass, or defer.
     */
    default Verdict onRequest(FilterContext ctx, HttpRequest request) {
        return Verdict.next();
    }

    /** One part of the request body on its way to the backend. */
    default HttpContent onRequestContent(FilterContext ctx, HttpContent content) {
        return content;
    }

    /** The response head on its way to the client (from the backend, or a local answer); may change it. */
    default void onResponse(FilterContext ctx, HttpResponse response) {
    }

    /** One part of the response body on its way to the client. */
    default HttpContent onResponseContent(FilterContext ctx, HttpContent content) {
        return content;
    }

    /**
     * The exchange is over: {@code status} is what the client got (0 when it got nothing, e.g. it went away).
     * Called once for every request whose {@link #onRequest} ran, whatever happened after.
     */
    default void onComplete(FilterContext ctx, int status) {
    }
}

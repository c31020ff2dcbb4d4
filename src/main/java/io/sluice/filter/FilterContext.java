package io.sluice.filter;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;

/**
 * One exchange as its filters see it. One per request on a route with filters; confined to the client
 * connection's event loop (call it from there only, e.g. in the hooks or after {@link #executor()} hops back).
 */
public interface FilterContext {
    /** The request head (filters before this one may have changed it). */
    HttpRequest request();

    /**
     * The client: the address a trusted PROXY header or trusted {@code X-Forwarded-For} named, else the
     * connection's peer.
     */
    InetSocketAddress client();

    /** {@link #client()}'s address as text, e.g. {@code 203.0.113.7} or {@code 2001:db8::1}. */
    String clientIp();

    /** The listener's name. */
    String listener();

    /** The route's index within its listener, from 0. */
    int route();

    /** The pool the route sends to (after a traffic split chose one). */
    String pool();

    /** True when the client connection is TLS. */
    boolean secure();

    /** The request id ({@code X-Request-Id}, as received or generated), or null when none is set. */
    String requestId();

    /** The client connection's event loop: work done elsewhere comes back here. */
    EventExecutor executor();

    /**
     * Asks for this backend ({@code host:port} as configured) for the first attempt; the strategy picks as
     * usual when it is not in the pool or cannot take requests (down, drained, breaker open).
     */
    void preferBackend(String address);

    /** The backend that served the response ({@code host:port}), or null when none did (a local answer). */
    String backend();

    /** The calling filter's own state for this exchange (null until it sets some). */
    Object state();

    /** Keeps {@code value} as the calling filter's state for this exchange. */
    void state(Object value);
}

package io.sluice.http;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.sluice.filter.FilterChain;
import io.sluice.filter.FilterRun;
import io.sluice.filter.Verdict;
import java.net.InetSocketAddress;

/**
 * The filters of one exchange: what they may know of it ({@link io.sluice.filter.FilterContext}) and the way
 * back when a deferred verdict completes. Made only for routes with filters. Confined to the client
 * connection's event loop.
 */
final class ExchangeFilters extends FilterRun {
    private final Exchange exchange;
    private final FrontendHandler fe;
    private final HttpRequest request;
    private final int route;
    private final EventExecutor executor;

    ExchangeFilters(FilterChain chain, Exchange exchange, FrontendHandler fe, HttpRequest request, int route,
                    EventExecutor executor) {
        super(chain);
        this.exchange = exchange;
        this.fe = fe;
        this.request = request;
        this.route = route;
        this.executor = executor;
    }

    /** Runs the request hooks; the exchange goes on now, or when a deferred verdict comes. */
    void start() {
        Verdict v = runRequest();
        if (v != PENDING) {
            resume(v);
        }
    }

    /** The filters passed the request on (to the backend) or answered it. */
    @Override
    protected void resume(Verdict v) {
        if (exchange.done()) {
            ReferenceCountUtil.release(v.response());
        } else if (v.response() != null) {
            exchange.answer(v.response());
        } else if (exchange.poolName() == null) {
            // a route whose filters should have answered (a redirect) and did not
            exchange.answer(Responses.error(HttpResponseStatus.NOT_FOUND, !exchange.answerKeepsOpen()));
        } else {
            fe.passHeldBody(this::requestContent); // what came while a verdict was pending
            exchange.proceed(fe.proxyNanoTime());
        }
    }

    @Override
    public HttpRequest request() {
        return request;
    }

    @Override
    public InetSocketAddress client() {
        return fe.client();
    }

    @Override
    public String clientIp() {
        return fe.requestClientIp();
    }

    @Override
    public String listener() {
        return fe.listenerName();
    }

    @Override
    public int route() {
        return route;
    }

    @Override
    public String pool() {
        return exchange.poolName();
    }

    @Override
    public boolean secure() {
        return fe.secure();
    }

    @Override
    public String requestId() {
        return request.headers().get(ForwardHeaders.X_REQUEST_ID);
    }

    @Override
    public EventExecutor executor() {
        return executor;
    }

    @Override
    public void preferBackend(String address) {
        fe.preferBackend(address);
    }

    @Override
    public String backend() {
        return exchange.backendAddress();
    }
}

package io.sluice.http;

import io.netty.handler.codec.http.HttpRequest;
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
    private String clientIp;

    ExchangeFilters(FilterChain chain, Exchange exchange, FrontendHandler fe, HttpRequest request, int route,
                    EventExecutor executor) {
        super(chain);
        this.exchange = exchange;
        this.fe = fe;
        this.request = request;
        this.route = route;
        this.executor = executor;
    }

    @Override
    protected void resume(Verdict verdict) {
        exchange.filtersDecided(verdict);
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
        String ip = clientIp;
        if (ip == null) {
            InetSocketAddress c = fe.client();
            ip = c.getAddress() == null ? fe.clientIp() : c.getAddress().getHostAddress();
            clientIp = ip;
        }
        return ip;
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
        exchange.prefer(address);
    }

    @Override
    public String backend() {
        return exchange.backendAddress();
    }
}

package io.sluice.testing;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.sluice.filter.FilterContext;
import java.net.InetSocketAddress;

/**
 * A {@link FilterContext} for one exchange without a proxy around it, for filter unit tests and benchmarks:
 * listener {@code web}, route 0, pool {@code p}; it records the backend a filter asked for and keeps one
 * state slot. Not thread-safe.
 */
public class TestFilterContext implements FilterContext {
    private final HttpRequest request;
    private final InetSocketAddress client;
    private final String served;
    /** The backend the filter asked for last, or null. */
    public String preferred;
    /** The filter's state slot. */
    public Object state;

    /**
     * @param request the request (may be null when the filter does not read it)
     * @param client  the client (null: 127.0.0.1)
     * @param served  the backend that "served" the response, or null for a local answer
     */
    public TestFilterContext(HttpRequest request, InetSocketAddress client, String served) {
        this.request = request;
        this.client = client == null ? new InetSocketAddress("127.0.0.1", 40000) : client;
        this.served = served;
    }

    @Override
    public HttpRequest request() {
        return request;
    }

    @Override
    public InetSocketAddress client() {
        return client;
    }

    @Override
    public String clientIp() {
        return client.getAddress().getHostAddress();
    }

    @Override
    public String listener() {
        return "web";
    }

    @Override
    public int route() {
        return 0;
    }

    @Override
    public String pool() {
        return "p";
    }

    @Override
    public boolean secure() {
        return false;
    }

    @Override
    public String requestId() {
        return null;
    }

    @Override
    public EventExecutor executor() {
        return ImmediateEventExecutor.INSTANCE;
    }

    @Override
    public void preferBackend(String address) {
        preferred = address;
    }

    @Override
    public String backend() {
        return served;
    }

    @Override
    public Object state() {
        return state;
    }

    @Override
    public void state(Object value) {
        state = value;
    }
}

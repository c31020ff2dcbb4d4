package io.sluice.filter.compress;

import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.sluice.config.ConfigLoader;
import io.sluice.filter.FilterContext;
import io.sluice.filter.FilterEnv;
import io.sluice.filter.FilterMetrics;
import java.net.InetSocketAddress;

/** A {@link FilterContext} for one exchange without a proxy around it, for unit tests and benchmarks. Not thread-safe. */
final class FakeContext implements FilterContext {
    private final HttpRequest request;
    private Object state;

    FakeContext(HttpRequest request) {
        this.request = request;
    }

    /** An environment for a filter of route 0 of listener {@code web}, counting into {@code metrics}. */
    static FilterEnv env(FilterMetrics metrics) {
        try {
            return new FilterEnv(ConfigLoader.parse("""
                    listeners: [ { name: web, bind: "127.0.0.1:8080", routes: [ { pool: p } ] } ]
                    pools: [ { name: p, backends: [ { address: "127.0.0.1:9000" } ] } ]
                    """, "bench.yaml", name -> null), "web", 0, "compress", metrics);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public HttpRequest request() {
        return request;
    }

    @Override
    public InetSocketAddress client() {
        return new InetSocketAddress("127.0.0.1", 40000);
    }

    @Override
    public String clientIp() {
        return "127.0.0.1";
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
    }

    @Override
    public String backend() {
        return "127.0.0.1:9000";
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

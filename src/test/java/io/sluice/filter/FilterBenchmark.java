package io.sluice.filter;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.sluice.config.Config;
import io.sluice.config.ConfigLoader;
import io.sluice.config.FilterConfig;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What each built-in filter adds to one request, hooks only (no sockets): the request hook on a browser-like
 * request head, the response hook on a typical response head, and the end. Every operation copies the
 * template head first ({@code none} measures that copy and an empty chain). The filter is built from YAML
 * exactly as a route would have it. Clients come from 4,096 addresses so per-client state is exercised. One
 * instance per benchmark thread; not thread-safe. Not a test. Run: {@code bench/jmh.sh FilterBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FilterBenchmark {
    /** The filters measured, as a route's {@code filters:} list. */
    static final Map<String, String> FILTERS = Map.of(
            "none", "[]",
            "request_headers", "[ { request_headers: { set: { X-Env: prod, X-Client: \"{client_ip}\" }, remove: [ X-Debug ] } } ]",
            "response_headers", "[ { response_headers: { set: { X-Served-By: sluice }, remove: [ Server ] } } ]",
            "security_headers", "[ security_headers ]",
            "rate_limit", "[ { rate_limit: { key: client_ip, requests_per_second: 1000000000, burst: 1000000000 } } ]",
            "sticky", "[ { sticky: { secret: bench-secret-0123456789 } } ]",
            "allow", "[ { allow: [ 10.0.0.0/8, 192.168.0.0/16, 0.0.0.0/0 ] } ]",
            "rewrite", "[ { rewrite: { strip_prefix: /catalogue } } ]",
            "compress", "[ compress ]");

    @Param({"none", "request_headers", "response_headers", "security_headers", "rate_limit", "sticky", "allow",
            "rewrite", "compress"})
    public String filter;

    private FilterChain chain;
    private HttpRequest template;
    private HttpResponse responseTemplate;
    private InetSocketAddress[] clients;
    private int next;

    @Setup
    public void setUp() throws Exception {
        String yaml = "listen: \"127.0.0.1:0\"\nbackends: [ \"127.0.0.1:3001\" ]\nfilters: " + FILTERS.get(filter) + "\n";
        Config config = ConfigLoader.parse(yaml, "bench.yaml", name -> null);
        List<Filter> filters = new ArrayList<>();
        FilterMetrics metrics = new FilterMetrics();
        for (FilterConfig fc : config.listeners().get(0).routes().get(0).filters()) {
            filters.add(Filters.get(fc.name()).create(fc.settings(), new FilterEnv(config, "bench", 0, fc.name(), metrics)));
        }
        chain = FilterChain.of(filters);
        template = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/catalogue/shoes?size=42");
        template.headers().add("Host", "shop.example.com").add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64)")
                .add("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
                .add("Accept-Encoding", "gzip, deflate, br").add("Accept-Language", "en-GB,en;q=0.9")
                .add("Cookie", "session=8f14e45fceea167a5a36dedd4bea2543; theme=dark");
        responseTemplate = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        responseTemplate.headers().add("Content-Type", "text/html; charset=utf-8").add("Content-Length", "512")
                .add("Server", "nginx").add("Cache-Control", "max-age=60");
        clients = new InetSocketAddress[4096];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = new InetSocketAddress("10.1." + (i >> 8) + "." + (i & 255), 40000 + i);
        }
        next = ThreadLocalRandom.current().nextInt(clients.length);
    }

    @Benchmark
    public Object request() {
        HttpRequest req = new DefaultHttpRequest(template.protocolVersion(), template.method(), template.uri());
        req.headers().set(template.headers());
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().set(responseTemplate.headers());
        InetSocketAddress client = clients[next++ & (clients.length - 1)];
        if (chain == null) {
            return res;
        }
        Run run = new Run(chain, req, client);
        Verdict v = run.runRequest();
        run.response(res);
        run.complete(200);
        return v;
    }

    /** The context a route's filters get, without an exchange behind it. */
    private static final class Run extends FilterRun {
        private final HttpRequest request;
        private final InetSocketAddress client;

        Run(FilterChain chain, HttpRequest request, InetSocketAddress client) {
            super(chain);
            this.request = request;
            this.client = client;
        }

        @Override
        protected void resume(Verdict verdict) {
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
            return "bench";
        }

        @Override
        public int route() {
            return 0;
        }

        @Override
        public String pool() {
            return "default";
        }

        @Override
        public boolean secure() {
            return true;
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
            return "127.0.0.1:3001";
        }
    }
}

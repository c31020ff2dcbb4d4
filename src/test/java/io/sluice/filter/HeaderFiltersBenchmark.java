package io.sluice.filter;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the header filters cost per request: {@code request_headers} with a remove, two sets (one constant, one
 * with {@code {client_ip}}) and an add with {@code {request_id}}; {@code security_headers} with its defaults on a
 * response; a {@code rewrite} with strip_prefix. Every operation copies a browser-like request (or response)
 * first; {@link #copyOnly} measures that copy alone. One instance per benchmark thread; not thread-safe. Not a test.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeaderFiltersBenchmark {
    private HttpRequest template;
    private Filter requestHeaders;
    private Filter securityHeaders;
    private Filter rewrite;
    private Ctx ctx;

    @Setup
    public void setUp() {
        template = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/catalogue/shoes?size=42");
        template.headers().add("Host", "shop.example.com").add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64)")
                .add("Accept", "text/html,application/xhtml+xml").add("Accept-Encoding", "gzip, deflate, br")
                .add("X-Debug", "1").add("Cookie", "session=8f14e45fceea167a5a36dedd4bea2543")
                .add("X-Request-Id", "0123456789abcdef0123456789abcdef");
        requestHeaders = new HeadersFilterFactory.OnRequest(new HeaderEdits(List.of("X-Debug"),
                List.of(new HeaderEdits.Entry("X-Env", HeaderTemplate.parse("prod")),
                        new HeaderEdits.Entry("X-Client", HeaderTemplate.parse("ip={client_ip}"))),
                List.of(new HeaderEdits.Entry("X-Trace", HeaderTemplate.parse("req={request_id} {method} {path}"))))
                .compile());
        securityHeaders = new SecurityHeadersFactory.SecurityHeaders(new SecurityHeadersFactory.Settings(
                java.util.Map.of("X-Frame-Options", "DENY", "X-Content-Type-Options", "nosniff",
                        "Referrer-Policy", "strict-origin-when-cross-origin"), "max-age=31536000"));
        rewrite = new RewriteFactory.Rewrite(new RewriteFactory.Settings("/api", null, null, null, null, null));
        ctx = new Ctx();
    }

    private HttpRequest fresh() {
        HttpRequest r = new DefaultHttpRequest(template.protocolVersion(), template.method(), template.uri());
        r.headers().set(template.headers());
        ctx.request = r;
        return r;
    }

    @Benchmark
    public HttpRequest copyOnly() {
        return fresh();
    }

    @Benchmark
    public HttpRequest requestHeaders() {
        HttpRequest r = fresh();
        requestHeaders.onRequest(ctx, r);
        return r;
    }

    @Benchmark
    public HttpRequest rewriteStripPrefix() {
        HttpRequest r = fresh();
        rewrite.onRequest(ctx, r);
        return r;
    }

    @Benchmark
    public HttpResponse securityHeadersDefaults() {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().add("Content-Type", "text/html").add("Content-Length", "1234");
        securityHeaders.onResponse(ctx, r);
        return r;
    }

    /** A fixed exchange: a TLS client at 203.0.113.7. */
    private static final class Ctx implements FilterContext {
        HttpRequest request;

        @Override public HttpRequest request() { return request; }
        @Override public InetSocketAddress client() { return null; }
        @Override public String clientIp() { return "203.0.113.7"; }
        @Override public String listener() { return "web"; }
        @Override public int route() { return 0; }
        @Override public String pool() { return "p"; }
        @Override public boolean secure() { return true; }
        @Override public String requestId() { return request.headers().get("x-request-id"); }
        @Override public EventExecutor executor() { return null; }
        @Override public void preferBackend(String address) { }
        @Override public String backend() { return null; }
        @Override public Object state() { return null; }
        @Override public void state(Object value) { }
    }
}

package io.sluice.filter;

import io.sluice.testing.TestFilterContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
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
 * Cost of the sticky filter per request: a returning client (read and verify the cookie, prefer its backend,
 * no new cookie) and a new client (no cookie; sign and encode a {@code Set-Cookie}). Run with
 * {@code bench/jmh.sh StickyBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StickyBenchmark {
    private StickyFilter filter;
    private HttpRequest returning;
    private HttpRequest fresh;
    private final TestFilterContext ctx = new TestFilterContext(null, null, "10.1.2.3:8080");

    @Setup
    public void setUp() {
        filter = new StickyFilter(StickySettings.of("benchmark-secret-0123456789"), null, null,
                () -> System.currentTimeMillis() / 1000);
        String setCookie = filter.setCookie("10.1.2.3:8080", System.currentTimeMillis() / 1000);
        returning = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/app");
        returning.headers().set(HttpHeaderNames.COOKIE, "theme=dark; " + setCookie.substring(0, setCookie.indexOf(';'))
                + "; _ga=GA1.2.3");
        fresh = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/app");
    }

    @Benchmark
    public HttpResponse returningClient() {
        ctx.state = null;
        filter.onRequest(ctx, returning);
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        filter.onResponse(ctx, r);
        return r;
    }

    @Benchmark
    public HttpResponse newClient() {
        ctx.state = null;
        filter.onRequest(ctx, fresh);
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        filter.onResponse(ctx, r);
        return r;
    }
}

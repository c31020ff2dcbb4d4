package io.sluice.bench;

import io.sluice.testing.TestFilterContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;
import io.sluice.filter.FilterContext;
import io.sluice.filter.Verdict;
import io.sluice.filter.ratelimit.LocalRateLimitStore;
import io.sluice.filter.ratelimit.RateLimitFilter;
import io.sluice.filter.ratelimit.RateLimitSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
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
 * Cost of the {@code rate_limit} filter per request that passes: {@code store} is the bucket lookup and take
 * alone (Caffeine + Bucket4j), {@code filter} the whole request and response hooks as the data path calls them
 * (key from the client IP, the RateLimit headers set on the response head). {@code keys} client IPs take turns:
 * 1 (one hot bucket) or 100,000 (a map at its bound, so lookups miss the CPU caches as they would in a flood).
 * Run by {@code bench/jmh.sh RateLimitBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class RateLimitBenchmark {
    @Param({"1", "100000"})
    public int keys;

    private LocalRateLimitStore store;
    private RateLimitFilter filter;
    private InetAddress[] addresses;
    private TestFilterContext[] contexts;
    private final HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    private final HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    private int next;

    @Setup
    public void setup() throws Exception {
        // a rate no client reaches: every request passes (the common case); a bucket takes 1,000 s to fill, so
        // no key expires during a run and every lookup is a hit
        RateLimitSettings s = new RateLimitSettings(1e6, 1_000_000_000L,
                RateLimitSettings.of(1).key(), RateLimitSettings.MAX_KEYS, 429, "default");
        store = new LocalRateLimitStore(s.requestsPerSecond(), s.burst(), s.maxKeys());
        filter = new RateLimitFilter(s, new LocalRateLimitStore(s.requestsPerSecond(), s.burst(), s.maxKeys()),
                newCounter());
        addresses = new InetAddress[keys];
        contexts = new TestFilterContext[keys];
        for (int i = 0; i < keys; i++) {
            addresses[i] = InetAddress.getByAddress(new byte[] {10, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
            contexts[i] = new TestFilterContext(request, new InetSocketAddress(addresses[i], 40000), null);
            store.tryConsume(addresses[i]);
            filter.onRequest(contexts[i], request);
        }
    }

    private static io.sluice.filter.FilterCounter newCounter() {
        io.sluice.filter.FilterMetrics metrics = new io.sluice.filter.FilterMetrics();
        return new io.sluice.filter.FilterEnv(io.sluice.testing.TestConfigs.create().pool("p", 9).build(), "web", 0,
                "rate_limit", metrics).counter("rate_limited", "bench");
    }

    @Benchmark
    public long store() {
        int i = next;
        next = i + 1 == keys ? 0 : i + 1;
        return store.tryConsume(addresses[i]);
    }

    @Benchmark
    public Object filter() {
        int i = next;
        next = i + 1 == keys ? 0 : i + 1;
        TestFilterContext c = contexts[i];
        Verdict v = filter.onRequest(c, request);
        response.headers().clear();
        filter.onResponse(c, response);
        return v;
    }
}

package io.sluice.filter.compress;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.filter.FilterMetrics;
import java.util.Map;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the {@code compress} filter costs for one 16 KiB JSON response sent in one part, per coding at its
 * default level: the request and response hooks, a fresh encoder, the compression and the end of the stream.
 * The returned size lets JMH keep the work. One instance per benchmark thread; not thread-safe. Not a test.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CompressBenchmark {
    @Param({"br", "zstd", "gzip"})
    public String algorithm;

    private CompressFilter filter;
    private ByteBuf json;

    @Setup
    public void setUp() {
        Encoding e = Encoding.of(algorithm);
        CompressSettings s = new CompressSettings(java.util.List.of(e), 1024, CompressSettings.DEFAULT_TYPES, Map.of());
        filter = (CompressFilter) new CompressFactory().create(s, FakeContext.env(new FilterMetrics()));
        json = Unpooled.unreleasableBuffer(Unpooled.directBuffer(16 * 1024).writeBytes(CompressIT.body(16 * 1024)));
    }

    @TearDown
    public void tearDown() {
        json.unwrap().release();
    }

    @Benchmark
    public int compress16KiBJson() {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/items");
        req.headers().set("Accept-Encoding", "gzip, deflate, br, zstd");
        FakeContext ctx = new FakeContext(req);
        filter.onRequest(ctx, req);
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().set("Content-Type", "application/json").set("Content-Length", 16 * 1024);
        filter.onResponse(ctx, res);
        HttpContent out = filter.onResponseContent(ctx, new DefaultLastHttpContent(json.duplicate()));
        int n = out.content().readableBytes();
        out.release();
        filter.onComplete(ctx, 200);
        return n;
    }
}

package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a proxied head costs on the lean header path, apart from the network: a request head as a browser sends
 * it and a response head as nginx sends it are parsed into {@link HeaderBlock}s by {@link HeadParser}, given the
 * lookups and rewrites the proxy makes ({@link RequestShape}, {@link ForwardHeaders}, the keep-alive check) and
 * written back as bytes, as the front and upstream handlers do. Most of those lookups are for fields a head does
 * not have. Lives in {@code io.sluice.http} because those classes are package-private. One instance per
 * benchmark thread; not thread-safe. Not a test.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeaderBlockBenchmark {
    private static final byte[] REQUEST = ("Host: shop.example.com\r\n"
            + "Connection: keep-alive\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
            + "Sec-Fetch-Site: same-origin\r\n"
            + "Sec-Fetch-Mode: navigate\r\n"
            + "Referer: http://shop.example.com/catalogue\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\n"
            + "Accept-Language: en-GB,en;q=0.9\r\n"
            + "Cookie: session=8f14e45fceea167a5a36dedd4bea2543; theme=dark\r\n").getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] RESPONSE = ("Server: nginx/1.22.1\r\n"
            + "Date: Mon, 07 Dec 2026 18:00:00 GMT\r\n"
            + "Content-Type: application/octet-stream\r\n"
            + "Content-Length: 512\r\n"
            + "Last-Modified: Mon, 07 Dec 2026 17:00:00 GMT\r\n"
            + "Connection: keep-alive\r\n"
            + "ETag: \"6755f6a0-200\"\r\n"
            + "Accept-Ranges: bytes\r\n").getBytes(StandardCharsets.ISO_8859_1);

    private final HeadParser parser = new HeadParser();
    private ByteBuf request;
    private ByteBuf response;
    private ByteBuf out;

    @Setup
    public void setUp() {
        request = Unpooled.wrappedBuffer(REQUEST);
        response = Unpooled.wrappedBuffer(RESPONSE);
        out = Unpooled.buffer(4096);
    }

    @TearDown
    public void tearDown() {
        out.release();
    }

    /** A request head: parsed, its shape read, rewritten for the backend, written. */
    @Benchmark
    public int request() throws HeadParser.BadHead {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/catalogue/shoes",
                parser.parse(request, 0, REQUEST.length, false));
        RequestShape shape = RequestShape.of(r, false);
        ForwardHeaders.toUpstream(r, "203.0.113.7", "8080", false, "127.0.0.1:18081", false, false, shape.upgrade());
        out.clear();
        ((HeaderBlock) r.headers()).writeTo(out);
        return out.writerIndex();
    }

    /** A response head: parsed, its keep-alive read, rewritten for the client, written. */
    @Benchmark
    public int response() throws HeadParser.BadHead {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                parser.parse(response, 0, RESPONSE.length, false));
        boolean keepAlive = HttpUtil.isKeepAlive(r);
        ForwardHeaders.toClient(r, false, false, keepAlive, null, false);
        out.clear();
        ((HeaderBlock) r.headers()).writeTo(out);
        return out.writerIndex();
    }
}

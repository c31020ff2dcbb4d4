package io.sluice.http;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
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
 * What the proxy's header rules cost per request: {@link ForwardHeaders#toUpstream} (hop-by-hop removal plus
 * the X-Forwarded-* headers) and {@link ForwardHeaders#stripHopByHop} alone, on the headers a desktop browser
 * sends when it loads a page over HTTP/1.1 keep-alive. Both rewrite in place, so every operation first copies
 * the template into a fresh request; {@link #copyOnly} measures that copy by itself. Lives in
 * {@code io.sluice.http} because {@code ForwardHeaders} is package-private. One instance per benchmark
 * thread (JMH thread scope); not thread-safe. Not a test.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ForwardHeadersBenchmark {
    private HttpRequest template;

    @Setup
    public void setUp() {
        template = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/catalogue/shoes?size=42&colour=red");
        template.headers()
                .add("Host", "shop.example.com")
                .add("Connection", "keep-alive")
                .add("Upgrade-Insecure-Requests", "1")
                .add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                        + "Chrome/126.0.0.0 Safari/537.36")
                .add("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8")
                .add("Sec-Fetch-Site", "same-origin")
                .add("Sec-Fetch-Mode", "navigate")
                .add("Sec-Fetch-User", "?1")
                .add("Sec-Fetch-Dest", "document")
                .add("Referer", "http://shop.example.com/catalogue")
                .add("Accept-Encoding", "gzip, deflate, br")
                .add("Accept-Language", "en-GB,en;q=0.9,de;q=0.7")
                .add("Cookie", "session=8f14e45fceea167a5a36dedd4bea2543; theme=dark; basket=3");
    }

    /** A fresh request carrying the template's headers, as the decoder would hand one over. */
    private HttpRequest fresh() {
        HttpRequest r = new DefaultHttpRequest(template.protocolVersion(), template.method(), template.uri());
        r.headers().set(template.headers());
        return r;
    }

    /** The request copy alone, which the other two include. */
    @Benchmark
    public HttpRequest copyOnly() {
        return fresh();
    }

    /** Copy, then the whole rewrite for the backend, as {@code Exchange.start} does it. */
    @Benchmark
    public HttpRequest toUpstream() {
        HttpRequest r = fresh();
        ForwardHeaders.toUpstream(r, "203.0.113.7", "8080", true, "127.0.0.1:20000", false, false, false);
        return r;
    }

    /** Copy, then only the hop-by-hop removal (also applied to responses). */
    @Benchmark
    public HttpHeaders stripHopByHop() {
        HttpRequest r = fresh();
        ForwardHeaders.stripHopByHop(r.headers());
        return r.headers();
    }
}

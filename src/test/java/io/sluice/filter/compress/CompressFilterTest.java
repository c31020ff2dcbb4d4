package io.sluice.filter.compress;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.sluice.filter.FilterCounter;
import io.sluice.filter.FilterMetrics;
import io.sluice.filter.Verdict;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The filter's hooks without a proxy: part-by-part output, trailers, counters, and an exchange cut short. */
class CompressFilterTest {
    private final FilterMetrics metrics = new FilterMetrics();
    private final CompressFilter filter = (CompressFilter) new CompressFactory()
            .create(CompressSettings.defaults(), FakeContext.env(metrics));

    private FakeContext started(String acceptEncoding, String expected) {
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        req.headers().set("Accept-Encoding", acceptEncoding);
        FakeContext ctx = new FakeContext(req);
        assertThat(filter.onRequest(ctx, req)).isSameAs(Verdict.next());
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        res.headers().set("Content-Type", "text/plain").set("Transfer-Encoding", "chunked");
        filter.onResponse(ctx, res);
        assertThat(res.headers().get("Content-Encoding")).isEqualTo(expected);
        return ctx;
    }

    private long counter(String name) {
        return metrics.counters().stream().filter(c -> c.name().equals(name)).mapToLong(FilterCounter::get).sum();
    }

    @Test
    void everyPartYieldsOutputAndTrailersAreKept() throws Exception {
        FakeContext ctx = started("gzip", "gzip");
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        StringBuilder plain = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            String part = "part " + i + " of a streamed text body\n".repeat(20);
            plain.append(part);
            HttpContent out = filter.onResponseContent(ctx, new DefaultHttpContent(Unpooled.copiedBuffer(part,
                    java.nio.charset.StandardCharsets.US_ASCII)));
            assertThat(out.content().readableBytes()).as("part %d is flushed to the client at once", i).isPositive();
            byte[] bytes = new byte[out.content().readableBytes()];
            out.content().readBytes(bytes);
            wire.write(bytes);
            out.release();
        }
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        last.trailingHeaders().set("X-Checksum", "abc");
        HttpContent end = filter.onResponseContent(ctx, last);
        assertThat(end).isInstanceOf(LastHttpContent.class);
        assertThat(((LastHttpContent) end).trailingHeaders().get("X-Checksum")).isEqualTo("abc");
        byte[] tail = new byte[end.content().readableBytes()];
        end.content().readBytes(tail);
        wire.write(tail);
        end.release();
        filter.onComplete(ctx, 200);

        byte[] decoded = new GZIPInputStream(new ByteArrayInputStream(wire.toByteArray())).readAllBytes();
        assertThat(new String(decoded, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(plain.toString());
        assertThat(counter("compressed_bytes_in")).isEqualTo(plain.length());
        assertThat(counter("compressed_bytes_out")).isEqualTo(wire.size());
        assertThat(counter("compressed_gzip")).isEqualTo(1);
    }

    @Test
    void anExchangeCutShortReleasesItsEncoder() {
        FakeContext ctx = started("gzip;q=0.5, zstd, br;q=0", "zstd"); // zstd holds a buffer between parts
        HttpContent out = filter.onResponseContent(ctx, new DefaultHttpContent(Unpooled.copiedBuffer(new byte[4096])));
        out.release();
        filter.onComplete(ctx, 0); // the client went away before the last part; the leak check would see a leak
        filter.onComplete(ctx, 0);
    }
}

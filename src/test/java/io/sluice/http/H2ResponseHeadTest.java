package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fast response-head conversion sends what Netty's own conversion sends, header for header. */
class H2ResponseHeadTest {

    private static HttpResponse response(HttpResponseStatus status, String... nameValues) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        for (int i = 0; i < nameValues.length; i += 2) {
            r.headers().add(nameValues[i], nameValues[i + 1]);
        }
        return r;
    }

    private static List<String> lines(Http2Headers h) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<CharSequence, CharSequence> e : h) {
            out.add(e.getKey() + ": " + e.getValue());
        }
        return out;
    }

    private static void sameAsNetty(HttpResponse r) {
        Http2Headers ours = H2ResponseHead.convert(r);
        Http2Headers netty = HttpConversionUtil.toHttp2Headers(r, false);
        assertThat(ours).as("taken on here").isNotNull();
        assertThat(lines(ours)).isEqualTo(lines(netty));
    }

    @Test
    void aTypicalProxiedHeadConvertsAsNettyWould() {
        sameAsNetty(response(HttpResponseStatus.OK, "Server", "nginx", "Date", "Sun, 06 Dec 2026 20:00:00 GMT",
                "Content-Type", "text/plain", "Content-Length", "512", "Last-Modified", "x", "ETag", "\"e\"",
                "Accept-Ranges", "bytes", "X-Own-Header", "1", "x-lower", "2", "SET-COOKIE", "a=b",
                "Set-Cookie", "c=d", "Vary", "Accept-Encoding"));
        sameAsNetty(response(HttpResponseStatus.NOT_FOUND));
        sameAsNetty(response(HttpResponseStatus.valueOf(599), "X-Backend-Server", "127.0.0.1:8080"));
    }

    @Test
    void aHeadKeptAsBytesConvertsAsNettyWouldWithRemovalsAndAdditions() throws Exception {
        String section = "Server: nginx\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nKeep-Alive: timeout=5\r\n"
                + "X-Own: a b\r\nConnection-Free: x\r\nSet-Cookie: a=b\r\nSET-COOKIE: c=d\r\n";
        io.netty.buffer.ByteBuf b = io.netty.buffer.Unpooled.copiedBuffer(section,
                java.nio.charset.StandardCharsets.ISO_8859_1);
        HeaderBlock block;
        try {
            block = new HeadParser().parse(b, 0, b.writerIndex(), true);
        } finally {
            b.release();
        }
        block.remove("x-own");
        block.add("Via", "1.1 sluice");
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, block);
        assertThat(block.lean()).isTrue();
        Http2Headers ours = H2ResponseHead.convert(r);
        assertThat(block.lean()).as("read in place").isTrue();
        HttpResponse same = response(HttpResponseStatus.OK, "Server", "nginx", "Content-Type", "text/plain",
                "Content-Length", "3", "Keep-Alive", "timeout=5", "Connection-Free", "x", "Set-Cookie", "a=b",
                "SET-COOKIE", "c=d", "Via", "1.1 sluice");
        assertThat(lines(ours)).isEqualTo(lines(HttpConversionUtil.toHttp2Headers(same, false)));
        block.remove("keep-alive"); // nothing left to drop: the fields array is used as it is
        same.headers().remove("Keep-Alive");
        assertThat(lines(H2ResponseHead.convert(r))).isEqualTo(lines(HttpConversionUtil.toHttp2Headers(same, false)));
        block.add("Connection", "close");
        assertThat(H2ResponseHead.convert(r)).as("a Connection header added is Netty's to convert").isNull();
    }

    @Test
    void connectionSpecificHeadersAreDroppedAsNettyDropsThem() {
        sameAsNetty(response(HttpResponseStatus.OK, "Keep-Alive", "timeout=5", "Transfer-Encoding", "chunked",
                "Upgrade", "h2c", "Proxy-Connection", "close", "Host", "h", "x-http2-stream-id", "3",
                "x-http2-scheme", "https", "x-http2-path", "/", "X-Kept", "yes"));
    }

    @Test
    void connectionTeAndCookieAreLeftToNetty() {
        assertThat(H2ResponseHead.convert(response(HttpResponseStatus.OK, "Connection", "X-A", "X-A", "1"))).isNull();
        assertThat(H2ResponseHead.convert(response(HttpResponseStatus.OK, "TE", "trailers"))).isNull();
        assertThat(H2ResponseHead.convert(response(HttpResponseStatus.OK, "Cookie", "a=b; c=d"))).isNull();
    }

    @Test
    void aSharedNameMapsToItsSharedLowerCaseAndOtherNamesAreLowerCased() {
        AsciiString upper = KnownHeaderNames.find(bytes("Content-Type"), 0, 12);
        AsciiString lower = KnownHeaderNames.find(bytes("content-type"), 0, 12);
        assertThat((Object) KnownHeaderNames.lowerCase(upper)).isSameAs(lower);
        assertThat((Object) KnownHeaderNames.lowerCase(lower)).isSameAs(lower);
        AsciiString own = new AsciiString("x-own");
        assertThat((Object) KnownHeaderNames.lowerCase(own)).isSameAs(own); // already lower case: no copy
        assertThat((Object) KnownHeaderNames.lowerCase("X-Own")).hasToString("x-own");
        assertThat((Object) KnownHeaderNames.lowerCase(new AsciiString("X-OWN"))).hasToString("x-own");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}

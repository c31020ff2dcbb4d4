package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link H2RequestHead} gives the request Netty's {@code HttpConversionUtil.toHttpRequest} gives, field for field
 * (but for the x-http2-* fields Netty adds, which the proxy drops), with the fields kept as bytes; and leaves to
 * Netty what it does not take on.
 */
class H2RequestHeadTest {

    private static Http2Headers request(String method, String authority, String... nameValues) {
        Http2Headers h = new DefaultHttp2Headers(false).method(method).path("/p?q=1").scheme("https");
        if (authority != null) {
            h.authority(authority);
        }
        for (int i = 0; i < nameValues.length; i += 2) {
            h.add(AsciiString.of(nameValues[i]), nameValues[i + 1]); // names as the HPACK decoder makes them
        }
        return h;
    }

    private static List<String> lines(HttpHeaders h) {
        List<String> out = new ArrayList<>();
        for (var it = h.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            if (!e.getKey().toString().startsWith("x-http2-")) {
                out.add(e.getKey() + ": " + e.getValue());
            }
        }
        return out;
    }

    private static void sameAsNetty(Http2Headers in) throws Exception {
        HttpRequest ours = H2RequestHead.convert(in);
        HttpRequest netty = HttpConversionUtil.toHttpRequest(3, in, false);
        assertThat(ours).as("taken on here").isNotNull();
        assertThat(ours.headers()).isInstanceOf(HeaderBlock.class);
        assertThat(((HeaderBlock) ours.headers()).lean()).isTrue();
        assertThat(ours.method()).isEqualTo(netty.method());
        assertThat(ours.uri()).isEqualTo(netty.uri());
        assertThat(ours.protocolVersion()).isEqualTo(netty.protocolVersion());
        List<String> expected = lines(netty.headers());
        assertThat(lines(ours.headers())).isEqualTo(expected);
        for (String line : expected) {
            String name = line.substring(0, line.indexOf(':'));
            assertThat(ours.headers().get(name)).as(name).isEqualTo(netty.headers().get(name));
        }
    }

    @Test
    void aTypicalRequestConvertsAsNettyWould() throws Exception {
        sameAsNetty(request("GET", "example.test:8443", "user-agent", "h2load nghttp2/1.52.0", "accept", "*/*",
                "accept-encoding", "gzip, deflate, br"));
        sameAsNetty(request("POST", "example.test", "content-type", "application/json", "content-length", "12"));
        sameAsNetty(request("GET", "example.test"));
    }

    @Test
    void cookieCrumbsAreJoinedAtTheEndAsNettyJoinsThem() throws Exception {
        sameAsNetty(request("GET", "a.test", "cookie", "a=1", "x-mid", "m", "cookie", "b=2", "cookie", "c=3"));
        sameAsNetty(request("GET", "a.test", "cookie", "only=1", "x-after", "z"));
    }

    @Test
    void hostAuthorityAndNettysOwnNamesAreHandledAsNettyHandlesThem() throws Exception {
        sameAsNetty(request("GET", "a.test", "host", "a.test", "x-a", "1")); // the same host is not repeated
        sameAsNetty(request("GET", null, "host", "b.test", "x-a", "1")); // a host alone is kept where it was
        sameAsNetty(request("GET", "a.test", "x-http2-scheme", "http", "x-http2-stream-id", "99",
                "x-http2-other", "kept", "trailer", "x-sum", "te", "trailers"));
    }

    @Test
    void whatNettysRulesDecideIsLeftToNetty() {
        assertThat(H2RequestHead.convert(new DefaultHttp2Headers(false).method("CONNECT").authority("a.test:443")))
                .isNull();
        assertThat(H2RequestHead.convert(request("GET", null, "host", "a.test", "host", "b.test"))).isNull();
        assertThat(H2RequestHead.convert(request("GET", "a.test", "host", "b.test"))).isNull();
        String[] many = new String[2 * HeaderBlock.MAX_LINES];
        for (int i = 0; i < HeaderBlock.MAX_LINES; i++) {
            many[2 * i] = "x-f" + i;
            many[2 * i + 1] = "v";
        }
        assertThat(H2RequestHead.convert(request("GET", "a.test", many))).as("65 lines with Host").isNull();
        assertThat(H2RequestHead.convert(request("GET", null, many))).as("64 lines").isNotNull();
        assertThat(H2RequestHead.convert(request("GET", "a.test", "x-big", "v".repeat(70_000)))).isNull();
    }

    @Test
    void theUpstreamEncoderWritesTheBlockAsItsLines() throws Exception {
        HttpRequest req = H2RequestHead.convert(request("GET", "a.test", "accept", "*/*", "cookie", "a=1",
                "cookie", "b=2"));
        io.netty.buffer.ByteBuf buf = io.netty.buffer.Unpooled.buffer();
        try {
            ((HeaderBlock) req.headers()).writeTo(buf);
            assertThat(buf.toString(java.nio.charset.StandardCharsets.ISO_8859_1))
                    .isEqualTo("host: a.test\r\naccept: */*\r\ncookie: a=1; b=2\r\n");
        } finally {
            buf.release();
        }
    }
}

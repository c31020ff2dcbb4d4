package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The front codec: RFC 9112 request lines only, pipelined requests decoded in order, HEAD answers without a body. */
class Http1ServerCodecTest {

    private static List<Object> decode(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
        List<Object> out = new ArrayList<>();
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    @Test
    void pipelinedRequestsComeOutInOrderAndHeadIsAnsweredWithoutABody() {
        EmbeddedChannel ch = new EmbeddedChannel(HttpListener.newCodec(16 * 1024));
        List<Object> out = decode(ch, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nHEAD /2 HTTP/1.1\r\nHost: h\r\n\r\n"
                + "POST /3 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nab");
        List<String> uris = new ArrayList<>();
        for (Object o : out) {
            if (o instanceof HttpRequest r) {
                assertThat(r.decoderResult().isSuccess()).isTrue();
                uris.add(r.method() + " " + r.uri());
            }
            if (o instanceof HttpContent c) {
                c.release();
            }
        }
        assertThat(uris).containsExactly("GET /1", "HEAD /2", "POST /3");
        for (int i = 0; i < 3; i++) {
            DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII));
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 4);
            ch.writeOutbound(r);
        }
        StringBuilder wire = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            wire.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        // The HEAD's answer has no body bytes: three heads, two bodies.
        assertThat(wire.toString().split("HTTP/1.1 200 OK", -1)).hasSize(4);
        assertThat(wire.toString().split("\r\n\r\nbody", -1)).hasSize(3);
        ch.finishAndReleaseAll();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET  / HTTP/1.1", "GET /  HTTP/1.1", "GET\t/ HTTP/1.1", "GET /\tHTTP/1.1", " GET / HTTP/1.1",
        "GET / http/1.1", "GET / HTTP/1.10", "GET / HTTP/3", "GET /", "G(T / HTTP/1.1", "GET / HTTP/1.1 ", "GET /a#b HTTP/1.1", "GET /\u00e9 HTTP/1.1", "GET /a\u007fb HTTP/1.1"})
    void requestLinesOutsideTheGrammarAreFailedRequests(String line) {
        EmbeddedChannel ch = new EmbeddedChannel(HttpListener.newCodec(16 * 1024));
        List<Object> out = decode(ch, line + "\r\nHost: h\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(out).hasSize(1);
        assertThat(((HttpRequest) out.get(0)).decoderResult().isFailure()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void emptyLinesBeforeARequestAreTolerated() {
        EmbeddedChannel ch = new EmbeddedChannel(HttpListener.newCodec(16 * 1024));
        List<Object> out = decode(ch, "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(out).hasSize(2);
        assertThat(((HttpRequest) out.get(0)).decoderResult().isSuccess()).isTrue();
        assertThat(out.get(1)).isInstanceOf(LastHttpContent.class);
        ch.finishAndReleaseAll();
    }

    @Test
    void aLineThatArrivesInPiecesIsCheckedWhole() {
        EmbeddedChannel ch = new EmbeddedChannel(HttpListener.newCodec(16 * 1024));
        assertThat(decode(ch, " ")).isEmpty();
        List<Object> out = decode(ch, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(((HttpRequest) out.get(0)).decoderResult().isFailure()).isTrue();
        ch.finishAndReleaseAll();
    }

    /** What a chunked POST with {@code chunkLine} as its first chunk-size line decodes to: body text, or "BAD". */
    private static String chunkedBody(String chunkLine, String trailers) {
        EmbeddedChannel ch = new EmbeddedChannel(HttpListener.newCodec(16 * 1024));
        List<Object> out = decode(ch, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + chunkLine + "\r\nhello\r\n0\r\n" + trailers + "\r\n");
        StringBuilder body = new StringBuilder();
        boolean ended = false;
        for (Object o : out) {
            if (o instanceof HttpContent c) {
                if (c.decoderResult().isFailure()) {
                    body.setLength(0);
                    body.append("BAD");
                } else {
                    body.append(c.content().toString(StandardCharsets.ISO_8859_1));
                }
                if (c instanceof LastHttpContent last && !c.decoderResult().isFailure()) {
                    ended = true;
                    last.trailingHeaders().forEach(e -> body.append(" ").append(e.getKey()).append('=')
                            .append(e.getValue()));
                }
                c.release();
            }
        }
        ch.finishAndReleaseAll();
        return ended || body.toString().equals("BAD") ? body.toString() : "UNFINISHED " + body;
    }

    @ParameterizedTest
    @ValueSource(strings = {"5;a", "5;a=b", "5 ; a = b", "5;a=\"x y\\\"z\"", "5;a=b;c;d=\"\"", "5\t;\ta"})
    void chunkExtensionsInTheGrammarAreSkipped(String line) {
        assertThat(chunkedBody(line, "")).as(line).isEqualTo("hello");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5;", "5;a=", "5;a=\"b", "5;a=\"b\\", "5;\"a\"", "5;a b", "5;a=b c", "5;a=b\"", "5 x", "5;a@b"})
    void chunkExtensionsOutsideTheGrammarBreakTheBody(String line) {
        assertThat(chunkedBody(line, "")).as(line).isEqualTo("BAD");
    }

    @Test
    void trailersThatWouldReframeTheMessageAreDroppedAndTheRestKept() {
        assertThat(chunkedBody("5", "Content-Length: 50\r\nX-Sum: 1\r\nTransfer-Encoding: chunked\r\nTrailer: a\r\n"))
                .isEqualTo("hello X-Sum=1");
    }

    @Test
    void anObsFoldIsUnfoldedIntoSpaces() {
        EmbeddedChannel ch = new EmbeddedChannel(HttpListener.newCodec(16 * 1024));
        List<Object> out = decode(ch, "GET / HTTP/1.1\r\nHost: h\r\nX-Foo: a\r\n\tb\r\n\r\n");
        HttpRequest r = (HttpRequest) out.get(0);
        assertThat(r.decoderResult().isSuccess()).isTrue();
        assertThat(r.headers().get("X-Foo")).isEqualTo("a   b");
        ch.finishAndReleaseAll();
    }

    @Test
    void aHeadThatArrivesAByteAtATimeIsReadAsAWholeOne() {
        EmbeddedChannel ch = new EmbeddedChannel(HttpListener.newCodec(16 * 1024));
        String text = "GET /a HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nX-B: two words\r\n\r\n"
                + "GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            out.addAll(decode(ch, text.substring(i, i + 1)));
        }
        List<String> seen = new ArrayList<>();
        for (Object o : out) {
            if (o instanceof HttpRequest r) {
                assertThat(r.decoderResult().isSuccess()).isTrue();
                seen.add(r.uri() + " " + r.headers().get("X-A") + " " + r.headers().get("X-B"));
            }
            ReferenceCountUtil.release(o);
        }
        assertThat(seen).containsExactly("/a 1 two words", "/b null null");
        ch.finishAndReleaseAll();
    }
}

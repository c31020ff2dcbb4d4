package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Http1ClientCodecTest {

    /** What one response decoded to: its status, its header names as objects, and its body. */
    private record Decoded(int status, List<CharSequence> names, String body) {
    }

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new Http1ClientCodec(4096, 65535, 8192));
    }

    private static void send(EmbeddedChannel ch, HttpMethod method) {
        ch.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/", Unpooled.EMPTY_BUFFER));
        ByteBuf sent;
        while ((sent = ch.readOutbound()) != null) {
            sent.release();
        }
    }

    private static List<Decoded> receive(EmbeddedChannel ch, String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
        List<Decoded> out = new ArrayList<>();
        int status = 0;
        List<CharSequence> names = null;
        StringBuilder body = new StringBuilder();
        Object o;
        while ((o = ch.readInbound()) != null) {
            if (o instanceof HttpResponse r) {
                assertThat(r.decoderResult().isSuccess()).as("%s", r.decoderResult()).isTrue();
                status = r.status().code();
                names = new ArrayList<>();
                for (Map.Entry<CharSequence, CharSequence> e : (Iterable<Map.Entry<CharSequence, CharSequence>>)
                        r.headers()::iteratorCharSequence) {
                    names.add(e.getKey());
                }
            }
            if (o instanceof HttpContent c) {
                body.append(c.content().toString(StandardCharsets.US_ASCII));
            }
            if (o instanceof LastHttpContent) { // an interim response is followed by an empty last content too
                out.add(new Decoded(status, names, body.toString()));
                body.setLength(0);
            }
            ReferenceCountUtil.release(o);
        }
        return out;
    }

    @Test
    void theResponseToHeadHasNoBodyAndTheNextResponseIsReadWhole() {
        EmbeddedChannel ch = channel();
        send(ch, HttpMethod.HEAD);
        send(ch, HttpMethod.GET);
        List<Decoded> got = receive(ch, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
        assertThat(got).extracting(Decoded::status).containsExactly(200, 200);
        assertThat(got).extracting(Decoded::body).containsExactly("", "hi");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anInterimResponseDoesNotUseUpTheMethodOfTheRequestItPrecedes() {
        EmbeddedChannel ch = channel();
        send(ch, HttpMethod.HEAD);
        send(ch, HttpMethod.GET);
        List<Decoded> got = receive(ch, "HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
        assertThat(got).extracting(Decoded::status).containsExactly(100, 200, 200);
        assertThat(got).extracting(Decoded::body).containsExactly("", "", "abc");
        ch.finishAndReleaseAll();
    }

    @Test
    void everyNameKeepsItsSpellingAndTheHeadStaysAsBytes() {
        EmbeddedChannel ch = channel();
        String response = "HTTP/1.1 200 OK\r\nServer: s\r\nDATE: d\r\nX-Own:1 \r\netag: \"e\"\r\n"
                + "Content-Length: 1\r\n\r\nx";
        send(ch, HttpMethod.GET);
        ch.writeInbound(Unpooled.copiedBuffer(response, StandardCharsets.US_ASCII));
        HttpResponse head = ch.readInbound();
        assertThat(head.headers()).isInstanceOf(HeaderBlock.class);
        assertThat(((HeaderBlock) head.headers()).lean()).isTrue();
        assertThat(head.headers().get("x-own")).isEqualTo("1"); // optional whitespace is not part of the value
        assertThat(head.headers().get("ETag")).isEqualTo("\"e\"");
        List<String> names = new java.util.ArrayList<>();
        head.headers().iteratorCharSequence().forEachRemaining(e -> names.add(e.getKey().toString()));
        assertThat(names).containsExactly("Server", "DATE", "X-Own", "etag", "Content-Length");
        assertThat(((HeaderBlock) head.headers()).lean()).isTrue(); // reading entries did not rebuild them
        ch.finishAndReleaseAll();
    }

    @Test
    void trailersOfAChunkedResponseStillArriveAndForbiddenOnesAreRefused() {
        EmbeddedChannel ch = channel();
        send(ch, HttpMethod.GET);
        ch.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nhi\r\n0\r\nX-T1: a\r\nX-T2: b\r\nX-T3: c\r\n\r\n", StandardCharsets.US_ASCII));
        LastHttpContent last = null;
        Object o;
        while ((o = ch.readInbound()) != null) {
            if (o instanceof LastHttpContent l) {
                last = l;
            } else {
                ReferenceCountUtil.release(o);
            }
        }
        assertThat(last).isNotNull();
        assertThat(last.trailingHeaders().names()).containsExactlyInAnyOrder("X-T1", "X-T2", "X-T3");
        LastHttpContent l = last;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> l.trailingHeaders().add("Content-Length", "1"))
                .isInstanceOf(IllegalArgumentException.class);
        last.release();
        ch.finishAndReleaseAll();
    }
}

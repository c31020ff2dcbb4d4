package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What {@link Http1ResponseDecoder} makes of a backend's bytes: how each body's length is found (RFC 9112
 * §6.3), what a broken head or body becomes, and that bytes split anywhere decode the same.
 */
class Http1ResponseDecoderTest {

    /** What came out, as text: "200 h=v,h=v" for a head, the body bytes, "END" / "END!" (failed) for the end. */
    private static List<String> decode(String wire, int splitEvery, boolean close) {
        EmbeddedChannel ch = new EmbeddedChannel(new Http1ResponseDecoder(4096, 65535, 8192));
        byte[] b = wire.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < b.length; i += splitEvery) {
            ch.writeInbound(Unpooled.wrappedBuffer(b, i, Math.min(splitEvery, b.length - i)));
        }
        if (close) {
            ch.finish();
        }
        List<String> out = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        StringBuilder raw = new StringBuilder();
        Object o;
        while ((o = ch.readInbound()) != null) {
            if (o instanceof HttpResponse r) {
                if (r.decoderResult().isFailure()) {
                    out.add("BAD HEAD");
                    ReferenceCountUtil.release(o);
                    continue;
                } else {
                    StringBuilder s = new StringBuilder().append(r.status().code());
                    r.headers().iteratorCharSequence()
                            .forEachRemaining(e -> s.append(' ').append(e.getKey()).append('=').append(e.getValue()));
                    out.add(s.toString());
                }
            }
            if (o instanceof HttpContent c) {
                body.append(c.content().toString(StandardCharsets.ISO_8859_1));
                if (c instanceof LastHttpContent last) {
                    if (!body.isEmpty()) {
                        out.add(body.toString());
                        body.setLength(0);
                    }
                    out.add(c.decoderResult().isFailure() ? "END!" : "END"
                            + (last.trailingHeaders().isEmpty() ? "" : " " + last.trailingHeaders().names()));
                }
            } else if (o instanceof ByteBuf bytes) {
                raw.append(bytes.toString(StandardCharsets.ISO_8859_1));
            }
            ReferenceCountUtil.release(o);
        }
        if (!body.isEmpty()) {
            out.add(body.toString());
        }
        if (!raw.isEmpty()) {
            out.add("RAW " + raw);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    /** The same bytes give the same result whole, one byte at a time and in threes. */
    private static List<String> decodeAnyway(String wire, boolean close) {
        List<String> whole = decode(wire, Integer.MAX_VALUE, close);
        assertThat(decode(wire, 1, close)).isEqualTo(whole);
        assertThat(decode(wire, 3, close)).isEqualTo(whole);
        return whole;
    }

    @Test
    void aContentLengthBodyAndThenTheNextResponse() {
        assertThat(decodeAnyway("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
                + "\r\nHTTP/1.1 204 No Content\r\nX: 1\r\n\r\n", false))
                .containsExactly("200 Content-Length=3", "abc", "END", "204 X=1", "END");
    }

    @Test
    void aChunkedBodyWithExtensionsAndTrailers() {
        assertThat(decodeAnyway("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n"
                + "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-T: t\r\n\r\n", false))
                .containsExactly("200 Transfer-Encoding=chunked", "abcde", "END [X-T]");
    }

    @Test
    void noLengthMeansUntilTheConnectionCloses() {
        assertThat(decodeAnyway("HTTP/1.0 200 OK\r\nServer: s\r\n\r\nall of it", true))
                .containsExactly("200 Server=s", "all of it", "END");
    }

    @Test
    void aBodyCutShortByTheCloseGetsNoEnd() {
        assertThat(decodeAnyway("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true))
                .containsExactly("200 Content-Length=10", "abc");
        assertThat(decodeAnyway("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", true))
                .containsExactly("200 Transfer-Encoding=chunked", "ab");
    }

    @Test
    void brokenHeadsAreRefusedAndWhatFollowsIsDropped() {
        for (String bad : new String[] {
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
            "HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\nx",
            "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nx",
            "HTTP/1.1 200 OK\r\nX: a\u0000b\r\n\r\n",
            "HTTP/2.0 200 OK\r\n\r\n",
            "HTTP/1.1 20 OK\r\n\r\n",
            "HTTP/1.1 200OK\r\n\r\n",
            "ICY 200 OK\r\n\r\n",
        }) {
            assertThat(decodeAnyway(bad + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false))
                    .as(bad).containsExactly("BAD HEAD");
        }
    }

    @Test
    void brokenChunksEndTheBodyAsFailed() {
        for (String bad : new String[] {"zz\r\n", "3\r\nabcX\r\n", "10000000000000000\r\n", "3 x\r\nabc\r\n"}) {
            List<String> got = decodeAnyway("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + bad
                    + "0\r\n\r\n", false);
            assertThat(got.get(got.size() - 1)).as(bad).isEqualTo("END!");
        }
    }

    @Test
    void aHeadLongerThanTheLimitIsRefused() {
        String big = "HTTP/1.1 200 OK\r\nX: " + "a".repeat(70_000) + "\r\n\r\n";
        assertThat(decode(big, Integer.MAX_VALUE, false)).containsExactly("BAD HEAD");
        assertThat(decode(big, 1000, false)).containsExactly("BAD HEAD");
    }

    @Test
    void lfOnlyLinesFoldedLinesAndAnOwnReasonPhraseAreTaken() {
        assertThat(decodeAnyway("HTTP/1.1 299 Fine Thanks\nA: 1\n  2\nContent-Length: 0\n\n", false))
                .containsExactly("299 A=1   2 Content-Length=0", "END");
    }

    @Test
    void interimAnswersAndTheSwitchToAnotherProtocol() {
        assertThat(decodeAnyway("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 101 Switching Protocols\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n\u0081\u0002hi", false))
                .containsExactly("100", "END", "101 Upgrade=websocket Connection=Upgrade", "END",
                        "RAW \u0081\u0002hi");
    }

    @Test
    void aBodylessAnswerDropsTheChunkedCodingItCannotHave() {
        assertThat(decodeAnyway("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\nETag: e\r\n\r\n",
                false)).containsExactly("304 ETag=e", "END");
    }
}

package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2WindowUpdateFrame;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * {@link H2Stream} (what a stream's front handler is given and what it writes) against Netty's {@code Http2StreamFrameToHttpObjectCodec}, which it replaced: the same
 * frames in give the same messages out (a whole request as a head and a last part), the same messages out give the
 * same frames, and a malformed request is reset without reaching the front handler.
 */
class H2StreamTest {
    private static final Http2FrameStream STREAM = new Http2FrameStream() {
        @Override
        public int id() {
            return 3;
        }

        @Override
        public Http2Stream.State state() {
            return Http2Stream.State.OPEN;
        }
    };

    /**
     * One stream of an {@link H2Streams} on an embedded connection without a frame codec (frames in and out as they
     * are), whose receiver reads all it is given, as Netty's codec was tried on an embedded stream channel.
     */
    private static final class Stream {
        final EmbeddedChannel ch;
        final H2Stream stream;
        final ArrayDeque<Object> received = new ArrayDeque<>();

        Stream() {
            H2Streams streams = new H2Streams(new DefaultHttp2Connection(true), s -> new H2Stream.Receiver() {
                @Override
                public void streamOpened(H2Stream stream) {
                    stream.read();
                }

                @Override
                public void streamRead(Object msg) {
                    received.add(msg);
                }

                @Override
                public void streamReadComplete() {
                    s.read();
                }

                @Override
                public void streamWritable() {
                }

                @Override
                public void streamClosed() {
                }
            });
            ch = new EmbeddedChannel(streams);
            stream = streams.open(STREAM);
        }

        void writeInbound(Http2StreamFrame... frames) {
            for (Http2StreamFrame f : frames) {
                f.stream(STREAM);
            }
            ch.writeInbound((Object[]) frames);
        }

        Object readInbound() {
            return received.poll();
        }

        /** The next frame written, window updates (given back as the body is read) aside. */
        Object readOutbound() {
            Object m;
            while ((m = ch.readOutbound()) instanceof Http2WindowUpdateFrame) {
                continue;
            }
            return m;
        }

        ChannelFuture writeOneOutbound(Object msg) {
            return stream.writeAndFlush(msg);
        }

        void flushOutbound() {
            ch.flushOutbound();
        }

        void checkException() {
            ch.checkException();
        }

        /** Releases what is left; true if anything was (window updates aside). */
        boolean finishAndReleaseAll() {
            boolean left = !received.isEmpty();
            received.forEach(ReferenceCountUtil::release);
            received.clear();
            ch.outboundMessages().removeIf(m -> m instanceof Http2WindowUpdateFrame);
            return ch.finishAndReleaseAll() | left;
        }
    }


    private static Http2Headers request(String method, String path, String... nameValues) {
        Http2Headers h = new DefaultHttp2Headers(false).method(method).path(path).scheme("https")
                .authority("example.test");
        for (int i = 0; i < nameValues.length; i += 2) {
            h.add(AsciiString.of(nameValues[i]), nameValues[i + 1]); // names as the HPACK decoder makes them
        }
        return h;
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    /** What a front handler would be told, one line per message, releasing each. */
    private static List<String> inbound(Stream ch) {
        List<String> out = new ArrayList<>();
        for (Object m; (m = ch.readInbound()) != null; ) {
            out.add(describe(m));
            ReferenceCountUtil.release(m);
        }
        return out;
    }

    private static List<String> inbound(EmbeddedChannel ch) {
        List<String> out = new ArrayList<>();
        for (Object m; (m = ch.readInbound()) != null; ) {
            if (m instanceof FullHttpRequest full) { // Netty's codec: a whole request; the front sees head + last
                out.add(head(full));
                out.add(part(full));
            } else {
                out.add(describe(m));
            }
            ReferenceCountUtil.release(m);
        }
        return out;
    }

    private static String describe(Object m) {
        if (m instanceof HttpRequest r) {
            return head(r);
        }
        return m instanceof HttpContent c ? part(c) : "other " + m;
    }

    private static String head(HttpRequest r) {
        StringBuilder sb = new StringBuilder(r.method() + " " + r.uri() + " " + r.protocolVersion());
        for (Map.Entry<String, String> e : r.headers()) {
            if (e.getKey().startsWith("x-http2-")) {
                continue; // Netty's conversion adds its scheme and stream id; the proxy drops them before forwarding
            }
            sb.append(" | ").append(e.getKey()).append(": ").append(e.getValue());
        }
        return sb.toString();
    }

    private static String part(HttpContent c) {
        String s = (c instanceof LastHttpContent ? "last " : "part ") + c.content().toString(StandardCharsets.US_ASCII);
        if (c instanceof LastHttpContent l) {
            for (Map.Entry<String, String> e : l.trailingHeaders()) {
                s += " | " + e.getKey() + ": " + e.getValue();
            }
        }
        return s;
    }

    /** The frames written, one line each, releasing them. */
    private static List<String> outbound(Stream ch) {
        return outbound(ch::readOutbound);
    }

    private static List<String> outbound(EmbeddedChannel ch) {
        return outbound(ch::readOutbound);
    }

    private static List<String> outbound(Supplier<Object> next) {
        List<String> out = new ArrayList<>();
        for (Object m; (m = next.get()) != null; ) {
            if (m instanceof Http2HeadersFrame h) {
                out.add("HEADERS end=" + h.isEndStream() + " " + h.headers());
            } else if (m instanceof Http2DataFrame d) {
                out.add("DATA end=" + d.isEndStream() + " " + d.content().toString(StandardCharsets.US_ASCII));
            } else {
                out.add("other " + m);
            }
            ReferenceCountUtil.release(m);
        }
        return out;
    }

    private static void sameInbound(Supplier<List<Object>> frames) {
        Stream ours = new Stream();
        EmbeddedChannel netty = new EmbeddedChannel(new Http2StreamFrameToHttpObjectCodec(true, false));
        for (Object f : frames.get()) {
            ours.writeInbound((Http2StreamFrame) f);
        }
        for (Object f : frames.get()) {
            netty.writeInbound(f);
        }
        List<String> expected = inbound(netty);
        assertThat(inbound(ours)).isEqualTo(expected).isNotEmpty();
        assertThat(ours.finishAndReleaseAll()).isFalse();
        netty.finishAndReleaseAll();
    }

    private static void sameOutbound(Supplier<List<HttpObject>> messages) {
        Stream ours = new Stream();
        EmbeddedChannel netty = new EmbeddedChannel(new Http2StreamFrameToHttpObjectCodec(true, false));
        List<ChannelFuture> writes = new ArrayList<>();
        for (HttpObject m : messages.get()) {
            writes.add(ours.writeOneOutbound(m));
        }
        for (HttpObject m : messages.get()) {
            netty.writeOneOutbound(m);
        }
        ours.flushOutbound();
        netty.flushOutbound();
        assertThat(writes).allMatch(ChannelFuture::isSuccess);
        List<String> expected = outbound(netty);
        assertThat(outbound(ours)).isEqualTo(expected).isNotEmpty();
        ours.finishAndReleaseAll();
        netty.finishAndReleaseAll();
    }

    @Test
    void aRequestThatEndsTheStreamIsAHeadAndAnEmptyLastPart() {
        sameInbound(() -> List.of(new DefaultHttp2HeadersFrame(request("GET", "/a?b=c", "accept", "*/*",
                "cookie", "a=b", "cookie", "c=d"), true)));
        Stream ch = new Stream();
        ch.writeInbound(new DefaultHttp2HeadersFrame(request("GET", "/"), true));
        assertThat((Object) ch.readInbound()).isInstanceOf(HttpRequest.class).isNotInstanceOf(FullHttpRequest.class);
        assertThat((Object) ch.readInbound()).isSameAs(LastHttpContent.EMPTY_LAST_CONTENT);
        ch.finishAndReleaseAll();
    }

    @Test
    void aRequestWithABodyIsChunkedUnlessItsLengthIsGivenAndTrailersComeLast() {
        sameInbound(() -> List.of(new DefaultHttp2HeadersFrame(request("POST", "/up"), false),
                new DefaultHttp2DataFrame(bytes("abc"), false), new DefaultHttp2DataFrame(bytes("de"), true)));
        sameInbound(() -> List.of(new DefaultHttp2HeadersFrame(request("PUT", "/up", "content-length", "3"), false),
                new DefaultHttp2DataFrame(bytes("abc"), true)));
        sameInbound(() -> List.of(new DefaultHttp2HeadersFrame(request("POST", "/t", "te", "trailers"), false),
                new DefaultHttp2DataFrame(bytes("x"), false),
                new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x-sum", "1"), true)));
    }

    @Test
    void aMalformedRequestIsResetAndNothingOfItGoesOn() {
        Stream ch = new Stream();
        Http2Headers noScheme = new DefaultHttp2Headers(false).method("GET").path("/");
        ByteBuf body = bytes("ignored");
        ch.writeInbound(new DefaultHttp2HeadersFrame(noScheme, false), new DefaultHttp2DataFrame(body, true));
        assertThat((Object) ch.readInbound()).isNull();
        Object reset = ch.readOutbound();
        assertThat(reset).isInstanceOf(Http2ResetFrame.class);
        assertThat(((Http2ResetFrame) reset).errorCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        assertThat(body.refCnt()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void aRequestNettysConversionRefusesIsResetLikeAMalformedOne() {
        // Two different Hosts and no :authority (found by Http2FrontFuzzTest): the conversion throws.
        Stream ch = new Stream();
        Http2Headers twoHosts = new DefaultHttp2Headers(false).method("GET").path("/").scheme("https")
                .add(AsciiString.of("host"), "a.test").add(AsciiString.of("host"), "b.test");
        ch.writeInbound(new DefaultHttp2HeadersFrame(twoHosts, true));
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(((Http2ResetFrame) ch.readOutbound()).errorCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        ch.checkException(); // nothing went on as an exception either
        assertThat(ch.finishAndReleaseAll()).isFalse();

        // A HEADERS frame in the middle of a body that neither is a head nor ends the stream.
        Stream mid = new Stream();
        ByteBuf late = bytes("late");
        mid.writeInbound(new DefaultHttp2HeadersFrame(request("POST", "/up"), false),
                new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().add("x-a", "1"), false),
                new DefaultHttp2DataFrame(late, true));
        assertThat((Object) mid.readInbound()).isInstanceOf(HttpRequest.class);
        assertThat((Object) mid.readInbound()).isNull();
        assertThat(((Http2ResetFrame) mid.readOutbound()).errorCode()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
        assertThat(late.refCnt()).isZero();
        mid.checkException();
        mid.finishAndReleaseAll();
    }

    private static HttpResponse proxied(String... nameValues) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        for (int i = 0; i < nameValues.length; i += 2) {
            r.headers().add(nameValues[i], nameValues[i + 1]);
        }
        return r;
    }

    @Test
    void aProxiedResponseGivesTheFramesNettysCodecGives() {
        sameOutbound(() -> List.of(proxied("Server", "s", "Content-Length", "5", "Connection", "keep-alive"),
                new DefaultHttpContent(bytes("ab")), new LastPart(bytes("cde"))));
        sameOutbound(() -> List.of(proxied("Set-Cookie", "a=b", "Transfer-Encoding", "chunked"),
                new DefaultHttpContent(bytes("ab")), LastHttpContent.EMPTY_LAST_CONTENT));
        LastHttpContent withTrailers = new DefaultLastHttpContent(bytes("z"));
        withTrailers.trailingHeaders().add("X-Sum", "9");
        LastHttpContent onlyTrailers = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        onlyTrailers.trailingHeaders().add("X-Sum", "8");
        sameOutbound(() -> List.of(proxied("Trailer", "X-Sum"), withTrailers.retainedDuplicate()));
        sameOutbound(() -> List.of(proxied(), onlyTrailers.retainedDuplicate()));
        withTrailers.release();
        onlyTrailers.release();
    }

    @Test
    void sluicesOwnAnswersAndInterimOnesGiveTheFramesNettysCodecGives() {
        sameOutbound(() -> List.of(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.SERVICE_UNAVAILABLE, bytes("no backend\n"))));
        sameOutbound(() -> List.of(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT,
                Unpooled.EMPTY_BUFFER)));
        sameOutbound(() -> List.of(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                Unpooled.EMPTY_BUFFER), proxied("Server", "s"), LastHttpContent.EMPTY_LAST_CONTENT));
        DefaultFullHttpResponse trailed = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                bytes("q"));
        trailed.trailingHeaders().add("X-T", "1");
        sameOutbound(() -> List.of(trailed.retainedDuplicate()));
        trailed.release();
    }

    @Test
    void anInterimHeadThatIsNotWholeFailsItsWriteAsNettysCodecDid() {
        Stream ch = new Stream();
        assertThat(ch.writeOneOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE))
                .cause()).hasMessageContaining("must be a FullHttpResponse");
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}

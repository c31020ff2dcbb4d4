package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http2.Http2Error;
import io.sluice.Sluice;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.H2Wire;
import io.sluice.testing.TestConfigs;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed HTTP/2 requests (RFC 9113 section 8.1.1) are stream errors: the stream is reset with
 * PROTOCOL_ERROR, nothing reaches a backend, no 400 is answered, and the connection serves the next stream.
 */
class Http2MalformedIT {
    private static DemoBackend backend;
    private static Sluice sluice;

    @BeforeAll
    static void start() throws Exception {
        backend = DemoBackend.start("127.0.0.1", 0, "a");
        sluice = Sluice.builder().config(TestConfigs.create().pool("p", backend.port()).build()).build().start();
    }

    @AfterAll
    static void stop() {
        sluice.close();
        backend.close();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("path not origin-form", H2Wire.request("GET", "http", "a.test", "x/y")),
                Arguments.of("path absolute-form", H2Wire.request("GET", "http", "a.test", "http://a.test/x")),
                Arguments.of("path empty", H2Wire.request("GET", "http", "a.test", "")),
                Arguments.of("asterisk with GET", H2Wire.request("GET", "http", "a.test", "*")),
                Arguments.of("path with a space", H2Wire.request("GET", "http", "a.test", "/a b")),
                Arguments.of("path with NUL", H2Wire.request("GET", "http", "a.test", "/a\u0000b")),
                Arguments.of("path with 0x01", H2Wire.request("GET", "http", "a.test", "/a\u0001b")),
                Arguments.of("path with CR LF", H2Wire.request("GET", "http", "a.test", "/a\r\nX-Injected: 1")),
                Arguments.of("path with tab", H2Wire.request("GET", "http", "a.test", "/a\tb")),
                Arguments.of("path with DEL", H2Wire.request("GET", "http", "a.test", "/a\u007fb")),
                Arguments.of("path with a fragment", H2Wire.request("GET", "http", "a.test", "/a#b")),
                Arguments.of("path with a byte above 0x7E", H2Wire.request("GET", "http", "a.test", "/\u00e9")),
                Arguments.of(":authority and host differ", H2Wire.request("GET", "http", "a.test", "/", "host",
                        "b.test")),
                Arguments.of("two different hosts and no :authority", H2Wire.request("GET", "http", null, "/",
                        "host", "a.test", "host", "b.test")),
                Arguments.of("no :path", H2Wire.request("GET", "http", "a.test", null)),
                Arguments.of("no :method", H2Wire.request(null, "http", "a.test", "/")),
                Arguments.of("no :scheme", H2Wire.request("GET", null, "a.test", "/")),
                Arguments.of("unknown pseudo-header", H2Wire.request("GET", "http", "a.test", "/", ":foo", "bar")),
                Arguments.of(":status in a request", H2Wire.request("GET", "http", "a.test", "/", ":status", "200")),
                Arguments.of("duplicate :path", H2Wire.request("GET", "http", "a.test", "/", ":path", "/b")),
                Arguments.of("pseudo-header after a field", new H2Wire.Hpack().literal(":method", "GET")
                        .literal(":scheme", "http").literal("x-a", "1").literal(":path", "/").bytes()),
                Arguments.of("connection header", H2Wire.request("GET", "http", "a.test", "/", "connection", "close")),
                Arguments.of("keep-alive header", H2Wire.request("GET", "http", "a.test", "/", "keep-alive", "5")),
                Arguments.of("transfer-encoding", H2Wire.request("GET", "http", "a.test", "/",
                        "transfer-encoding", "chunked")),
                Arguments.of("upgrade header", H2Wire.request("GET", "http", "a.test", "/", "upgrade", "h2c")),
                Arguments.of("te other than trailers", H2Wire.request("GET", "http", "a.test", "/", "te", "gzip")),
                Arguments.of("upper-case field name", H2Wire.request("GET", "http", "a.test", "/", "X-Up", "1")),
                Arguments.of("field name with a space", H2Wire.request("GET", "http", "a.test", "/", "x y", "1")),
                Arguments.of("field value with CR LF", H2Wire.request("GET", "http", "a.test", "/",
                        "x-a", "1\r\nx-b: 2")),
                Arguments.of("field value with NUL", H2Wire.request("GET", "http", "a.test", "/", "x-a", "1\u0000")),
                Arguments.of("empty :method", H2Wire.request("", "http", "a.test", "/")),
                Arguments.of("CONNECT with :path", H2Wire.request("CONNECT", "http", "a.test", "/")),
                Arguments.of("content-length not a number", H2Wire.request("GET", "http", "a.test", "/",
                        "content-length", "abc")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedRequestIsResetWithProtocolErrorAndTheConnectionGoesOn(String why, byte[] block) throws Exception {
        try (H2Wire c = new H2Wire(sluice.listenerAddress("web")).startReading()) {
            c.preface();
            c.send(H2Wire.headers(1, block, true));
            c.send(H2Wire.get(3, "/health"));
            await().atMost(Duration.ofSeconds(10)).until(() -> c.ended(1) && c.ended(3));
            assertThat(c.reset(1)).as(why).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
            assertThat(c.status(1)).as(why + ": no response, only the reset").isNull();
            assertThat(c.status(3)).isEqualTo(200);
            assertThat(c.goAway()).isNotDone();
        }
    }

    static Stream<Arguments> wrongLength() {
        return Stream.of(
                Arguments.of("5 bytes where 10 were announced", "10", new byte[5]),
                Arguments.of("5 bytes where 2 were announced", "2", new byte[5]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongLength")
    void aBodyThatDisagreesWithContentLengthIsResetWithProtocolError(String why, String length, byte[] body)
            throws Exception {
        try (H2Wire c = new H2Wire(sluice.listenerAddress("web")).startReading()) {
            c.preface();
            c.send(H2Wire.headers(1, H2Wire.request("POST", "http", "a.test", "/echo", "content-length", length),
                    false));
            c.send(H2Wire.data(1, body, true));
            c.send(H2Wire.get(3, "/health"));
            await().atMost(Duration.ofSeconds(10)).until(() -> c.ended(1) && c.ended(3));
            assertThat(c.reset(1)).as(why).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
            assertThat(c.status(3)).isEqualTo(200);
        }
    }

    @Test
    void optionsAsteriskIsAllowedAndAnswered() throws Exception {
        try (H2Wire c = new H2Wire(sluice.listenerAddress("web")).startReading()) {
            c.preface();
            c.send(H2Wire.headers(1, H2Wire.request("OPTIONS", "http", "a.test", "*"), true));
            await().atMost(Duration.ofSeconds(10)).until(() -> c.ended(1));
            assertThat(c.reset(1)).isNull();
            assertThat(c.status(1)).isNotNull();
        }
    }

    @Test
    void ordinaryPathsWithQueriesAndEscapesAreForwarded() throws Exception {
        try (H2Wire c = new H2Wire(sluice.listenerAddress("web")).startReading()) {
            c.preface();
            c.send(H2Wire.get(1, "/health?x=%20y&z=%7F"));
            c.send(H2Wire.get(3, "/echo/~user/a;b=c"));
            await().atMost(Duration.ofSeconds(10)).until(() -> c.ended(1) && c.ended(3));
            assertThat(c.reset(1)).isNull();
            assertThat(c.reset(3)).isNull();
            assertThat(c.status(1)).isEqualTo(200);
        }
    }
}

package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.Sluice;
import io.sluice.config.LimitsConfig;
import io.sluice.testing.RawHttp;
import io.sluice.testing.RecordingBackend;
import io.sluice.testing.ScriptedBackend;
import io.sluice.testing.TestConfigs;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression tests for the parser holes found by trying Sluice as an attacker would: each sends the bytes of
 * the attack over a real socket and checks, on a backend that records every byte and parses leniently, that
 * nothing Sluice did not route reaches the backend.
 */
class SmugglingIT {
    private static final long MAX_BODY = 4096;
    private static RecordingBackend backend;
    private static Sluice sluice;

    @BeforeAll
    static void start() throws Exception {
        backend = new RecordingBackend();
        LimitsConfig limits = new LimitsConfig(16 * 1024, MAX_BODY, Duration.ofSeconds(10), Duration.ofSeconds(60),
                10_000, Duration.ofSeconds(1));
        sluice = Sluice.builder().config(TestConfigs.create().limits(limits).pool("p", backend.port()).build())
                .build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        sluice.close();
        backend.close();
    }

    @BeforeEach
    void clear() {
        backend.clear();
    }

    private static RawHttp client() throws Exception {
        return new RawHttp(sluice.listenerAddress("web")).timeout(5000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Content-Length", "content-length", "CONTENT-LENGTH", "close, Content-Length",
        "Transfer-Encoding", "Host"})
    void framingHeadersAndHostSurviveAConnectionListNamingThem(String listed) throws Exception {
        String smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
        try (RawHttp c = client()) {
            RawHttp.Response r = c.send("POST /a HTTP/1.1\r\nHost: h\r\nConnection: " + listed + "\r\nContent-Length: "
                    + smuggled.length() + "\r\n\r\n" + smuggled).read();
            assertThat(r.status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.requests().size() >= 1);
        List<RecordingBackend.Request> got = backend.requests();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).requestLine()).isEqualTo("POST /a HTTP/1.1");
        assertThat(got.get(0).bodyText()).isEqualTo(smuggled);
        assertThat(got.get(0).header("Host")).isEqualTo("h");
        assertThat(backend.received()).doesNotContain("GET /smuggled HTTP/1.1\r\nHost: x\r\nX-Forwarded");
    }

    @Test
    void aResponseKeepsItsContentLengthWhenConnectionNamesIt() throws Exception {
        try (ScriptedBackend b = new ScriptedBackend((s, i) -> {
                InputStream in = s.getInputStream();
                while (ScriptedBackend.readHead(in) != null) {
                    ScriptedBackend.writeOk(s, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                            "Connection: Content-Length");
                }
            });
             Sluice own = Sluice.builder().config(TestConfigs.create().pool("p", b.port()).build()).build().start();
             RawHttp c = new RawHttp(own.listenerAddress("web")).timeout(5000)) {
            RawHttp.Response r = c.send("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Length")).isEqualTo("38");
            assertThat(r.body()).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            // The body was not taken for a second response: the next answer is the next request's.
            RawHttp.Response next = c.send("GET /2 HTTP/1.1\r\nHost: h\r\n\r\n").read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.header("Content-Length")).isEqualTo("38");
        }
    }

    @Test
    void aBrokenChunkedBodyFromTheBackendIsNeverEndedAsComplete() throws Exception {
        try (ScriptedBackend b = new ScriptedBackend((s, i) -> {
                ScriptedBackend.readHead(s.getInputStream());
                s.getOutputStream().write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n0x5\r\nworld\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                s.getInputStream().read(); // hold the connection until the proxy closes it
            });
             Sluice own = Sluice.builder().config(TestConfigs.create().pool("p", b.port()).build()).build().start();
             RawHttp c = new RawHttp(own.listenerAddress("web")).timeout(5000)) {
            c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
            String raw = new String(c.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(raw).startsWith("HTTP/1.1 200").contains("hello");
            assertThat(raw).as("no last chunk: the client sees the body cut, not complete").doesNotContain("\r\n0\r\n");
        }
    }

    @Test
    void aChunkedBodyKeepsItsFramingWhenConnectionNamesTransferEncoding() throws Exception {
        try (RawHttp c = client()) {
            RawHttp.Response r = c.send("POST /c HTTP/1.1\r\nHost: h\r\nConnection: Transfer-Encoding\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> backend.requests().size() >= 1);
        assertThat(backend.requests()).singleElement().satisfies(q -> assertThat(q.bodyText()).isEqualTo("hello"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fffffffffffffffff", "-1", "0x5", " 5", "5 x", "5\n", "LONG-EXTENSION", "5;a=\"b",
        "", "g"})
    void aBadChunkSizeLineIsA400AndTheBodyNeverEndsUpstream(String sizeLine) throws Exception {
        String size = sizeLine.equals("LONG-EXTENSION") ? "5;" + "e".repeat(20_000) : sizeLine;
        String line = size.endsWith("\n") ? size : size + "\r\n";
        try (RawHttp c = client()) {
            c.send("POST /chunks HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n" + line
                    + "hello\r\n0\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isIn(400, 413);
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
        assertNoCompleteBodyUpstream();
    }

    @Test
    void aChunkWithoutItsCrlfIsA400() throws Exception {
        try (RawHttp c = client()) {
            c.send("POST /chunks HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY0\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(400);
            assertThat(c.closedByPeer()).isTrue();
        }
        assertNoCompleteBodyUpstream();
    }

    @Test
    void aChunkLargerThanTheBodyLimitIsA413AndNeverCompletesUpstream() throws Exception {
        try (RawHttp c = client()) {
            c.send("POST /big HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Long.toHexString(MAX_BODY * 4) + "\r\n" + "x".repeat((int) MAX_BODY * 2));
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(c.closedByPeer()).isTrue();
        }
        assertNoCompleteBodyUpstream();
    }

    /** Whatever reached the backend, its lenient parser never saw the chunked request end. */
    private static void assertNoCompleteBodyUpstream() throws Exception {
        // The upstream connection is closed at once when the request is refused; give the backend time to read it.
        await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(backend.requests()).isEmpty();
        assertThat(backend.received()).doesNotContain("0\r\n\r\n");
    }

    @Test
    void twoHostHeadersAreA400() throws Exception {
        try (RawHttp c = client()) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").read().status()).isEqualTo(400);
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(backend.requests()).isEmpty();
    }

    @Test
    void anAbsoluteFormTargetIsForwardedInOriginFormWithItsAuthorityAsHost() throws Exception {
        try (RawHttp c = client()) {
            assertThat(c.send("GET http://other.example:8080/x?q=1 HTTP/1.1\r\nHost: h\r\n\r\n").read().status())
                    .isEqualTo(200);
            assertThat(c.send("GET HTTPS://third.example HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
        }
        List<RecordingBackend.Request> got = backend.requests();
        assertThat(got).hasSize(2);
        assertThat(got.get(0).requestLine()).isEqualTo("GET /x?q=1 HTTP/1.1");
        assertThat(got.get(0).header("Host")).isEqualTo("other.example:8080");
        assertThat(got.get(0).count("Host")).isEqualTo(1);
        assertThat(got.get(1).requestLine()).isEqualTo("GET / HTTP/1.1");
        assertThat(got.get(1).header("Host")).isEqualTo("third.example");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://a/x", "http://user@a/x", "http:///x", "x", "*", "a/b"})
    void otherTargetFormsAreA400(String target) throws Exception {
        try (RawHttp c = client()) {
            assertThat(c.send("GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(400);
        }
        assertThat(backend.requests()).isEmpty();
    }

    @Test
    void connectIsRefusedWith405AndTheConnectionCloses() throws Exception {
        try (RawHttp c = client()) {
            RawHttp.Response r = c.send("CONNECT other.example:443 HTTP/1.1\r\nHost: other.example:443\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.header("Allow")).contains("GET");
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(backend.requests()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a\u0001b", "/a\u007fb", "/a\u0000", "/\u00e9"})
    void controlAndNonAsciiBytesInTheTargetAreA400(String target) throws Exception {
        try (RawHttp c = client()) {
            assertThat(c.send("GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(400);
        }
        assertThat(backend.requests()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip, chunked", "deflate,chunked", "identity, chunked"})
    void aTransferCodingOtherThanChunkedIsA501(String codings) throws Exception {
        try (RawHttp c = client()) {
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: " + codings
                    + "\r\n\r\n5\r\nhello\r\n0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(501);
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(backend.requests()).isEmpty();
    }

    @Test
    void aHalfClosedClientGetsTheAnswersToEveryCompleteRequestItSent() throws Exception {
        try (RawHttp c = client()) {
            c.send("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /3 HTTP/1.1\r\nHost: h\r\n\r\n").shutdownOutput();
            for (int i = 0; i < 3; i++) {
                assertThat(c.read().status()).isEqualTo(200);
            }
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(backend.requests()).extracting(RecordingBackend.Request::requestLine)
                .containsExactly("GET /1 HTTP/1.1", "POST /2 HTTP/1.1", "GET /3 HTTP/1.1");
    }

    @Test
    void anHttp10ClientThatHalfClosesGetsItsAnswer() throws Exception {
        try (RawHttp c = client()) {
            c.send("GET /old HTTP/1.0\r\n\r\n").shutdownOutput();
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).startsWith("request");
        }
        assertThat(backend.requests()).hasSize(1);
    }

    @Test
    void aHalfCloseInTheMiddleOfABodyIsA400AndNothingCompleteGoesUpstream() throws Exception {
        try (RawHttp c = client()) {
            c.send("POST /cut HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc").shutdownOutput();
            assertThat(c.read().status()).isEqualTo(400);
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(backend.requests()).isEmpty();
    }

    @Test
    void aPipelinedRequestCutShortByAHalfCloseIsA400AfterTheAnswersBeforeIt() throws Exception {
        try (RawHttp c = client()) {
            c.send("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc")
                    .shutdownOutput();
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.read().status()).isEqualTo(400);
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(backend.requests()).extracting(RecordingBackend.Request::requestLine)
                .containsExactly("GET /1 HTTP/1.1");
    }

    @Test
    void aBodyCutShortAfterALocalAnswerJustEndsTheConnection() throws Exception {
        try (RawHttp c = client()) {
            // A 413 by Content-Length is answered here while the body comes: the half-close ends the linger.
            c.send("POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\nabc")
                    .shutdownOutput();
            assertThat(c.read().status()).isEqualTo(413);
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(backend.requests()).isEmpty();
    }

    @Test
    void aHalfClosedIdleConnectionIsClosed() throws Exception {
        try (RawHttp c = client()) {
            c.shutdownOutput();
            assertThat(c.closedByPeer()).isTrue();
        }
    }
}

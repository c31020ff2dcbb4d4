package io.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.sluice.demo.RawConnection.Response;
import io.sluice.runtime.Transport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Connection behaviour on raw sockets: keep-alive, pipelining, closes, HTTP/1.0, counting. */
class DemoBackendSocketTest {
    private static EventLoopGroup group;
    private DemoBackend backend;

    @BeforeAll
    static void startGroup() {
        group = Transport.newGroup(2, "demo-test");
    }

    @AfterAll
    static void stopGroup() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void start() throws Exception {
        backend = DemoBackend.start(group, "127.0.0.1", 0, "raw");
    }

    @AfterEach
    void stop() {
        backend.close();
    }

    private RawConnection connect() throws Exception {
        return new RawConnection(backend.port());
    }

    @Test
    void keepAliveServesTwoRequestsOnOneConnection() throws Exception {
        try (RawConnection c = connect()) {
            Response first = c.get("/health").read();
            Response second = c.get("/a?b=c").read();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("connection")).isNull();
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.text()).contains("\"path\":\"/a?b=c\"");
            assertThat(second.header("x-served-by")).isEqualTo("raw");
        }
        assertThat(backend.acceptedConnections()).isEqualTo(1);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawConnection c = connect()) {
            c.send("GET /delay/50 HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "POST /sha256 HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /status/404 HTTP/1.1\r\nHost: t\r\n\r\n");
            assertThat(c.read().text()).contains("\"delayMs\":50");
            assertThat(c.read().text()).contains("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
            assertThat(c.read().status()).isEqualTo(404);
            assertThat(c.get("/health").read().status()).isEqualTo(200);
        }
    }

    @Test
    void dropClosesWithoutAnyBytes() throws Exception {
        try (RawConnection c = connect()) {
            c.get("/drop");
            assertThat(c.readByte()).isEqualTo(-1);
        }
    }

    @Test
    void closeEndpointSaysSoAndCloses() throws Exception {
        try (RawConnection c = connect()) {
            Response r = c.get("/close").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(c.readByte()).isEqualTo(-1);
        }
    }

    @Test
    void clientConnectionCloseIsHonoured() throws Exception {
        try (RawConnection c = connect()) {
            Response r = c.get("/", "Connection: close").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(c.readByte()).isEqualTo(-1);
        }
    }

    @Test
    void closeAfterHeaderClosesWithoutAnnouncingIt() throws Exception {
        try (RawConnection c = connect()) {
            Response r = c.get("/health", "X-Close-After: 1").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("connection")).isNull();
            assertThat(c.readByte()).isEqualTo(-1);
        }
    }

    @Test
    void http10RequestsCloseUnlessKeepAliveIsAsked() throws Exception {
        try (RawConnection c = connect()) {
            Response r = c.send("GET /health HTTP/1.0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(c.readByte()).isEqualTo(-1);
        }
        try (RawConnection c = connect()) {
            Response r = c.send("GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertThat(r.header("connection")).isEqualToIgnoringCase("keep-alive");
            // no chunked encoding for an HTTP/1.0 client: the body ends at EOF
            Response bytes = c.send("GET /bytes/1000?chunked=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertThat(bytes.header("transfer-encoding")).isNull();
            assertThat(bytes.body()).hasSize(1000);
        }
    }

    @Test
    void headOfBytesSendsNoBody() throws Exception {
        try (RawConnection c = connect()) {
            Response r = c.send("HEAD /bytes/" + (1L << 40) + " HTTP/1.1\r\nHost: t\r\n\r\n").read(true);
            assertThat(r.header("content-length")).isEqualTo(String.valueOf(1L << 40));
            assertThat(c.get("/health").read().status()).isEqualTo(200);
        }
    }

    @Test
    void expectContinueThenEcho() throws Exception {
        try (RawConnection c = connect()) {
            c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: text/x\r\nContent-Length: 5\r\n"
                    + "Expect: 100-continue\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(100);
            Response r = c.send("hello").read();
            assertThat(r.text()).isEqualTo("hello");
            assertThat(r.header("content-type")).isEqualTo("text/x");
        }
    }

    @Test
    void continueIsNotSentInsideAnEarlierPipelinedResponse() throws Exception {
        try (RawConnection c = connect()) {
            c.send("GET /bytes/300000 HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
            Response bytes = c.read();
            assertThat(bytes.body()).hasSize(300000);
            assertThat(bytes.body()[299999]).isEqualTo(DemoBackend.patternByte(299999));
            Response interim = c.read();
            assertThat(interim.status()).isEqualTo(100);
            assertThat(interim.header("x-served-by")).isEqualTo("raw");
            assertThat(c.send("ok").read().text()).isEqualTo("ok");
        }
    }

    @Test
    void unknownExpectationGets417() throws Exception {
        try (RawConnection c = connect()) {
            Response r = c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: teapot\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(417);
            assertThat(c.readByte()).isEqualTo(-1);
        }
    }

    @Test
    void chunkedEchoOnRawSocket() throws Exception {
        try (RawConnection c = connect()) {
            Response r = c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n").read();
            assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(r.text()).isEqualTo("abcdefg");
            assertThat(c.get("/health").read().status()).isEqualTo(200);
        }
    }

    /**
     * 20 MiB through /echo, the client sending and reading at once (the JDK HttpClient only reads the
     * response after sending the whole body, so with a flow-controlled echo it can only send what the
     * socket buffers hold).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void echoStreamsWhileTheClientIsStillSending(boolean chunked) throws Exception {
        long size = (20L << 20) + (chunked ? 5 : 0);
        try (RawConnection c = connect()) {
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try (Noise body = new Noise(size, 11)) {
                    String framing = chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + size;
                    c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-noise\r\n"
                            + framing + "\r\n\r\n");
                    if (chunked) {
                        c.sendChunked(body);
                    } else {
                        c.sendBody(body);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Response r = c.read();
            sent.get(60, TimeUnit.SECONDS);
            assertThat(r.header("content-type")).isEqualTo("application/x-noise");
            assertThat(r.header(chunked ? "transfer-encoding" : "content-length"))
                    .isEqualTo(chunked ? "chunked" : String.valueOf(size));
            assertThat(r.body()).hasSize((int) size);
            assertThat(DemoBackendHttpTest.sha256(new ByteArrayInputStream(r.body())))
                    .isEqualTo(DemoBackendHttpTest.sha256(new Noise(size, 11)));
            assertThat(c.get("/health").read().status()).isEqualTo(200);
        }
    }

    @Test
    void malformedRequestGets400AndClose() throws Exception {
        try (RawConnection c = connect()) {
            Response r = c.send("GET / HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(c.readByte()).isEqualTo(-1);
        }
    }

    @Test
    void abandonedHugeDownloadDoesNotHurtTheBackend() throws Exception {
        try (RawConnection c = connect()) {
            c.get("/bytes/" + (1L << 40));
            for (int i = 0; i < 1 << 20; i++) {
                assertThat(c.readByte()).isNotNegative();
            }
        }
        try (RawConnection c = connect()) {
            assertThat(c.get("/health").read().status()).isEqualTo(200);
        }
    }

    @Test
    void delayDoesNotBlockTheEventLoop() throws Exception {
        try (DemoBackend single = DemoBackend.start("127.0.0.1", 0, "single");
                RawConnection slow = new RawConnection(single.port());
                RawConnection fast = new RawConnection(single.port())) {
            slow.get("/delay/600000");
            await().atMost(Duration.ofSeconds(10)).until(() -> single.acceptedConnections() == 2);
            assertThat(fast.get("/health").read().status()).isEqualTo(200);
            assertThat(fast.get("/").read().text()).contains("\"server\":\"single\"");
        }
    }

    @Test
    void countsAcceptedConnections() throws Exception {
        for (int i = 0; i < 3; i++) {
            try (RawConnection c = connect()) {
                c.get("/health").read();
                c.get("/health").read();
            }
        }
        assertThat(backend.acceptedConnections()).isEqualTo(3);
        RawConnection idle = connect(); // connected, never used
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> backend.acceptedConnections() == 4);
        } finally {
            idle.close();
        }
    }

    @Test
    void closeCutsOpenConnectionsButLeavesASharedGroupRunning() throws Exception {
        try (RawConnection c = connect()) {
            assertThat(c.get("/health").read().status()).isEqualTo(200);
            backend.close();
            assertThat(c.readByte()).isEqualTo(-1);
        }
        assertThat(group.isShuttingDown()).isFalse();
        backend.close(); // idempotent
    }
}

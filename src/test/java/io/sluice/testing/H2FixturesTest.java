package io.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** H2Client against H2Backend directly: h2c prior knowledge, and one exchange over TLS with ALPN h2. */
class H2FixturesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private H2Backend backend;
    private H2Client client;

    @BeforeEach
    void start() throws Exception {
        backend = new H2Backend();
        client = H2Client.connect("127.0.0.1", backend.port(), null, null);
    }

    @AfterEach
    void stop() {
        client.close();
        backend.close();
    }

    private static H2Response done(CompletableFuture<H2Response> f) throws Exception {
        return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void echoReturnsTheBodyTheHeadersAndTrailers() throws Exception {
        byte[] body = H2Backend.grpcMessage("hello");
        H2Response r = done(client.request("POST", "/echo?x=1", null,
                Map.of("content-type", "application/grpc", "X-Test", "abc"), body));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header(":status")).isEqualTo("200");
        assertThat(r.header("content-type")).isEqualTo("application/grpc");
        assertThat(r.header("x-test")).isEqualTo("abc");
        assertThat(r.body()).isEqualTo(body);
        assertThat(r.grpcMessages()).containsExactly("hello");
        assertThat(r.trailers()).containsEntry("grpc-status", List.of("0"))
                .containsEntry("grpc-message", List.of("ok"))
                .containsEntry("x-echo-bytes", List.of(Integer.toString(body.length)));

        Http2Headers seen = backend.lastHeaders("/echo");
        assertThat(seen.method().toString()).isEqualTo("POST");
        assertThat(seen.path().toString()).isEqualTo("/echo?x=1");
        assertThat(seen.scheme().toString()).isEqualTo("http");
        assertThat(seen.authority().toString()).isEqualTo("127.0.0.1:" + backend.port());
        assertThat(seen.get("x-test").toString()).isEqualTo("abc");
        assertThat(backend.requests()).isEqualTo(1);
        assertThat(backend.connections()).isEqualTo(1);
    }

    @Test
    void echoWithoutABodyStillHasTrailers() throws Exception {
        H2Response r = done(client.request("GET", "/echo", "example.test", Map.of(), null));
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(r.dataFrames()).isEmpty();
        assertThat(r.trailer("x-echo-bytes")).isEqualTo("0");
        assertThat(backend.lastHeaders().authority().toString()).isEqualTo("example.test");
    }

    @Test
    void bodiesLargerThanTheFlowControlWindowsEcho() throws Exception {
        byte[] body = new byte[3 << 20];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        H2Response r = done(client.request("PUT", "/echo", null, Map.of(), body));
        assertThat(r.body()).isEqualTo(body);
        assertThat(r.dataFrames().size()).isGreaterThan(1);
        assertThat(r.trailer("x-echo-bytes")).isEqualTo(Integer.toString(body.length));
    }

    @Test
    void statusAndDefaultPaths() throws Exception {
        H2Response failed = done(client.get("/status/503"));
        assertThat(failed.status()).isEqualTo(503);
        assertThat(failed.body()).isEmpty();
        assertThat(failed.trailer("grpc-status")).isEqualTo("13");

        H2Response other = done(client.get("/some/where?q=1"));
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.bodyText()).isEqualTo("h2 /some/where?q=1");
        assertThat(other.header("x-backend-port")).isEqualTo(Integer.toString(backend.port()));
        assertThat(other.trailers()).isEmpty();
    }

    @Test
    void hundredConcurrentStreamsOnOneConnection() throws Exception {
        List<CompletableFuture<H2Response>> futures = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            futures.add(client.request("POST", "/echo", null, Map.of("x-test", "n" + i),
                    ("body-" + i).repeat(i + 1).getBytes(StandardCharsets.UTF_8)));
        }
        for (int i = 0; i < 100; i++) {
            H2Response r = done(futures.get(i));
            assertThat(r.bodyText()).isEqualTo(("body-" + i).repeat(i + 1));
            assertThat(r.header("x-test")).isEqualTo("n" + i);
            assertThat(r.trailer("grpc-status")).isEqualTo("0");
        }
        assertThat(backend.requests()).isEqualTo(100);
        assertThat(backend.connections()).isEqualTo(1);
        assertThat(backend.maxStreamsOnOneConnection()).isEqualTo(100);
        assertThat(client.connectionCount()).isEqualTo(1);
    }

    @Test
    void streamsBeyondTheServersLimitWaitInTheClient() throws Exception {
        try (H2Backend limited = new H2Backend(null, 5);
             H2Client c = H2Client.connect("127.0.0.1", limited.port(), null, null)) {
            List<CompletableFuture<H2Response>> futures = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                futures.add(c.request("POST", "/echo", null, Map.of(), ("m" + i).getBytes(StandardCharsets.UTF_8)));
            }
            for (int i = 0; i < 30; i++) {
                assertThat(done(futures.get(i)).bodyText()).isEqualTo("m" + i);
            }
            assertThat(limited.requests()).isEqualTo(30);
            assertThat(limited.connections()).isEqualTo(1);
        }
    }

    @Test
    void serverStreamingWaitsForTheGate() throws Exception {
        BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        CompletableFuture<H2Response> f = client.request("POST", "/stream?n=3", null,
                Map.of("content-type", "application/grpc"), null, frames::add);

        assertThat(H2Response.grpcMessages(frames.poll(10, TimeUnit.SECONDS))).containsExactly("msg-0");
        assertThat(backend.streamMessagesSent()).isEqualTo(1);
        assertThat(f).isNotDone();

        backend.streamGate().release();
        assertThat(H2Response.grpcMessages(frames.poll(10, TimeUnit.SECONDS))).containsExactly("msg-1");
        assertThat(backend.streamMessagesSent()).isEqualTo(2);

        backend.streamGate().release();
        H2Response r = done(f);
        assertThat(r.header("content-type")).isEqualTo("application/grpc");
        assertThat(r.dataFrames()).hasSize(3);
        assertThat(r.grpcMessages()).containsExactly("msg-0", "msg-1", "msg-2");
        assertThat(r.trailer("grpc-status")).isEqualTo("0");
        assertThat(H2Response.grpcMessages(frames.poll(10, TimeUnit.SECONDS))).containsExactly("msg-2");
    }

    @Test
    void cancellingARequestResetsTheStream() throws Exception {
        CompletableFuture<byte[]> first = new CompletableFuture<>();
        CompletableFuture<H2Response> f = client.request("GET", "/stream?n=2", null, Map.of(), null,
                first::complete);
        first.get(10, TimeUnit.SECONDS);
        f.cancel(true);
        await().atMost(WAIT).until(() -> backend.resetsReceived() == 1);
        // the connection stays usable
        assertThat(done(client.get("/after")).bodyText()).isEqualTo("h2 /after");
    }

    @Test
    void aStreamLostWithTheConnectionFails() throws Exception {
        CompletableFuture<byte[]> first = new CompletableFuture<>();
        CompletableFuture<H2Response> f = client.request("GET", "/stream?n=2", null, Map.of(), null,
                first::complete);
        first.get(10, TimeUnit.SECONDS);
        backend.close();
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(H2Client.StreamException.class);
    }

    @Test
    void echoOverTlsWithAlpnH2(@TempDir Path dir) throws Exception {
        TestCerts.Issued cert = TestCerts.selfSigned(dir, "localhost", java.util.List.of("DNS:localhost", "IP:127.0.0.1"));
        SslContext serverTls = H2Backend.serverTls(cert.cert(), cert.key());
        try (H2Backend tls = new H2Backend(serverTls);
             H2Client c = H2Client.connect("127.0.0.1", tls.port(), H2Client.tlsTrusting(cert.cert()), "localhost")) {
            assertThat(c.applicationProtocol()).isEqualTo("h2");
            H2Response r = done(c.request("POST", "/echo", null, Map.of("content-type", "text/plain"),
                    "over tls".getBytes(StandardCharsets.UTF_8)));
            assertThat(r.bodyText()).isEqualTo("over tls");
            assertThat(r.trailer("grpc-message")).isEqualTo("ok");
            assertThat(tls.lastHeaders().scheme().toString()).isEqualTo("https");
            assertThat(tls.lastSniHostname()).isEqualTo("localhost");
        }
    }
}

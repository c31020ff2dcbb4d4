package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.Sluice;
import io.sluice.config.Http2Config;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.H2Client;
import io.sluice.testing.H2Response;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TestConfigs;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 clients of a clear-text listener (h2c with prior knowledge) reaching HTTP/1.1 backends: many
 * streams on one connection, bodies larger than the flow-control windows, local answers, GOAWAY at
 * shutdown, and HTTP/1.1 still served on the same port.
 */
class Http2IT {

    @Test
    void aHundredConcurrentStreamsOnOneConnectionAreEachAnsweredWithTheirOwnBody() throws Exception {
        try (DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a");
             DemoBackend b = DemoBackend.start("127.0.0.1", 0, "b");
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", a.port(), b.port()).build())
                     .build().start();
             H2Client client = h2c(sluice)) {
            List<CompletableFuture<H2Response>> answers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                byte[] body = ("stream " + i + " says " + "x".repeat(i * 37)).getBytes(StandardCharsets.UTF_8);
                answers.add(client.request("POST", "/echo", "shop.test", Map.of("content-type", "text/plain"), body));
            }
            for (int i = 0; i < 100; i++) {
                H2Response r = answers.get(i).get(20, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("stream " + i + " says " + "x".repeat(i * 37));
                assertThat(r.header("content-type")).isEqualTo("text/plain");
                assertThat(r.header("connection")).isNull();
                assertThat(r.header("transfer-encoding")).isNull();
            }
            assertThat(client.connectionCount()).isEqualTo(1);
            assertThat(sluice.clientConnections()).isEqualTo(1);
            assertThat(a.acceptedConnections() + b.acceptedConnections()).isGreaterThan(0);
        }
    }

    @Test
    void bodiesLargerThanTheWindowsGoBothWaysIntact() throws Exception {
        byte[] body = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(body);
        try (DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a");
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", a.port()).build()).build().start();
             H2Client client = h2c(sluice)) {
            H2Response echoed = client.request("POST", "/echo", "shop.test", Map.of(), body).get(30, TimeUnit.SECONDS);
            assertThat(echoed.status()).isEqualTo(200);
            assertThat(sha256(echoed.body())).isEqualTo(sha256(body));
            H2Response bytes = client.get("/bytes/2000000").get(30, TimeUnit.SECONDS);
            assertThat(bytes.body()).hasSize(2_000_000);
            for (int i = 0; i < 2_000_000; i += 99_991) {
                assertThat(bytes.body()[i]).isEqualTo(DemoBackend.patternByte(i));
            }
        }
    }

    @Test
    void theBackendSeesAnOrdinaryHttp11RequestWithForwardedHeaders() throws Exception {
        try (DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a");
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", a.port()).build()).build().start();
             H2Client client = h2c(sluice)) {
            H2Response r = client.request("GET", "/headers", "shop.test", Map.of("x-test", "1"), null)
                    .get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).contains("\"host\":[\"shop.test\"]").contains("\"x-forwarded-proto\":[\"http\"]")
                    .contains("\"x-forwarded-for\":[\"127.0.0.1\"]").doesNotContain("x-http2");
        }
    }

    /** Each connection's streams name that connection's client, though the address strings are made once for it. */
    @Test
    void theStreamsOfEachConnectionCarryTheirOwnClientAddress() throws Exception {
        try (DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a");
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", a.port()).build()).build().start()) {
            int port = sluice.listenerAddress("web").getPort();
            for (int round = 0; round < 2; round++) {
                for (String from : List.of("127.0.0.2", "127.0.0.3")) {
                    try (H2Client client = H2Client.connect("127.0.0.1", port, null, null, from)) {
                        for (int i = 0; i < 2; i++) {
                            H2Response r = client.request("GET", "/headers", "shop.test", Map.of(), null)
                                    .get(10, TimeUnit.SECONDS);
                            assertThat(r.bodyText()).contains("\"x-forwarded-for\":[\"" + from + "\"]");
                        }
                    }
                }
            }
        }
    }

    @Test
    void aRequestNoRouteTakesIsAnswered404OnItsStreamAndTheConnectionGoesOn() throws Exception {
        try (DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a");
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", a.port())
                     .route(new io.sluice.config.MatchConfig(null, "/app", null, List.of(), Map.of()), "p").build())
                     .build().start();
             H2Client client = h2c(sluice)) {
            assertThat(client.get("/nowhere").get(10, TimeUnit.SECONDS).status()).isEqualTo(404);
            assertThat(client.get("/app/x").get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(client.isOpen()).isTrue();
        }
    }

    @Test
    void http11StillWorksOnTheSamePort() throws Exception {
        try (DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a");
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", a.port()).build()).build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            // "P" alone could begin the preface; the rest of the line decides.
            RawHttp.Response post = c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi").read();
            assertThat(post.status()).isEqualTo(200);
            assertThat(post.body()).isEqualTo("hi");
        }
    }

    @Test
    void withHttp2TurnedOffThePrefaceIsJustABadRequest() throws Exception {
        try (DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a");
             Sluice sluice = Sluice.builder().config(TestConfigs.create().http2(new Http2Config(false, 100))
                     .pool("p", a.port()).build()).build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").read();
            assertThat(r.status()).isBetween(400, 505);
        }
    }

    @Test
    void shutdownSendsGoAwayAndLetsTheOpenStreamFinish() throws Exception {
        try (DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a")) {
            Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", a.port()).build()).build().start();
            try (H2Client client = h2c(sluice)) {
                assertThat(client.get("/health").get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
                CompletableFuture<H2Response> slow = client.get("/delay/700");
                // The request is in flight once the backend holds it (its connection is open and busy).
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                        .until(() -> sluice.upstreamConnections() >= 1 && !slow.isDone());
                Thread stopper = new Thread(() -> sluice.shutdown(Duration.ofSeconds(10)));
                stopper.start();
                assertThat(client.goAwayReceived().get(5, TimeUnit.SECONDS)).isNotNull();
                H2Response r = slow.get(10, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(200);
                stopper.join(15_000);
                assertThat(stopper.isAlive()).isFalse();
            } finally {
                sluice.close();
            }
        }
    }

    @Test
    void maxConcurrentStreamsLimitsWhatOneConnectionHasInFlight() throws Exception {
        try (DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a");
             Sluice sluice = Sluice.builder().config(TestConfigs.create().http2(new Http2Config(true, 4))
                     .pool("p", a.port()).build()).build().start();
             H2Client client = h2c(sluice)) {
            List<CompletableFuture<H2Response>> answers = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                answers.add(client.get("/delay/50?i=" + i));
            }
            for (CompletableFuture<H2Response> f : answers) {
                assertThat(f.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
            }
            // Each request in flight needs its own HTTP/1.1 backend connection; idle ones are reused. With at
            // most 4 streams open at once, no more than 4 were ever needed.
            assertThat(a.acceptedConnections()).isBetween(1L, 4L);
        }
    }

    static H2Client h2c(Sluice sluice) throws Exception {
        InetSocketAddress at = sluice.listenerAddress("web");
        return H2Client.connect("127.0.0.1", at.getPort(), null, null);
    }

    static String sha256(byte[] b) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}

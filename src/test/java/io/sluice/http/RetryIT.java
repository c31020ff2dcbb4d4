package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.Sluice;
import io.sluice.config.CircuitBreakerConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.RetryConfig;
import io.sluice.demo.DemoBackend;
import io.sluice.runtime.FailureKind;
import io.sluice.runtime.Outcome;
import io.sluice.testing.RawHttp;
import io.sluice.testing.ScriptedBackend;
import io.sluice.testing.TestConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retries as a client sees them: which requests go again, where, and how many attempts reach backends. */
class RetryIT {
    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    private final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    private DemoBackend good;

    @BeforeEach
    void startGoodBackend() throws Exception {
        good = DemoBackend.start("127.0.0.1", 0, "good");
    }

    @AfterEach
    void stopGoodBackend() {
        good.close();
    }

    private Sluice start(PoolConfig pool) throws InterruptedException {
        return start(pool, System::nanoTime);
    }

    private Sluice start(PoolConfig pool, java.util.function.LongSupplier clock) throws InterruptedException {
        return Sluice.builder().config(TestConfigs.create().pool(pool).build())
                .outcomeListener(outcomes::add).clock(clock).build().start();
    }

    /** A backend that reads a request head (and {@code bodyBytes} of its body), counts it, and resets. */
    private static ScriptedBackend resetter(int bodyBytes, AtomicInteger heads) throws IOException {
        return new ScriptedBackend((s, i) -> {
            InputStream in = s.getInputStream();
            if (ScriptedBackend.readHead(in) == null) {
                return;
            }
            heads.incrementAndGet();
            in.readNBytes(bodyBytes);
            s.setSoLinger(true, 0);
        });
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aGetThatMeetsAResetIsAnsweredByAnotherBackend() throws Exception {
        AtomicInteger heads = new AtomicInteger();
        try (ScriptedBackend bad = resetter(0, heads);
             Sluice sluice = start(PoolConfig.builder("p").backends(TestConfigs.backends(bad.port(), good.port()))
                     .breaker(CircuitBreakerConfig.OFF).build())) {
            for (int i = 0; i < 10; i++) {
                try (RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
                    RawHttp.Response r = c.send(GET).read();
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.header("X-Served-By")).isEqualTo("good");
                }
            }
            assertThat(heads.get()).as("round robin sent every other first attempt to the resetting backend")
                    .isEqualTo(5);
            assertThat(outcomes).filteredOn(o -> o.failure() == FailureKind.RESET).hasSize(5)
                    .allSatisfy(o -> assertThat(o.attempt()).isZero());
            assertThat(outcomes).filteredOn(o -> o.attempt() == 1).hasSize(5)
                    .allSatisfy(o -> assertThat(o.status()).isEqualTo(200));
        }
    }

    @Test
    void aStreamedOneMebibytePostIsNeverReplayedNorIsAnOversizedPut() throws Exception {
        for (String method : List.of("POST", "PUT")) {
            outcomes.clear();
            AtomicInteger heads = new AtomicInteger();
            try (ScriptedBackend a = resetter(100 * 1024, heads); ScriptedBackend b = resetter(100 * 1024, heads);
                 Sluice sluice = start(PoolConfig.builder("p").backends(TestConfigs.backends(a.port(), b.port()))
                         .build());
                 RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
                c.send(method + " /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
                Thread writer = new Thread(() -> {
                    byte[] chunk = new byte[16 * 1024];
                    try {
                        for (int i = 0; i < 64; i++) {
                            c.send(Integer.toHexString(chunk.length) + "\r\n").send(chunk).send("\r\n");
                        }
                        c.send("0\r\n\r\n");
                    } catch (IOException e) {
                        // the proxy closed the connection after answering: the rest of the body is not wanted
                    }
                });
                writer.start();
                // Sluice answers at once and reads the rest of the body before closing, so the answer arrives
                // instead of a reset.
                RawHttp.Response answer = c.read();
                writer.join(20_000);
                assertThat(answer.status()).as(method).isEqualTo(502);
                // Connection: close when the body was still arriving; on a fast machine Sluice may have read it
                // all (into the backend's socket buffer) before the reset, and then the connection stays open.
                assertThat(heads.get()).as(method + ": backends that saw the request").isEqualTo(1);
                assertThat(outcomes).as(method).singleElement()
                        .satisfies(o -> assertThat(o.failure()).isEqualTo(FailureKind.RESET));
            }
        }
    }

    @Test
    void aSmallPutIsReplayedWholeAfterAReset() throws Exception {
        AtomicInteger heads = new AtomicInteger();
        byte[] body = new byte[10_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        try (ScriptedBackend bad = resetter(body.length, heads);
             Sluice sluice = start(PoolConfig.builder("p").backends(TestConfigs.backends(bad.port(), good.port()))
                     .build());
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            for (int i = 0; i < 4; i++) {
                c.send("PUT /sha256 HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n").send(body);
                RawHttp.Response r = c.read();
                assertThat(r.status()).isEqualTo(200);
                JsonNode json = new ObjectMapper().readTree(r.body());
                assertThat(json.get("bytes").asLong()).isEqualTo(body.length);
                assertThat(json.get("sha256").asText()).isEqualTo(sha);
            }
            assertThat(heads.get()).isEqualTo(2);
        }
    }

    @Test
    void aPostIsRetriedAfterAConnectFailureButNotAfterATimeout() throws Exception {
        try (Sluice sluice = start(PoolConfig.builder("p").backends(TestConfigs.backends(closedPort(), good.port()))
                .build());
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hello");
            assertThat(outcomes).extracting(Outcome::failure)
                    .containsExactly(FailureKind.CONNECT_REFUSED, FailureKind.NONE);
        }
        outcomes.clear();
        AtomicInteger heads = new AtomicInteger();
        try (ScriptedBackend silent = new ScriptedBackend((s, i) -> {
                String head;
                while ((head = ScriptedBackend.readHead(s.getInputStream())) != null) {
                    heads.incrementAndGet();
                    s.getInputStream().readNBytes(head.contains("Content-Length: 2") ? 2 : 0);
                    // never answers; the next read returns when the proxy gives up and closes
                }
            });
             Sluice sluice = start(PoolConfig.builder("p").backends(TestConfigs.backends(silent.port(), good.port()))
                     .timeouts(TestConfigs.timeouts(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(60)))
                     .build());
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response post = c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi").read();
            assertThat(post.status()).isEqualTo(504);
            assertThat(heads.get()).isEqualTo(1);
            // The pool's next first choice is the good backend; the one after is the silent one again.
            assertThat(c.send(GET).read().status()).isEqualTo(200);
            RawHttp.Response get = c.send(GET).read();
            assertThat(get.status()).as("a GET that timed out goes to the other backend").isEqualTo(200);
            assertThat(heads.get()).isEqualTo(2);
            assertThat(outcomes).extracting(Outcome::failure).containsExactly(FailureKind.RESPONSE_TIMEOUT,
                    FailureKind.NONE, FailureKind.RESPONSE_TIMEOUT, FailureKind.NONE);
        }
    }

    @Test
    void theBudgetCapsUpstreamAttemptsWhenEveryBackendFails() throws Exception {
        RetryConfig retry = RetryConfig.DEFAULTS.withMaxRetries(3).withBackoff(Duration.ZERO, Duration.ZERO)
                .withBudget(20, 10);
        int requests = 300;
        try (Sluice sluice = start(PoolConfig.builder("p")
                .backends(TestConfigs.backends(closedPort(), closedPort(), closedPort()))
                .breaker(CircuitBreakerConfig.OFF).retry(retry).build());
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            for (int i = 0; i < requests; i++) {
                assertThat(c.send(GET).read().status()).isEqualTo(502);
            }
            int attempts = outcomes.size();
            System.out.printf("retry budget: %d requests made %d upstream attempts (%d without a budget)%n",
                    requests, attempts, requests * 4);
            // Budget: 20% of the requests in the last 10 s plus 10 -> at most 70 retries.
            assertThat(attempts).isLessThanOrEqualTo(requests + requests / 5 + 10);
            assertThat(attempts).as("the budget is used, not just refused").isGreaterThanOrEqualTo(requests + 60);
            assertThat(sluice.snapshot().pool("p").retriesDenied()).isGreaterThan(0);
        }
    }

    @Test
    void aRetryableStatusGoesElsewhereAndItsRetryAfterKeepsTheBackendIdle() throws Exception {
        AtomicInteger busyHeads = new AtomicInteger();
        AtomicLong now = new AtomicLong(1_000_000_000_000L);
        try (ScriptedBackend busy = new ScriptedBackend((s, i) -> {
                while (ScriptedBackend.readHead(s.getInputStream()) != null) {
                    busyHeads.incrementAndGet();
                    s.getOutputStream().write(("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 30\r\n"
                            + "Content-Length: 5\r\n\r\nbusy\n").getBytes(StandardCharsets.US_ASCII));
                }
            });
             Sluice sluice = start(PoolConfig.builder("p").backends(TestConfigs.backends(busy.port(), good.port()))
                     .build(), now::get);
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            for (int i = 0; i < 20; i++) {
                RawHttp.Response r = c.send(GET).read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("X-Served-By")).isEqualTo("good");
            }
            assertThat(busyHeads.get()).as("held off for 30 s after its first 503").isEqualTo(1);
            assertThat(health(sluice).get("backends").get(0).get("circuit_state").asText()).isEqualTo("Open");
            now.addAndGet(31_000_000_000L);
            for (int i = 0; i < 5; i++) {
                assertThat(c.send(GET).read().status()).isEqualTo(200);
            }
            assertThat(busyHeads.get()).as("one trial after the wait, which says 503 again").isEqualTo(2);
        }
    }

    @Test
    void whenRetriesRunOutTheLastAnswerGoesToTheClient() throws Exception {
        AtomicInteger heads = new AtomicInteger();
        ScriptedBackend.Script unavailable = (s, i) -> {
            while (ScriptedBackend.readHead(s.getInputStream()) != null) {
                heads.incrementAndGet();
                s.getOutputStream().write(("HTTP/1.1 503 Service Unavailable\r\nX-Why: maintenance\r\n"
                        + "Content-Length: 12\r\n\r\nmaintenance\n").getBytes(StandardCharsets.US_ASCII));
            }
        };
        try (ScriptedBackend a = new ScriptedBackend(unavailable); ScriptedBackend b = new ScriptedBackend(unavailable);
             Sluice sluice = start(PoolConfig.builder("p").backends(TestConfigs.backends(a.port(), b.port())).build());
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send(GET).read();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.header("X-Why")).isEqualTo("maintenance");
            assertThat(r.body()).isEqualTo("maintenance\n");
            assertThat(heads.get()).as("the first attempt and two retries").isEqualTo(3);
            assertThat(health(sluice).get("pools").get(0).get("retries").asInt()).isEqualTo(2);
        }
    }

    @Test
    void whenEveryBackendOfAPoolFailsTheFallbackPoolAnswers() throws Exception {
        try (Sluice sluice = Sluice.builder().config(TestConfigs.create()
                .pool(PoolConfig.builder("web").backends(TestConfigs.backends(closedPort(), closedPort()))
                        .fallbackPool("static").build())
                .pool(PoolConfig.builder("static").backends(TestConfigs.backends(good.port())).build())
                .build()).outcomeListener(outcomes::add).build().start()) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + sluice.listenerAddress("web").getPort() + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("X-Served-By")).hasValue("good");
            assertThat(outcomes).extracting(o -> o.endpoint().pool()).containsExactly("web", "web", "static");
        }
    }

    static JsonNode health(Sluice sluice) throws Exception {
        HttpResponse<String> res = HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort() + "/_health")).build(),
                HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(res.body());
    }
}

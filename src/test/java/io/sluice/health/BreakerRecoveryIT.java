package io.sluice.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.Sluice;
import io.sluice.config.CircuitBreakerConfig;
import io.sluice.config.HealthCheckConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.RetryConfig;
import io.sluice.config.StatusSet;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.RawHttp;
import io.sluice.testing.ScriptedBackend;
import io.sluice.testing.TestConfigs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Through the proxy, on a fake clock: a backend whose breaker tripped comes back under the strategies that
 * used to leave it out for ever (they never offered a tripped backend, so its half-open trials never came),
 * and a tripped backend whose health checks pass is closed by the first passing check after open_for even
 * when no request is sent.
 */
class BreakerRecoveryIT {
    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final CircuitBreakerConfig BREAKER =
            new CircuitBreakerConfig(true, 50, 10, 10, Duration.ofSeconds(30), 3, StatusSet.SERVER_ERRORS);

    /** A backend answering 500 to requests while {@link #failing}, and 200 to GET /health always. */
    private static final class Flaky implements AutoCloseable {
        final AtomicBoolean failing = new AtomicBoolean(true);
        final AtomicInteger calls = new AtomicInteger();
        final ScriptedBackend server;

        Flaky() throws IOException {
            server = new ScriptedBackend((s, i) -> {
                String head;
                while ((head = ScriptedBackend.readHead(s.getInputStream())) != null) {
                    boolean check = head.startsWith("GET /health ");
                    if (!check) {
                        calls.incrementAndGet();
                    }
                    String status = failing.get() && !check ? "500 Internal Server Error" : "200 OK";
                    s.getOutputStream().write(("HTTP/1.1 " + status + "\r\nX-Served-By: flaky\r\n"
                            + "Content-Length: 3\r\n\r\nok\n").getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                }
            });
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"least_connections", "dynamic_score", "adaptive", "fastest_response"})
    void aTrippedBackendGetsItsTrialsAfterOpenForAndServesAgain(String strategy) throws Exception {
        AtomicLong now = new AtomicLong(5_000_000_000_000L);
        try (DemoBackend good = DemoBackend.start("127.0.0.1", 0, "good");
             Flaky flaky = new Flaky();
             Sluice sluice = start(strategy, null, now, flaky, good);
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            trip(sluice, c, flaky);

            for (int i = 0; i < 30; i++) {
                assertThat(c.send(GET).read().header("X-Served-By")).isEqualTo("good");
            }
            int callsWhileOpen = flaky.calls.get();

            now.addAndGet(Duration.ofSeconds(30).toNanos());
            flaky.failing.set(false);
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = c.send(GET).read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("X-Served-By")).as("%s: trial %d", strategy, i).isEqualTo("flaky");
            }
            await().atMost(LIMIT).until(() -> "Closed".equals(flakyRow(sluice).get("circuit_state").asText()));
            assertThat(flakyRow(sluice).get("healthy").asBoolean()).isTrue();

            int served = 0;
            for (int i = 0; i < 100; i++) {
                RawHttp.Response r = c.send(GET).read();
                assertThat(r.status()).isEqualTo(200);
                if ("flaky".equals(r.header("X-Served-By"))) {
                    served++;
                }
            }
            assertThat(served).as("%s: back in rotation", strategy).isGreaterThanOrEqualTo(10);
            assertThat(flaky.calls.get()).isEqualTo(callsWhileOpen + 3 + served);
        }
    }

    @Test
    void passingHealthChecksCloseATrippedBreakerOnceItsOpenPeriodIsOver() throws Exception {
        AtomicLong now = new AtomicLong(9_000_000_000_000L);
        HealthCheckConfig check = HealthCheckConfig.DEFAULTS.withPath("/health")
                .withInterval(Duration.ofMillis(20)).withTimeout(Duration.ofMillis(500));
        try (DemoBackend good = DemoBackend.start("127.0.0.1", 0, "good");
             Flaky flaky = new Flaky();
             Sluice sluice = start("least_connections", check, now, flaky, good);
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            trip(sluice, c, flaky);
            long passed = sluice.snapshot().pool("web").backends().get(0).state().activeHealth().passed();
            await().atMost(LIMIT).until(() -> sluice.snapshot().pool("web").backends().get(0).state()
                    .activeHealth().passed() >= passed + 3);
            assertThat(flakyRow(sluice).get("circuit_state").asText())
                    .as("within open_for, passing checks do not overrule the breaker").isEqualTo("Open");

            int calls = flaky.calls.get();
            now.addAndGet(Duration.ofSeconds(30).toNanos());
            await().atMost(LIMIT).until(() -> "Closed".equals(flakyRow(sluice).get("circuit_state").asText()));
            assertThat(flaky.calls.get()).as("closed by a check, not by a request").isEqualTo(calls);
            assertThat(flakyRow(sluice).get("healthy").asBoolean()).isTrue();
        }
    }

    private static Sluice start(String strategy, HealthCheckConfig check, AtomicLong now, Flaky flaky,
                                DemoBackend good) throws InterruptedException {
        PoolConfig pool = PoolConfig.builder("web").strategy(strategy)
                .backends(TestConfigs.backends(flaky.server.port(), good.port()))
                .breaker(BREAKER).retry(RetryConfig.NONE).healthCheck(check).build();
        return Sluice.builder().config(TestConfigs.create().pool(pool).build()).clock(now::get).build().start();
    }

    /** Sends requests until the flaky backend has failed ten, which opens its breaker. */
    private static void trip(Sluice sluice, RawHttp c, Flaky flaky) throws Exception {
        for (int i = 0; i < 2000 && flaky.calls.get() < 10; i++) {
            c.send(GET).read();
        }
        assertThat(flaky.calls.get()).isEqualTo(10);
        await().atMost(LIMIT).until(() -> "Open".equals(flakyRow(sluice).get("circuit_state").asText()));
    }

    private static JsonNode flakyRow(Sluice sluice) throws Exception {
        HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort() + "/_health")).build(),
                HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(res.body()).get("backends").get(0);
    }
}

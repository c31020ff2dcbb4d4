package io.sluice.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.Sluice;
import io.sluice.config.CircuitBreakerConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.StatusSet;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.RawHttp;
import io.sluice.testing.ScriptedBackend;
import io.sluice.testing.TestConfigs;
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

/**
 * A backend failing 60% of its calls, through the proxy: its breaker opens when the window fills, it gets
 * nothing while open, and after the open period its trials (the first requests then) close it again. The
 * proxy runs on a fake clock, so the 30 s open period passes without waiting.
 */
class CircuitBreakerIT {
    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

    @Test
    void opensOnAFailingBackendStarvesItThenHalfOpensAndClosesOnSuccess() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        AtomicBoolean failing = new AtomicBoolean(true);
        AtomicLong now = new AtomicLong(5_000_000_000_000L);
        CircuitBreakerConfig breaker =
                new CircuitBreakerConfig(true, 50, 20, 20, Duration.ofSeconds(30), 5, StatusSet.SERVER_ERRORS);
        try (DemoBackend good = DemoBackend.start("127.0.0.1", 0, "good");
             ScriptedBackend flaky = new ScriptedBackend((s, i) -> {
                 while (ScriptedBackend.readHead(s.getInputStream()) != null) {
                     int n = calls.getAndIncrement();
                     boolean fail = failing.get() && n % 5 < 3; // 3 in 5 fail: 60%
                     String status = fail ? "500 Internal Server Error" : "200 OK";
                     s.getOutputStream().write(("HTTP/1.1 " + status + "\r\nX-Served-By: flaky\r\n"
                             + "Content-Length: 3\r\n\r\nok\n").getBytes(StandardCharsets.US_ASCII));
                 }
             });
             Sluice sluice = Sluice.builder().config(TestConfigs.create()
                     .pool(PoolConfig.builder("web").backends(TestConfigs.backends(flaky.port(), good.port()))
                             .breaker(breaker).build()).build())
                     .clock(now::get).build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            int errors = 0;
            for (int i = 0; i < 40; i++) {
                if (c.send(GET).read().status() == 500) {
                    errors++;
                }
            }
            assertThat(calls.get()).as("round robin gave the flaky backend every other request").isEqualTo(20);
            assertThat(errors).isEqualTo(12);
            JsonNode flakyRow = health(sluice).get("backends").get(0);
            assertThat(flakyRow.get("circuit_state").asText()).as("open once the window of 20 is full").isEqualTo("Open");
            assertThat(flakyRow.get("healthy").asBoolean()).isFalse();
            assertThat(flakyRow.get("down_reasons").toString()).isEqualTo("[\"circuit_breaker\"]");

            for (int i = 0; i < 50; i++) {
                RawHttp.Response r = c.send(GET).read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("X-Served-By")).isEqualTo("good");
            }
            assertThat(calls.get()).as("no traffic while open").isEqualTo(20);

            now.addAndGet(Duration.ofSeconds(29).toNanos());
            assertThat(health(sluice).get("backends").get(0).get("circuit_state").asText()).isEqualTo("Open");
            assertThat(c.send(GET).read().header("X-Served-By")).isEqualTo("good");
            now.addAndGet(Duration.ofSeconds(1).toNanos());
            assertThat(health(sluice).get("backends").get(0).get("circuit_state").asText()).isEqualTo("HalfOpen");

            failing.set(false);
            int flakyAnswers = 0;
            for (int i = 0; i < 30; i++) {
                RawHttp.Response r = c.send(GET).read();
                assertThat(r.status()).isEqualTo(200);
                if (i < 5) {
                    assertThat(r.header("X-Served-By")).as("the first requests are its trials").isEqualTo("flaky");
                }
                if ("flaky".equals(r.header("X-Served-By"))) {
                    flakyAnswers++;
                    String state = health(sluice).get("backends").get(0).get("circuit_state").asText();
                    assertThat(state).as("after %d successful trial(s)", flakyAnswers)
                            .isEqualTo(flakyAnswers < 5 ? "HalfOpen" : "Closed");
                }
            }
            assertThat(flakyAnswers).as("five trials, then its round-robin share of the other 25").isBetween(17, 18);
            JsonNode row = health(sluice).get("backends").get(0);
            assertThat(row.get("healthy").asBoolean()).isTrue();
            assertThat(row.get("breaker_opened").asInt()).isEqualTo(1);
        }
    }

    private static JsonNode health(Sluice sluice) throws Exception {
        HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort() + "/_health")).build(),
                HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(res.body());
    }
}

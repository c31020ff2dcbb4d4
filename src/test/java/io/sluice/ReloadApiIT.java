package io.sluice;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.ConfigFile;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.MetricsScrape;
import io.sluice.testing.RawHttp;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a reload tells and refuses: a bad edit changes nothing and its errors (with line:column) come back from
 * the API and the metrics; the running configuration is shown with its secrets masked; a request sees one
 * configuration whole; a removed backend finishes what it was doing; settings that need a restart are named.
 */
class ReloadApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "reload-token-1";

    /** One pool with one backend; every response says which configuration it came from. */
    private static String config(String name, DemoBackend backend, String extra) {
        return """
                admin: { bind: "127.0.0.1:0", token: "%s" }
                limits: { drain_timeout: 5s }
                listeners:
                  - name: web
                    bind: "127.0.0.1:0"
                    filters: [ { response_headers: { set: { X-Config: "%s" } } } ]
                    routes: [ { pool: app, sticky: { cookie: S, secret: "sticky-secret-value" } } ]
                pools:
                  - name: app
                    backends: [ { address: "127.0.0.1:%d" } ]
                %s""".formatted(TOKEN, name, backend.port(), extra);
    }

    private static Sluice start(Path file, String yaml) throws Exception {
        Files.writeString(file, yaml);
        ConfigFile source = new ConfigFile(file);
        return Sluice.builder().configFile(source, source.load()).build().start();
    }

    private static HttpResponse<String> admin(Sluice s, String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.adminAddress().getPort() + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aBadEditChangesNothingAndItsErrorsComeBackWithTheirLines(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        try (DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a");
             Sluice sluice = start(file, config("one", a, ""))) {
            InetSocketAddress web = sluice.listenerAddress("web");
            String goodHash = sluice.reloads().hash();
            Files.writeString(file, config("two", a, "") + """
                  - name: broken
                    strategy: round_robbin
                    backends: [ { address: "127.0.0.1:99999" } ]
                """);
            HttpResponse<String> refused = admin(sluice, "POST", "/api/reload", TOKEN);
            assertThat(refused.statusCode()).isEqualTo(422);
            JsonNode body = JSON.readTree(refused.body());
            assertThat(body.get("result").asText()).isEqualTo("error");
            List<String> errors = JSON.convertValue(body.get("errors"), List.class);
            assertThat(errors).hasSize(2);
            assertThat(errors.get(0)).contains("(12:").contains("round_robbin");
            assertThat(errors.get(1)).contains("(13:").contains("99999");
            // Nothing changed: the first configuration still answers.
            try (RawHttp c = new RawHttp(web)) {
                assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().header("X-Config")).isEqualTo("one");
            }
            assertThat(sluice.reloads().hash()).isEqualTo(goodHash);
            MetricsScrape m = MetricsScrape.of(sluice.adminAddress());
            assertThat(m.sum("sluice_config_reloads_total", Map.of("result", "error"))).isEqualTo(1.0);
            assertThat(m.sum("sluice_config_reloads_total", Map.of("result", "ok"))).isEqualTo(0.0);
            JsonNode health = JSON.readTree(admin(sluice, "GET", "/_health", null).body());
            assertThat(health.at("/config_reloads/error").asLong()).isEqualTo(1);
            assertThat(health.at("/config_reloads/last_failed_ms").asLong()).isPositive();
            assertThat(health.at("/config_reloads/last_errors/0").asText()).contains("round_robbin");

            // Without the token a reload is refused; with it, a fixed file is applied.
            Files.writeString(file, config("two", a, ""));
            assertThat(admin(sluice, "POST", "/api/reload", null).statusCode()).isEqualTo(401);
            HttpResponse<String> applied = admin(sluice, "POST", "/api/reload", TOKEN);
            assertThat(applied.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(applied.body()).get("result").asText()).isEqualTo("ok");
            try (RawHttp c = new RawHttp(web)) {
                assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().header("X-Config")).isEqualTo("two");
            }
            HttpResponse<String> again = admin(sluice, "POST", "/api/reload", TOKEN);
            assertThat(JSON.readTree(again.body()).get("result").asText()).isEqualTo("unchanged");

            // The running configuration, secrets masked, with the hash of its text.
            JsonNode shown = JSON.readTree(admin(sluice, "GET", "/api/config", null).body());
            assertThat(shown.get("hash").asText()).isEqualTo(sluice.reloads().hash()).isNotEqualTo(goodHash);
            assertThat(shown.at("/config/admin/token").asText()).isEqualTo("***");
            assertThat(shown.at("/config/listeners/0/routes/0/sticky/secret").asText()).isEqualTo("***");
            assertThat(shown.toString()).doesNotContain(TOKEN).doesNotContain("sticky-secret-value");
            assertThat(shown.at("/config/listeners/0/name").asText()).isEqualTo("web");
            MetricsScrape after = MetricsScrape.of(sluice.adminAddress());
            assertThat(after.sum("sluice_config_reloads_total", Map.of("result", "ok"))).isEqualTo(1.0);
            assertThat(after.sum("sluice_config_reloads_total", Map.of("result", "unchanged"))).isEqualTo(1.0);

            // A rotated admin token applies without a restart: the old one is refused from then on.
            Files.writeString(file, config("two", a, "").replace(TOKEN, "rotated-token-2"));
            HttpResponse<String> rotated = admin(sluice, "POST", "/api/reload", TOKEN);
            assertThat(JSON.readTree(rotated.body()).get("restart_needed")).isEmpty();
            assertThat(admin(sluice, "POST", "/api/reload", TOKEN).statusCode()).isEqualTo(401);
            assertThat(admin(sluice, "POST", "/api/reload", "rotated-token-2").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void everyResponseComesFromOneWholeConfiguration(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        try (DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a");
             DemoBackend b = DemoBackend.start("127.0.0.1", 0, "b");
             Sluice sluice = start(file, config("a", a, ""))) {
            // Configuration "a" sends to backend a and says X-Config: a; "b" to backend b with X-Config: b.
            var configA = io.sluice.config.ConfigLoader.parse(config("a", a, ""), "a", k -> null);
            var configB = io.sluice.config.ConfigLoader.parse(config("b", b, ""), "b", k -> null);
            InetSocketAddress web = sluice.listenerAddress("web");
            List<String> mixed = new CopyOnWriteArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong();
            try {
                List<Future<Integer>> clients = new java.util.ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    clients.add(pool.submit(() -> {
                        int n = 0;
                        try (RawHttp c = new RawHttp(web)) {
                            while (!stop.get() && n < 200_000) {
                                RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
                                n++;
                                answered.incrementAndGet();
                                if (r.status() != 200 || !r.header("X-Served-By").equals(r.header("X-Config"))) {
                                    mixed.add(r.status() + " served by " + r.header("X-Served-By") + " with config "
                                            + r.header("X-Config"));
                                }
                            }
                        }
                        return n;
                    }));
                }
                // Concurrent reloads are serialised: two threads swap configurations against each other.
                List<CompletableFuture<Void>> reloaders = List.of(
                        CompletableFuture.runAsync(() -> swap(sluice, configA, configB, 50, answered), pool),
                        CompletableFuture.runAsync(() -> swap(sluice, configB, configA, 50, answered), pool));
                CompletableFuture.allOf(reloaders.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
                stop.set(true);
                int requests = 0;
                for (Future<Integer> f : clients) {
                    requests += f.get(30, TimeUnit.SECONDS);
                }
                assertThat(mixed).isEmpty();
                assertThat(requests).as("each reload waited for 5 answers").isGreaterThanOrEqualTo(250);
            } finally {
                stop.set(true);
                pool.shutdownNow();
            }
        }
    }

    private static void swap(Sluice sluice, io.sluice.config.Config one, io.sluice.config.Config other, int times,
                             java.util.concurrent.atomic.AtomicLong answered) {
        for (int i = 0; i < times; i++) {
            long before = answered.get();
            // requests cross every configuration
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                    .until(() -> answered.get() >= before + 5);
            ReloadResult r = sluice.reload(i % 2 == 0 ? one : other);
            assertThat(r.outcome()).isNotEqualTo(ReloadResult.Outcome.FAILED);
        }
    }

    @Test
    void aRemovedBackendFinishesItsRequestsAndRestartOnlySettingsAreNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        try (DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a");
             DemoBackend b = DemoBackend.start("127.0.0.1", 0, "b");
             Sluice sluice = start(file, config("a", a, ""))) {
            InetSocketAddress web = sluice.listenerAddress("web");
            try (RawHttp slow = new RawHttp(web)) {
                slow.send("GET /delay/1500 HTTP/1.1\r\nHost: a\r\n\r\n");
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                        .until(() -> sluice.snapshot().pool("app").backends().get(0).state().inFlight() == 1);
                Files.writeString(file, config("b", b, "workers: 3\n"));
                ReloadResult r = sluice.reload();
                assertThat(r.outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
                assertThat(r.changes()).anyMatch(c -> c.contains("backend 127.0.0.1:" + a.port() + " removed"))
                        .anyMatch(c -> c.contains("backend 127.0.0.1:" + b.port() + " added"));
                assertThat(r.restartNeeded()).singleElement().satisfies(x -> assertThat(x).startsWith("workers"));
                Files.writeString(file, config("b", b, "workers: 3\n").replace("127.0.0.1:0\", token",
                        "127.0.0.1:" + io.sluice.testing.SluiceProcess.freePort() + "\", token"));
                assertThat(sluice.reload().restartNeeded()).anyMatch(x -> x.startsWith("admin.bind"));
                // New requests go to b at once; the one in flight on a ends normally.
                try (RawHttp c = new RawHttp(web)) {
                    assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().header("X-Served-By")).isEqualTo("b");
                }
                RawHttp.Response done = slow.read();
                assertThat(done.status()).isEqualTo(200);
                assertThat(done.header("X-Served-By")).isEqualTo("a");
            }
            assertThat(sluice.eventLoopThreads()).as("workers need a restart").isNotEqualTo(3);
        }
    }
}

package io.sluice.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.Sluice;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Swapping a pool's strategy at run time, through the admin API and the Java API, while traffic flows. */
class StrategySwapIT {
    private static final String TOKEN = "s3cret";
    private static final int CLIENTS = 8;
    private static final int REQUESTS_PER_CLIENT = 400;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final List<DemoBackend> backends = new ArrayList<>();

    @BeforeAll
    static void startBackends() throws Exception {
        for (int i = 0; i < 3; i++) {
            backends.add(DemoBackend.start("127.0.0.1", 0, "b" + i));
        }
    }

    @AfterAll
    static void stopBackends() {
        backends.forEach(DemoBackend::close);
    }

    private static Sluice start() throws Exception {
        return Sluice.builder().config(TestConfigs.create().adminToken(TOKEN)
                .pool("web", backends.stream().mapToInt(DemoBackend::port).toArray()).build()).build().start();
    }

    private static HttpResponse<String> putStrategy(HttpClient client, Sluice sluice, String pool, String body,
                                                    String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort()
                + "/api/pools/" + pool + "/strategy")).PUT(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode pools(HttpClient client, Sluice sluice) throws Exception {
        HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + sluice.adminAddress().getPort() + "/api/pools")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        return JSON.readTree(res.body()).get("pools").get(0);
    }

    @Test
    void swappingUnderConcurrentLoadFailsNoRequest() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<String> names = List.copyOf(Strategies.names());
        try (Sluice sluice = start()) {
            String base = "http://127.0.0.1:" + sluice.listenerAddress("web").getPort() + "/?user=u";
            AtomicInteger done = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> load = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client0 = c;
                load.add(pool.submit(() -> {
                    for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                        try {
                            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + client0 + "_" + i))
                                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() != 200) {
                                failed.incrementAndGet();
                            }
                        } catch (Exception e) {
                            failed.incrementAndGet();
                        }
                        done.incrementAndGet();
                    }
                    return null;
                }));
            }
            // Swap through every strategy, over and over, until the load is through: at least two rounds.
            int total = CLIENTS * REQUESTS_PER_CLIENT;
            int swaps = 0;
            while (done.get() < total || swaps < 2 * names.size()) {
                String next = names.get(swaps % names.size());
                HttpResponse<String> r = putStrategy(client, sluice, "web", "{\"strategy\": \"" + next + "\"}", TOKEN);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(JSON.readTree(r.body()).get("strategy").asText()).isEqualTo(next);
                swaps++;
            }
            for (Future<?> f : load) {
                f.get(2, TimeUnit.MINUTES);
            }
            pool.shutdown();
            assertThat(failed.get()).as("failed requests during %d swaps", swaps).isZero();
            assertThat(swaps).isGreaterThanOrEqualTo(2 * names.size());

            // Live stats survived every swap: each backend's count adds up to all requests sent.
            JsonNode web = pools(client, sluice);
            long counted = 0;
            for (JsonNode b : web.get("backends")) {
                counted += b.get("requests").asLong();
            }
            assertThat(counted).isEqualTo(total);
        }
    }

    @Test
    void badSwapsChangeNothing() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        try (Sluice sluice = start()) {
            HttpResponse<String> unknown = putStrategy(client, sluice, "web", "{\"strategy\": \"fastest\"}", TOKEN);
            assertThat(unknown.statusCode()).isEqualTo(400);
            assertThat(unknown.body()).contains("unknown strategy").contains("fastest_response");
            assertThat(putStrategy(client, sluice, "web", "not json", TOKEN).statusCode()).isEqualTo(400);
            assertThat(putStrategy(client, sluice, "nope", "{\"strategy\": \"random\"}", TOKEN).statusCode()).isEqualTo(404);
            HttpResponse<String> noToken = putStrategy(client, sluice, "web", "{\"strategy\": \"random\"}", null);
            assertThat(noToken.statusCode()).isEqualTo(401);
            assertThat(putStrategy(client, sluice, "web", "{\"strategy\": \"random\"}", "wrong").statusCode()).isEqualTo(401);
            assertThat(pools(client, sluice).get("strategy").asText()).isEqualTo("round_robin");

            assertThatThrownBy(() -> sluice.setStrategy("web", "nope")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> sluice.setStrategy("nope", "random")).isInstanceOf(IllegalArgumentException.class);
            assertThat(sluice.snapshot().pool("web").strategy()).isEqualTo("round_robin");
            sluice.setStrategy("web", "least_connections");
            assertThat(pools(client, sluice).get("strategy").asText()).isEqualTo("least_connections");
        }
    }

    @Test
    void otherToolsNamesSwapToTheCanonicalStrategy() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        try (Sluice sluice = start()) {
            HttpResponse<String> r = putStrategy(client, sluice, "web", "{\"strategy\": \"Weighted\"}", TOKEN);

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(r.body()).get("strategy").asText()).isEqualTo("weighted_round_robin");
            assertThat(pools(client, sluice).get("strategy").asText()).isEqualTo("weighted_round_robin");
            sluice.setStrategy("web", "LeastConnections");
            assertThat(sluice.snapshot().pool("web").strategy()).isEqualTo("least_connections");
        }
    }
}

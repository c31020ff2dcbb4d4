package io.sluice.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.Sluice;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Over real sockets: one backend answers in 50 ms, two in about 1 ms. Latency-aware strategies must keep
 * the slow one under 10% of 2,000 requests; round robin gives it a third.
 */
class LatencyAwareIT {
    private static final int REQUESTS = 2000;
    private static final int CONCURRENCY = 16;

    private static DemoBackend slow;
    private static DemoBackend fast1;
    private static DemoBackend fast2;

    @BeforeAll
    static void startBackends() throws Exception {
        slow = DemoBackend.start("127.0.0.1", 0, "slow").delay(Duration.ofMillis(50));
        fast1 = DemoBackend.start("127.0.0.1", 0, "fast1").delay(Duration.ofMillis(1));
        fast2 = DemoBackend.start("127.0.0.1", 0, "fast2").delay(Duration.ofMillis(1));
    }

    @AfterAll
    static void stopBackends() {
        slow.close();
        fast1.close();
        fast2.close();
    }

    /** Sends the requests, CONCURRENCY at a time, and counts answers per backend; every one must be 200. */
    private static Map<String, Integer> run(String strategy) throws Exception {
        Map<String, Integer> served = new ConcurrentHashMap<>();
        try (Sluice sluice = Sluice.builder().config(TestConfigs.create().strategy(strategy)
                .pool("web", slow.port(), fast1.port(), fast2.port()).build()).build().start()) {
            URI uri = URI.create("http://127.0.0.1:" + sluice.listenerAddress("web").getPort() + "/");
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Semaphore window = new Semaphore(CONCURRENCY);
            AtomicInteger failures = new AtomicInteger();
            CompletableFuture<?>[] all = new CompletableFuture<?>[REQUESTS];
            for (int i = 0; i < REQUESTS; i++) {
                window.acquire();
                all[i] = client.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                                HttpResponse.BodyHandlers.discarding())
                        .whenComplete((res, err) -> {
                            window.release();
                            if (err != null || res.statusCode() != 200) {
                                failures.incrementAndGet();
                            } else {
                                served.merge(res.headers().firstValue("x-served-by").orElse("?"), 1, Integer::sum);
                            }
                        });
            }
            CompletableFuture.allOf(all).exceptionally(e -> null).get(2, TimeUnit.MINUTES);
            assertThat(failures.get()).as("failed requests").isZero();
        }
        System.out.printf("%s: requests per backend %s%n", strategy, new java.util.TreeMap<>(served));
        return served;
    }

    @ParameterizedTest
    @ValueSource(strings = {"least_ewma", "dynamic_score", "fastest_response", "adaptive"})
    void latencyAwareStrategiesAvoidTheSlowBackend(String strategy) throws Exception {
        Map<String, Integer> served = run(strategy);
        assertThat(served.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(REQUESTS);
        assertThat(served.getOrDefault("slow", 0)).as("requests to the slow backend, of %d: %s", REQUESTS, served)
                .isLessThan(REQUESTS / 10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"round_robin"})
    void roundRobinSendsAThirdToEach(String strategy) throws Exception {
        Map<String, Integer> served = run(strategy);
        assertThat(served.getOrDefault("slow", 0)).as("requests to the slow backend: %s", served)
                .isBetween(REQUESTS / 3 - 10, REQUESTS / 3 + 10);
    }
}

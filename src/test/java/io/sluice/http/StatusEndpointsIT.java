package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.Sluice;
import io.sluice.config.AdminConfig;
import io.sluice.config.BackendConfig;
import io.sluice.config.Config;
import io.sluice.config.HeadersConfig;
import io.sluice.config.HealthCheckConfig;
import io.sluice.config.HostPort;
import io.sluice.config.LimitsConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.config.MatchConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.RouteConfig;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.H2Client;
import io.sluice.testing.H2Response;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code status_endpoints} on a proxy listener: {@code /lb-health}, {@code /lb-stats}, {@code /_health} and
 * {@code /_metrics} answered by the listener itself for the backends of its pools (ok, degraded, down with
 * 503), over HTTP/1.1 and HTTP/2; and with the setting off, the same paths go to a backend.
 */
class StatusEndpointsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<DemoBackend> backends = new ArrayList<>();

    @AfterEach
    void stopBackends() {
        backends.forEach(DemoBackend::close);
    }

    private int live(String name) throws InterruptedException {
        DemoBackend b = DemoBackend.start("127.0.0.1", 0, name);
        backends.add(b);
        return b.port();
    }

    /** A port nothing listens on: connections to it are refused. */
    private static int dead() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** One listener "web" sending everything to pool "web" (checked every 100 ms, down after one failure). */
    private static Config config(boolean status, String strategy, int... ports) {
        List<BackendConfig> list = new ArrayList<>();
        for (int i = 0; i < ports.length; i++) {
            list.add(new BackendConfig(new HostPort("127.0.0.1", ports[i]), i + 1));
        }
        PoolConfig pool = PoolConfig.builder("web").strategy(strategy).backends(list)
                .healthCheck(HealthCheckConfig.every(Duration.ofMillis(100)).withPath("/health").withThresholds(1, 1))
                .build();
        ListenerConfig l = new ListenerConfig("web", new HostPort("127.0.0.1", 0), ListenerConfig.HTTP,
                List.of(new RouteConfig(MatchConfig.ANY, "web")));
        l = l.withPolicy(l.policy().withStatusEndpoints(status));
        return new Config(List.of(l), List.of(pool), new AdminConfig(true, new HostPort("127.0.0.1", 0), null),
                LimitsConfig.DEFAULTS, HeadersConfig.DEFAULTS, 2);
    }

    private HttpResponse<String> get(Sluice sluice, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + sluice.listenerAddress("web").getPort() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(Sluice sluice, String path) throws Exception {
        return JSON.readTree(get(sluice, path).body());
    }

    @Test
    void allBackendsUpIsOkWithEveryField() throws Exception {
        int a = live("a");
        int b = live("b");
        int c = live("c");
        try (Sluice sluice = Sluice.builder().config(config(true, "Weighted", a, b, c)).build().start()) {
            for (int i = 0; i < 6; i++) {
                assertThat(get(sluice, "/").statusCode()).isEqualTo(200); // some traffic for the figures
            }
            HttpResponse<String> res = get(sluice, "/lb-health");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
            assertThat(res.headers().firstValue("x-served-by")).as("answered by the proxy").isEmpty();
            JsonNode doc = JSON.readTree(res.body());
            assertThat(doc.get("status").asText()).isEqualTo("ok");
            assertThat(doc.get("healthy_backends").asInt()).isEqualTo(3);
            assertThat(doc.get("total_backends").asInt()).isEqualTo(3);
            JsonNode first = doc.get("backends").get(0);
            assertThat(first.get("address").asText()).isEqualTo("127.0.0.1:" + a);
            assertThat(first.get("url").asText()).isEqualTo("http://127.0.0.1:" + a);
            assertThat(first.get("healthy").asBoolean()).isTrue();
            assertThat(first.get("connections").asInt()).isZero();
            assertThat(first.get("response_time_ms").isIntegralNumber()).isTrue();

            await().atMost(Duration.ofSeconds(10)).until(() -> !json(sluice, "/lb-stats")
                    .get("backends").get(2).get("last_health_check").isNull());
            JsonNode stats = json(sluice, "/lb-stats");
            assertThat(stats.get("algorithm").asText()).isEqualTo("WeightedRoundRobin");
            assertThat(stats.get("pools").get(0).get("name").asText()).isEqualTo("web");
            JsonNode third = stats.get("backends").get(2);
            assertThat(third.get("address").asText()).isEqualTo("127.0.0.1:" + c);
            assertThat(third.get("url").asText()).isEqualTo("http://127.0.0.1:" + c);
            assertThat(third.get("healthy").asBoolean()).isTrue();
            assertThat(third.get("connections").asInt()).isZero();
            assertThat(third.get("weight").asInt()).isEqualTo(3);
            assertThat(third.get("response_time_ms").isIntegralNumber()).isTrue();
            assertThat(third.get("last_health_check").asLong()).as("seconds since the last probe")
                    .isBetween(0L, 2L);

            JsonNode health = json(sluice, "/_health");
            assertThat(get(sluice, "/_health").statusCode()).isEqualTo(200);
            assertThat(health.get("healthy").asBoolean()).isTrue();
            assertThat(health.get("healthy_count").asInt()).isEqualTo(3);
            assertThat(health.get("l4_listeners")).isEmpty();
            assertThat(health.get("pools").get(0).get("name").asText()).isEqualTo("web");
            assertThat(health.get("backends").get(1).get("url").asText()).isEqualTo("http://127.0.0.1:" + b);
            assertThat(health.get("backends").get(1).get("address").asText()).isEqualTo("127.0.0.1:" + b);

            JsonNode metrics = json(sluice, "/_metrics?x=1");
            assertThat(metrics.get("total_requests").asLong()).as("status requests are not proxied").isEqualTo(6);
            assertThat(metrics.get("backends")).hasSize(3);
            assertThat(metrics.get("backends").get(0).get("url").asText()).isEqualTo("http://127.0.0.1:" + a);
        }
    }

    @Test
    void someBackendsDownIsDegradedAndNoneUpIsDownWith503() throws Exception {
        int a = live("a");
        int b = live("b");
        int gone = dead();
        try (Sluice sluice = Sluice.builder().config(config(true, "round_robin", a, b, gone)).build().start()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> json(sluice, "/lb-health").get("status").asText()
                    .equals("degraded"));
            HttpResponse<String> res = get(sluice, "/lb-health");
            assertThat(res.statusCode()).isEqualTo(200);
            JsonNode doc = JSON.readTree(res.body());
            assertThat(doc.get("healthy_backends").asInt()).isEqualTo(2);
            assertThat(doc.get("total_backends").asInt()).isEqualTo(3);
            assertThat(doc.get("backends").get(2).get("healthy").asBoolean()).isFalse();
            assertThat(json(sluice, "/lb-stats").get("algorithm").asText()).isEqualTo("RoundRobin");

            backends.forEach(DemoBackend::close);
            await().atMost(Duration.ofSeconds(10)).until(() -> get(sluice, "/lb-health").statusCode() == 503);
            JsonNode down = json(sluice, "/lb-health");
            assertThat(down.get("status").asText()).isEqualTo("down");
            assertThat(down.get("healthy_backends").asInt()).isZero();
            assertThat(get(sluice, "/_health").statusCode()).isEqualTo(503);
            assertThat(get(sluice, "/lb-stats").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withTheSettingOffThePathsGoToTheBackend() throws Exception {
        int a = live("a");
        try (Sluice sluice = Sluice.builder().config(config(false, "round_robin", a)).build().start()) {
            for (String path : List.of("/lb-health", "/lb-stats", "/_health", "/_metrics")) {
                HttpResponse<String> res = get(sluice, path);

                assertThat(res.statusCode()).isEqualTo(200);
                assertThat(res.headers().firstValue("x-served-by")).as(path).hasValue("a");
                assertThat(JSON.readTree(res.body()).get("path").asText()).isEqualTo(path);
            }
        }
    }

    @Test
    void otherMethodsAndLongerPathsGoToTheBackend() throws Exception {
        int a = live("a");
        try (Sluice sluice = Sluice.builder().config(config(true, "round_robin", a)).build().start()) {
            HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + sluice.listenerAddress("web").getPort() + "/lb-health"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.headers().firstValue("x-served-by")).hasValue("a");
            assertThat(get(sluice, "/lb-health/more").headers().firstValue("x-served-by")).hasValue("a");
            assertThat(get(sluice, "/lb-healthz").headers().firstValue("x-served-by")).hasValue("a");
            HttpResponse<Void> head = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + sluice.listenerAddress("web").getPort() + "/lb-stats"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("x-served-by")).isEmpty();
            assertThat(get(sluice, "/lb-health").statusCode()).as("the connection is still good").isEqualTo(200);
        }
    }

    @Test
    void http2StreamsGetTheSameAnswers() throws Exception {
        int a = live("a");
        try (Sluice sluice = Sluice.builder().config(config(true, "least_connections", a)).build().start();
             H2Client h2 = H2Client.connect("127.0.0.1", sluice.listenerAddress("web").getPort(), null, null)) {
            H2Response health = h2.get("/lb-health").get(10, TimeUnit.SECONDS);
            assertThat(health.status()).isEqualTo(200);
            assertThat(JSON.readTree(health.bodyText()).get("status").asText()).isEqualTo("ok");
            H2Response stats = h2.get("/lb-stats").get(10, TimeUnit.SECONDS);
            assertThat(JSON.readTree(stats.bodyText()).get("algorithm").asText()).isEqualTo("LeastConnections");
            H2Response proxied = h2.get("/other").get(10, TimeUnit.SECONDS);
            assertThat(proxied.header("x-served-by")).isEqualTo("a");
        }
    }
}

package io.sluice.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.Sluice;
import io.sluice.config.PoolConfig;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.PrometheusText;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin's metrics, checked against the requests the test sent. */
class MetricsIT {
    private final HttpClient http = HttpClient.newHttpClient();
    private DemoBackend a;
    private DemoBackend b;
    private Sluice sluice;

    @BeforeEach
    void start() throws Exception {
        a = DemoBackend.start("127.0.0.1", 0, "a");
        b = DemoBackend.start("127.0.0.1", 0, "b");
        sluice = Sluice.builder().config(TestConfigs.create().pool(PoolConfig.builder("web")
                .backends(TestConfigs.backends(a.port(), b.port())).build()).build()).build().start();
        try (RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            for (int i = 0; i < 20; i++) {
                assertThat(c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
            }
            for (int i = 0; i < 5; i++) {
                assertThat(c.send("GET /status/404 HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(404);
            }
            for (int i = 0; i < 3; i++) {
                assertThat(c.send("GET /status/500 HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(500);
            }
        }
    }

    @AfterEach
    void stop() {
        sluice.close();
        a.close();
        b.close();
    }

    private HttpResponse<String> admin(String path, String accept) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort() + path));
        if (accept != null) {
            r.header("Accept", accept);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void prometheusCountersAndHistogramsMatchTheRequestsSent() throws Exception {
        boolean ci = System.getenv("CI") != null;
        assumeThat(ci || PrometheusText.available())
                .as("needs /usr/bin/python3 with python3-prometheus-client (apt-get install python3-prometheus-client)")
                .isTrue();
        HttpResponse<String> res = admin("/metrics", null);
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
        PrometheusText m = PrometheusText.parse(res.body());

        Map<String, String> web = Map.of("listener", "web");
        assertThat(m.type("sluice_listener_requests")).isEqualTo("counter");
        assertThat(m.sum("sluice_listener_requests_total", Map.of("listener", "web", "code_class", "2xx"))).isEqualTo(20);
        assertThat(m.sum("sluice_listener_requests_total", Map.of("listener", "web", "code_class", "4xx"))).isEqualTo(5);
        assertThat(m.sum("sluice_listener_requests_total", Map.of("listener", "web", "code_class", "5xx"))).isEqualTo(3);
        assertThat(m.sum("sluice_route_requests_total", Map.of("route", "0", "code_class", "2xx"))).isEqualTo(20);
        assertThat(m.sum("sluice_pool_requests_total", Map.of("pool", "web"))).isEqualTo(28);

        assertThat(m.type("sluice_listener_request_duration_seconds")).isEqualTo("histogram");
        assertThat(m.sum("sluice_listener_request_duration_seconds_count", web)).isEqualTo(28);
        double[] buckets = m.buckets("sluice_listener_request_duration_seconds", web);
        assertThat(buckets).hasSize(LatencyHistogram.BOUNDS.length + 1);
        for (int i = 1; i < buckets.length; i++) {
            assertThat(buckets[i]).as("cumulative buckets").isGreaterThanOrEqualTo(buckets[i - 1]);
        }
        assertThat(buckets[buckets.length - 1]).as("+Inf holds every request").isEqualTo(28);
        assertThat(m.sum("sluice_listener_request_duration_seconds_sum", web)).isPositive();

        assertThat(m.sum("sluice_backend_requests_total", Map.of("pool", "web", "code_class", "2xx"))).isEqualTo(20);
        assertThat(m.sum("sluice_backend_requests_total", Map.of("pool", "web", "code_class", "5xx"))).isEqualTo(3);
        assertThat(m.sum("sluice_backend_requests_total", Map.of("backend", "127.0.0.1:" + a.port()))).isEqualTo(14);
        assertThat(m.sum("sluice_backend_request_duration_seconds_count", Map.of("pool", "web"))).isEqualTo(28);
        assertThat(m.sum("sluice_backend_up", Map.of("pool", "web"))).isEqualTo(2);
        assertThat(m.sum("sluice_backend_circuit_state", Map.of("state", "Closed"))).isEqualTo(2);
        assertThat(m.sum("sluice_backend_connect_duration_seconds_count", Map.of("pool", "web"))).isGreaterThanOrEqualTo(2);
        assertThat(m.sum("sluice_listener_sent_bytes_total", web)).isPositive();
        assertThat(m.sum("sluice_pool_retries_total", Map.of("pool", "web"))).isZero();
        assertThat(m.sum("sluice_upstream_open_connections", Map.of())).isGreaterThanOrEqualTo(2);
        assertThat(m.sum("sluice_netty_pooled_memory_used_bytes", Map.of("kind", "direct"))).isPositive();
        assertThat(m.type("jvm_memory_used_bytes")).isEqualTo("gauge");
    }

    @Test
    void openMetricsWhenTheScraperAsksForIt() throws Exception {
        HttpResponse<String> res = admin("/metrics", "application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(res.headers().firstValue("content-type").orElse("")).startsWith("application/openmetrics-text");
        assertThat(res.body()).contains("# TYPE sluice_listener_requests counter").endsWith("# EOF\n");
    }

    @Test
    void jsonMetricsAndHealthMatchTheRequestsAndBackends() throws Exception {
        JsonNode m = new ObjectMapper().readTree(admin("/_metrics", null).body());
        assertThat(m.get("total_requests").asLong()).isEqualTo(28);
        assertThat(m.get("total_failures").asLong()).isEqualTo(3);
        assertThat(m.get("success_rate").asDouble()).isEqualTo(0.893);
        long sum = 0;
        for (JsonNode backend : m.get("backends")) {
            sum += backend.get("total_requests").asLong();
            assertThat(backend.get("url").asText()).startsWith("http://127.0.0.1:");
            assertThat(backend.get("active_connections").asInt()).isZero();
            double p50 = backend.get("p50_ms").asDouble();
            double p90 = backend.get("p90_ms").asDouble();
            double p99 = backend.get("p99_ms").asDouble();
            assertThat(p50).isPositive().isLessThanOrEqualTo(p90);
            assertThat(p90).isLessThanOrEqualTo(p99);
        }
        assertThat(sum).isEqualTo(28);
        assertThat(m.get("backends").get(0).get("failed_requests").asLong()
                + m.get("backends").get(1).get("failed_requests").asLong()).isEqualTo(3);

        HttpResponse<String> health = admin("/_health", null);
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode h = new ObjectMapper().readTree(health.body());
        assertThat(h.get("healthy_count").asInt()).isEqualTo(2);
        assertThat(h.get("backends").get(0).get("circuit_state").asText()).isEqualTo("Closed");
        assertThat(admin("/_ready", null).statusCode()).isEqualTo(200);
        assertThat(admin("/_live", null).statusCode()).isEqualTo(200);

        for (DemoBackend d : new DemoBackend[] {a, b}) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + sluice.adminAddress().getPort() + "/api/pools/web/backends/127.0.0.1:" + d.port() + "/drain"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        }
        HttpResponse<String> down = admin("/_health", null);
        assertThat(down.statusCode()).as("no backend of pool web is up").isEqualTo(503);
        JsonNode d = new ObjectMapper().readTree(down.body());
        assertThat(d.get("healthy_count").asInt()).isZero();
        assertThat(d.get("backends").get(0).get("down_reasons").toString()).isEqualTo("[\"drained\"]");
        assertThat(admin("/_ready", null).statusCode()).isEqualTo(503);
        assertThat(admin("/_live", null).statusCode()).isEqualTo(200);
    }

    @Test
    void historyHasOneSecondSamplesOfPoolsAndBackends() throws Exception {
        long now = System.currentTimeMillis();
        sluice.history().sample(now);
        try (RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            for (int i = 0; i < 10; i++) {
                assertThat(c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
            }
        }
        sluice.history().sample(now + 1000);
        JsonNode h = new ObjectMapper().readTree(admin("/_metrics/history?window=1m", null).body());
        assertThat(h.get("resolution_seconds").asInt()).isEqualTo(1);
        JsonNode pool = null;
        for (JsonNode s : h.get("series")) {
            if (s.get("kind").asText().equals("pool")) {
                pool = s;
            }
        }
        assertThat(pool).isNotNull();
        int last = pool.get("t").size() - 1;
        assertThat(pool.get("t").get(last).asLong()).isEqualTo(now + 1000);
        assertThat(pool.get("rps").get(last).asDouble()).isEqualTo(10.0);
        assertThat(pool.get("error_rate").get(last).asDouble()).isZero();
        assertThat(pool.get("p99_ms").get(last).asDouble()).isPositive();
        assertThat(h.get("series")).hasSize(3);
        assertThat(admin("/_metrics/history?window=2d", null).statusCode()).isEqualTo(400);
        assertThat(new ObjectMapper().readTree(admin("/_metrics/history?window=1h", null).body())
                .get("resolution_seconds").asInt()).isEqualTo(60);
    }
}

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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Filter state across reloads: a rate limit's buckets, its counters and split weights set through the admin API
 * outlive a reload that leaves them as they were, and start again when their own settings change.
 */
class ReloadStateIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String config(String tag, String rate, DemoBackend a, DemoBackend b) {
        return """
                admin: { bind: "127.0.0.1:0" }
                listeners:
                  - name: web
                    bind: "127.0.0.1:0"
                    filters: [ { response_headers: { set: { X-Config: "%s" } } } ]
                    routes:
                      - match: { path_prefix: /limited }
                        pool: a
                        filters: [ { rate_limit: { key: client_ip, requests_per_second: %s, burst: 2 } } ]
                      - split: [ { pool: a, weight: 50 }, { pool: b, weight: 50 } ]
                pools:
                  - { name: a, backends: [ { address: "127.0.0.1:%d" } ] }
                  - { name: b, backends: [ { address: "127.0.0.1:%d" } ] }
                """.formatted(tag, rate, a.port(), b.port());
    }

    private static int get(InetSocketAddress web, String path) throws Exception {
        try (RawHttp c = new RawHttp(web)) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").read().status();
        }
    }

    private static HttpResponse<String> admin(Sluice s, String method, String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + s.adminAddress().getPort() + path)).method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void bucketsCountersAndSplitWeightsOutliveAReloadThatLeavesThemAlone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        try (DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a");
             DemoBackend b = DemoBackend.start("127.0.0.1", 0, "b")) {
            Files.writeString(file, config("one", "0.01", a, b));
            ConfigFile source = new ConfigFile(file);
            try (Sluice sluice = Sluice.builder().configFile(source, source.load()).build().start()) {
                InetSocketAddress web = sluice.listenerAddress("web");
                // one token per 100 s: the burst of 2 passes, the third is limited
                assertThat(get(web, "/limited")).isEqualTo(200);
                assertThat(get(web, "/limited")).isEqualTo(200);
                assertThat(get(web, "/limited")).isEqualTo(429);
                String split = "/api/listeners/web/routes/1/split";
                assertThat(admin(sluice, "PUT", split, "{\"a\": 0, \"b\": 100}").statusCode()).isEqualTo(200);

                Files.writeString(file, config("two", "0.01", a, b));
                assertThat(sluice.reload().outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
                assertThat(get(web, "/limited")).as("the bucket is still empty").isEqualTo(429);
                JsonNode weights = JSON.readTree(admin(sluice, "GET", split, null).body()).get("split");
                assertThat(weights.get(0).get("weight").asInt()).as("a").isZero();
                assertThat(weights.get(1).get("weight").asInt()).as("b").isEqualTo(100);
                assertThat(MetricsScrape.of(sluice.adminAddress()).sum("sluice_filter_rate_limited_total",
                        Map.of("listener", "web"))).as("the counter went on counting").isEqualTo(2.0);

                // Its own settings changed: a new bucket.
                Files.writeString(file, config("two", "0.02", a, b));
                assertThat(sluice.reload().outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
                assertThat(get(web, "/limited")).isEqualTo(200);
            }
        }
    }
}

package io.sluice.filter;

import static io.sluice.filter.StickyIT.curl;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.Sluice;
import io.sluice.config.ConfigLoader;
import io.sluice.demo.DemoBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route's traffic split through a real listener: the weights decide, the admin API moves traffic at run
 * time (with the token only), a sticky client keeps its pool, and a 20/80 split gives roughly 20/80.
 */
class SplitIT {
    private static final String TOKEN = "split-admin-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private DemoBackend one;
    private DemoBackend two;
    private Sluice sluice;

    @BeforeEach
    void start() throws Exception {
        one = DemoBackend.start("127.0.0.1", 0, "one");
        two = DemoBackend.start("127.0.0.1", 0, "two");
        sluice = Sluice.builder().config(ConfigLoader.parse("""
                listeners:
                  - name: web
                    bind: "127.0.0.1:0"
                    routes:
                      - match: { path_prefix: /sticky }
                        split: [ { pool: v2, weight: 50 }, { pool: v1, weight: 50 } ]
                        sticky: { secret: "split-it-secret-0123456789" }
                      - split: [ { pool: v2, weight: 0 }, { pool: v1, weight: 100 } ]
                pools:
                  - { name: v1, backends: [ "127.0.0.1:%d" ] }
                  - { name: v2, backends: [ "127.0.0.1:%d" ] }
                admin: { bind: "127.0.0.1:0", token: %s }
                """.formatted(one.port(), two.port(), TOKEN), "test.yaml", k -> null)).build().start();
    }

    @AfterEach
    void stop() {
        if (sluice != null) {
            sluice.close();
        }
        one.close();
        two.close();
    }

    private Map<String, Integer> served(String path, int n) throws Exception {
        Map<String, Integer> out = new HashMap<>();
        URI uri = URI.create("http://127.0.0.1:" + sluice.listenerAddress("web").getPort() + path);
        for (int i = 0; i < n; i++) {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(r.statusCode()).isEqualTo(200);
            out.merge(r.headers().firstValue("x-served-by").orElse("?"), 1, Integer::sum);
        }
        return out;
    }

    private HttpResponse<String> admin(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> putSplit(int route, String body) throws Exception {
        return admin("PUT", "/api/listeners/web/routes/" + route + "/split", body, TOKEN);
    }

    @Test
    void theWeightsDecideAndTheAdminApiMovesTrafficAtRunTime() throws Exception {
        assertThat(served("/", 40)).containsOnlyKeys("one");

        JsonNode listed = JSON.readTree(admin("GET", "/api/listeners", null, null).body());
        JsonNode split = listed.get("listeners").get(0).get("routes").get(1).get("split");
        assertThat(split.get(0).get("pool").asText()).isEqualTo("v2");
        assertThat(split.get(0).get("weight").asInt()).isEqualTo(0);
        assertThat(split.get(1).get("weight").asInt()).isEqualTo(100);

        String path = "/api/listeners/web/routes/1/split";
        assertThat(admin("PUT", path, "{\"v2\": 100, \"v1\": 0}", null).statusCode()).as("no token").isEqualTo(401);
        assertThat(admin("PUT", path, "{\"v2\": 100, \"v1\": 0}", "wrong").statusCode()).isEqualTo(401);
        assertThat(putSplit(1, "{\"v2\": 0, \"v1\": 0}").body()).contains("every weight would be 0");
        assertThat(putSplit(1, "{\"v3\": 5}").statusCode()).isEqualTo(400);
        assertThat(putSplit(1, "{\"v2\": -1}").statusCode()).isEqualTo(400);
        assertThat(putSplit(1, "{\"v2\": \"lots\"}").statusCode()).isEqualTo(400);
        assertThat(putSplit(7, "{\"v2\": 1}").statusCode()).isEqualTo(404);
        assertThat(admin("PUT", "/api/listeners/nope/routes/0/split", "{\"v2\": 1}", TOKEN).statusCode()).isEqualTo(404);
        assertThat(served("/", 20)).as("refused changes changed nothing").containsOnlyKeys("one");

        HttpResponse<String> moved = putSplit(1, "{\"v2\": 100, \"v1\": 0}");
        assertThat(moved.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(moved.body()).get("split").get(0).get("weight").asInt()).isEqualTo(100);
        assertThat(served("/", 40)).containsOnlyKeys("two");

        assertThat(putSplit(1, "{\"v2\": 20, \"v1\": 80}").statusCode()).isEqualTo(200);
        JsonNode now = JSON.readTree(admin("GET", path, null, null).body()).get("split");
        assertThat(now.get(0).get("weight").asInt()).isEqualTo(20);
        assertThat(now.get(1).get("weight").asInt()).isEqualTo(80);
        Map<String, Integer> share = served("/", 500);
        // 100 expected of 500, standard deviation about 9: 60..140 is more than four of them either way.
        assertThat(share.getOrDefault("two", 0)).as("%s", share).isBetween(60, 140);
        assertThat(share.get("one") + share.getOrDefault("two", 0)).isEqualTo(500);
    }

    @Test
    void aStickyClientKeepsItsPoolWhenWeightsChangeUntilItsPoolGetsNone() throws Exception {
        Path jar = dir.resolve("jar");
        String url = "http://127.0.0.1:" + sluice.listenerAddress("web").getPort() + "/sticky/x";
        StickyIT.Answer first = curl(jar, url);
        assertThat(first.setCookie()).startsWith("SLUICE_AFFINITY=");
        String home = first.servedBy();
        String homePool = home.equals("one") ? "v1" : "v2";
        String otherPool = home.equals("one") ? "v2" : "v1";
        for (int i = 0; i < 8; i++) {
            assertThat(curl(jar, url).servedBy()).isEqualTo(home);
        }
        assertThat(putSplit(0, "{\"" + homePool + "\": 1, \"" + otherPool + "\": 99}").statusCode()).isEqualTo(200);
        for (int i = 0; i < 8; i++) {
            StickyIT.Answer a = curl(jar, url);
            assertThat(a.servedBy()).as("the cookie keeps the client in its pool").isEqualTo(home);
            assertThat(a.setCookie()).isNull();
        }
        assertThat(putSplit(0, "{\"" + homePool + "\": 0, \"" + otherPool + "\": 100}").statusCode()).isEqualTo(200);
        StickyIT.Answer moved = curl(jar, url);
        assertThat(moved.servedBy()).as("its pool gets nothing now").isNotEqualTo(home);
        assertThat(moved.setCookie()).as("a cookie for its new backend").startsWith("SLUICE_AFFINITY=");
        assertThat(putSplit(0, "{\"" + homePool + "\": 50, \"" + otherPool + "\": 50}").statusCode()).isEqualTo(200);
        for (int i = 0; i < 8; i++) {
            assertThat(curl(jar, url).servedBy()).as("the new pool holds").isEqualTo(moved.servedBy());
        }
    }
}

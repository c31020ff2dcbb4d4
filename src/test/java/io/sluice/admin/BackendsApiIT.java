package io.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.Sluice;
import io.sluice.config.PoolConfig;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.Load;
import io.sluice.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Drain, undrain and weight changes under load: they take effect, drop nothing, and need the token. */
class BackendsApiIT {
    private static final String TOKEN = "s3cret-token";
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> call(Sluice s, String method, String path, String body, String token)
            throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.adminAddress().getPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void drainUndrainAndWeightTakeEffectWithoutDroppingARequest() throws Exception {
        DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a");
        DemoBackend b = DemoBackend.start("127.0.0.1", 0, "b");
        DemoBackend c = DemoBackend.start("127.0.0.1", 0, "c");
        String base = "/api/pools/web/backends/";
        String aPath = base + "127.0.0.1:" + a.port();
        String bPath = base + "127.0.0.1:" + b.port();
        try (Sluice sluice = Sluice.builder().config(TestConfigs.create().adminToken(TOKEN)
                     .pool(PoolConfig.builder("web").strategy("weighted_round_robin")
                             .backends(TestConfigs.backends(a.port(), b.port(), c.port())).build()).build())
                     .build().start();
             Load load = new Load(sluice.listenerAddress("web"), 4)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> load.served("a") > 50 && load.served("c") > 50);

            assertThat(call(sluice, "POST", aPath + "/drain", null, null).statusCode()).isEqualTo(401);
            assertThat(call(sluice, "POST", aPath + "/drain", null, "wrong").statusCode()).isEqualTo(401);
            assertThat(call(sluice, "PUT", bPath + "/weight", "{\"weight\": 3}", null).statusCode()).isEqualTo(401);
            assertThat(sluice.snapshot().pool("web").backend("127.0.0.1:" + a.port()).available())
                    .as("nothing changed without the token").isTrue();

            HttpResponse<String> drained = call(sluice, "POST", aPath + "/drain", null, TOKEN);
            assertThat(drained.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(drained.body()).get("drained").asBoolean()).isTrue();
            long aAtDrain = load.served("a");
            long total = load.requests();
            await().atMost(Duration.ofSeconds(10)).until(() -> load.requests() > total + 300);
            assertThat(load.served("a")).as("at most the 4 requests in flight at the drain").isLessThanOrEqualTo(aAtDrain + 4);

            assertThat(call(sluice, "POST", aPath + "/undrain", null, TOKEN).statusCode()).isEqualTo(200);
            long aAtUndrain = load.served("a");
            await().atMost(Duration.ofSeconds(10)).until(() -> load.served("a") > aAtUndrain + 50);

            HttpResponse<String> weighted = call(sluice, "PUT", bPath + "/weight", "{\"weight\": 3}", TOKEN);
            assertThat(weighted.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(weighted.body()).get("weight").asInt()).isEqualTo(3);
            long a0 = load.served("a");
            long b0 = load.served("b");
            long c0 = load.served("c");
            await().atMost(Duration.ofSeconds(10)).until(() -> load.served("a") + load.served("b") + load.served("c")
                    > a0 + b0 + c0 + 1000);
            double share = (double) (load.served("b") - b0)
                    / (load.served("a") - a0 + load.served("b") - b0 + load.served("c") - c0);
            assertThat(share).as("weights 1, 3, 1").isBetween(0.55, 0.65);
            JsonNode pools = new ObjectMapper().readTree(call(sluice, "GET", "/api/pools", null, null).body());
            assertThat(pools.get("pools").get(0).get("backends").get(1).get("weight").asInt()).isEqualTo(3);

            assertThat(call(sluice, "PUT", bPath + "/weight", "{\"weight\": 0}", TOKEN).statusCode()).isEqualTo(400);
            assertThat(call(sluice, "PUT", base + "127.0.0.9:1/weight", "{\"weight\": 2}", TOKEN).statusCode())
                    .isEqualTo(404);
            assertThat(call(sluice, "GET", aPath + "/drain", null, TOKEN).statusCode()).isEqualTo(405);
            assertThat(call(sluice, "POST", "/api/pools/nope/backends/127.0.0.1:1/drain", null, TOKEN).statusCode())
                    .isEqualTo(404);

            load.close();
            assertThat(load.errors()).as("what the clients saw go wrong").isEmpty();
        } finally {
            a.close();
            b.close();
            c.close();
        }
    }
}

package io.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.Sluice;
import io.sluice.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The admin listener's health document. */
class AdminIT {

    @Test
    void healthListsEveryBackend() throws Exception {
        try (Sluice sluice = Sluice.builder().config(TestConfigs.create()
                .pool("web", 3001, 3002).pool("api", 3003).build()).build().start()) {
            assertThat(sluice.adminAddress().getAddress().isLoopbackAddress()).isTrue();
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<String> res = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort() + "/_health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
            JsonNode json = new ObjectMapper().readTree(res.body());
            assertThat(json.get("healthy").asBoolean()).isTrue();
            assertThat(json.get("healthy_count").asInt()).isEqualTo(3);
            assertThat(json.get("total_count").asInt()).isEqualTo(3);
            JsonNode first = json.get("backends").get(0);
            assertThat(first.get("pool").asText()).isEqualTo("web");
            assertThat(first.get("address").asText()).isEqualTo("127.0.0.1:3001");
            assertThat(first.get("healthy").asBoolean()).isTrue();
            assertThat(first.get("weight").asInt()).isEqualTo(1);
            assertThat(first.get("active_connections").asInt()).isZero();
            assertThat(json.get("backends").get(2).get("pool").asText()).isEqualTo("api");

            HttpResponse<String> missing = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort() + "/nope")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(missing.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void emptyPoolIsReportedUnhealthy() throws Exception {
        try (Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("web").build()).build().start()) {
            HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort() + "/_health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode json = new ObjectMapper().readTree(res.body());
            assertThat(json.get("healthy").asBoolean()).isFalse();
            assertThat(json.get("total_count").asInt()).isZero();
        }
    }
}

package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.testing.SluiceProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code sluice demo}: three backends answer in turn through the proxy; SIGTERM stops it all with exit 0. */
class DemoIT {

    /** First of three consecutive free ports. */
    private static int threeFreePorts() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = SluiceProcess.freePort();
            if (base > 65000) {
                continue;
            }
            try (ServerSocket a = new ServerSocket(base + 1); ServerSocket b = new ServerSocket(base + 2)) {
                return base;
            } catch (IOException taken) {
                // try another base
            }
        }
        throw new IOException("no three consecutive free ports");
    }

    @Test
    void demoAnswersFromThreeBackendsInTurnAndStopsCleanly() throws Exception {
        int port = SluiceProcess.freePort();
        int admin = SluiceProcess.freePort();
        int backends = threeFreePorts();
        try (SluiceProcess demo = SluiceProcess.start(List.of(), "demo", "--port", "" + port,
                "--admin-port", "" + admin, "--backend-port", "" + backends)) {
            demo.awaitListening(port).awaitListening(admin);
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            List<String> servers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(res.statusCode()).isEqualTo(200);
                JsonNode json = new ObjectMapper().readTree(res.body());
                servers.add(json.get("server").asText());
                assertThat(res.headers().firstValue("x-backend-server")).isPresent();
            }
            assertThat(servers.subList(0, 3)).containsExactlyInAnyOrder("backend-1", "backend-2", "backend-3");
            assertThat(servers.subList(3, 6)).isEqualTo(servers.subList(0, 3));
            assertThat(demo.output()).contains("curl").contains("127.0.0.1:" + port);

            demo.terminate();
            assertThat(demo.waitForExit(Duration.ofSeconds(20))).isZero();
            assertThat(SluiceProcess.accepts(port)).isFalse();
            assertThat(SluiceProcess.accepts(backends)).isFalse();
        }
    }
}

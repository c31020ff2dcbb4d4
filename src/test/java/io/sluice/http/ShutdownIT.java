package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.SluiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** SIGTERM: stop accepting, let the request in flight finish, exit 0. */
class ShutdownIT {

    @Test
    void slowRequestInFlightCompletesDuringShutdown() throws Exception {
        try (DemoBackend backend = DemoBackend.start("127.0.0.1", 0, "slow")) {
            int port = SluiceProcess.freePort();
            int admin = SluiceProcess.freePort();
            String yaml = """
                    listeners:
                      - name: web
                        bind: 127.0.0.1:%d
                    pools:
                      - name: slow
                        backends: [ { address: "127.0.0.1:%d" } ]
                    admin: { bind: "127.0.0.1:%d" }
                    limits: { drain_timeout: 20s }
                    """.formatted(port, backend.port(), admin);
            try (SluiceProcess proxy = SluiceProcess.start(List.of(), "run", "-c", SluiceProcess.writeConfig(yaml).toString())) {
                proxy.awaitListening(port).awaitListening(admin);
                HttpClient client = HttpClient.newHttpClient();
                CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/delay/3000")).build(),
                        HttpResponse.BodyHandlers.ofString());
                // Wait until the proxy has the request in flight to the backend.
                await().atMost(Duration.ofSeconds(10)).until(() -> new ObjectMapper().readTree(client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/_health")).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).at("/backends/0/active_connections").asInt() == 1);

                proxy.terminate();
                // New connections are refused while the slow request is still being served.
                await().atMost(Duration.ofSeconds(2)).until(() -> !SluiceProcess.accepts(port));
                assertThat(slow).isNotDone();

                HttpResponse<String> res = slow.get(15, TimeUnit.SECONDS);
                assertThat(res.statusCode()).isEqualTo(200);
                assertThat(res.body()).contains("slow");
                assertThat(proxy.waitForExit(Duration.ofSeconds(15))).isZero();
            }
        }
    }
}

package io.sluice.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.Sluice;
import io.sluice.config.AccessLogConfig;
import io.sluice.config.MatchConfig;
import io.sluice.config.PoolConfig;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One access log line per request, written off the event loops, with what happened to it. */
class AccessLogIT {

    @Test
    void everyRequestGetsAJsonLineWithItsOutcome(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        try (DemoBackend b = DemoBackend.start("127.0.0.1", 0, "b");
             Sluice sluice = Sluice.builder().config(TestConfigs.create()
                     .route(new MatchConfig("a", null, null, List.of(), Map.of()), "web")
                     .pool(PoolConfig.builder("web").backends(TestConfigs.backends(b.port())).build()).build()
                     .withAccessLog(new AccessLogConfig(true, AccessLogConfig.Format.JSON, file.toString())))
                     .build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            assertThat(c.send("GET /x?q=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: test \"agent\"\r\n\r\n").read().status())
                    .isEqualTo(200);
            assertThat(c.send("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello").read().body())
                    .isEqualTo("hello");
            assertThat(c.send("GET /other HTTP/1.1\r\nHost: b\r\n\r\n").read().status()).isEqualTo(404);

            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(file) && Files.readAllLines(file).size() >= 3);
            List<JsonNode> lines = new ArrayList<>();
            for (String l : Files.readAllLines(file)) {
                lines.add(new ObjectMapper().readTree(l));
            }
            assertThat(lines).hasSize(3);
            JsonNode get = lines.get(0);
            assertThat(get.get("method").asText()).isEqualTo("GET");
            assertThat(get.get("path").asText()).isEqualTo("/x?q=1");
            assertThat(get.get("status").asInt()).isEqualTo(200);
            assertThat(get.get("client").asText()).isEqualTo("127.0.0.1");
            assertThat(get.get("upstream").asText()).isEqualTo("127.0.0.1:" + b.port());
            assertThat(get.get("bytes_out").asLong()).isPositive();
            assertThat(get.get("duration_ms").asDouble()).isPositive();
            assertThat(get.get("upstream_ms").asDouble()).isPositive();
            assertThat(get.get("retries").asInt()).isZero();
            assertThat(get.get("route").asInt()).isZero();
            assertThat(get.get("pool").asText()).isEqualTo("web");
            assertThat(get.get("listener").asText()).isEqualTo("web");
            assertThat(get.get("user_agent").asText()).isEqualTo("test \"agent\"");
            assertThat(get.get("trace_id").isNull()).isTrue();
            assertThat(get.get("time").asText()).endsWith("Z");

            JsonNode post = lines.get(1);
            assertThat(post.get("bytes_in").asLong()).isEqualTo(5);
            assertThat(post.get("bytes_out").asLong()).isEqualTo(5);

            JsonNode notFound = lines.get(2);
            assertThat(notFound.get("status").asInt()).isEqualTo(404);
            assertThat(notFound.get("upstream").isNull()).isTrue();
            assertThat(notFound.get("pool").isNull()).isTrue();
        }
    }

    @Test
    void http2StreamsAndWebSocketTunnelsAreLoggedToo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        try (DemoBackend b = DemoBackend.start("127.0.0.1", 0, "b");
             io.sluice.testing.WsEchoBackend ws = new io.sluice.testing.WsEchoBackend();
             Sluice sluice = Sluice.builder().config(TestConfigs.create()
                     .route(new MatchConfig(null, "/ws", null, List.of(), Map.of()), "ws")
                     .route(MatchConfig.ANY, "web")
                     .pool(PoolConfig.builder("web").backends(TestConfigs.backends(b.port())).build())
                     .pool(PoolConfig.builder("ws").backends(TestConfigs.backends(ws.port())).build()).build()
                     .withAccessLog(new AccessLogConfig(true, AccessLogConfig.Format.JSON, file.toString())))
                     .build().start()) {
            int port = sluice.listenerAddress("web").getPort();
            try (io.sluice.testing.H2Client h2 = io.sluice.testing.H2Client.connect("127.0.0.1", port, null, null)) {
                assertThat(h2.get("/h2").get(10, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(200);
            }
            io.sluice.testing.WsCollector c = new io.sluice.testing.WsCollector();
            java.net.http.WebSocket socket = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(java.net.URI.create("ws://127.0.0.1:" + port + "/ws"), c)
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            socket.sendText("hello", true).get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(c.next()).isEqualTo("hello");
            socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "").get(5, java.util.concurrent.TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(file) && Files.readAllLines(file).size() >= 2);
            List<JsonNode> lines = new ArrayList<>();
            for (String l : Files.readAllLines(file)) {
                lines.add(new ObjectMapper().readTree(l));
            }
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0).get("protocol").asText()).isEqualTo("HTTP/2.0");
            assertThat(lines.get(0).get("path").asText()).isEqualTo("/h2");
            assertThat(lines.get(0).get("status").asInt()).isEqualTo(200);
            JsonNode tunnel = lines.get(1);
            assertThat(tunnel.get("status").asInt()).isEqualTo(101);
            assertThat(tunnel.get("pool").asText()).isEqualTo("ws");
            assertThat(tunnel.get("bytes_in").asLong()).as("the client's frames").isPositive();
            assertThat(tunnel.get("bytes_out").asLong()).as("the echoes").isPositive();
        }
    }
}

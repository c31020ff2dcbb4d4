package io.sluice.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.Sluice;
import io.sluice.config.ConfigLoader;
import io.sluice.testing.PrometheusText;
import io.sluice.testing.TcpBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tcp listener's metrics and access log, checked against the connections and bytes the test sent through it:
 * a prefix route, the fallback, and a route whose only backend refuses connections.
 */
class L4MetricsIT {
    private static final String PING = "PING hello";     // 10 bytes, to pool ping
    private static final String OTHER = "other bytes!";  // 12 bytes, to the fallback
    private static final String SEVEN = "seven!!";       // 7 bytes, to the fallback
    private static final String DEAD = "DEAD beef";      // 9 bytes, to a pool whose backend refuses

    @TempDir
    Path dir;

    private static Socket connect(InetSocketAddress a) throws IOException {
        Socket s = new Socket(a.getAddress(), a.getPort());
        s.setSoTimeout(10_000);
        return s;
    }

    /** Sends {@code text}, shuts the output and returns everything read until the proxy closes. */
    private static String exchange(InetSocketAddress a, String text) throws IOException {
        try (Socket s = connect(a)) {
            s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.US_ASCII);
        }
    }

    private static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String get(Sluice sluice, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + sluice.adminAddress().getPort() + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void countsConnectionsBytesAndRoutesExactlyAndLogsEachConnection() throws Exception {
        assumeThat(System.getenv("CI") != null || PrometheusText.available())
                .as("needs /usr/bin/python3 with python3-prometheus-client (apt-get install python3-prometheus-client)")
                .isTrue();
        Path log = dir.resolve("access.log");
        int dead = deadPort();
        try (TcpBackend ping = TcpBackend.start(null);
             TcpBackend echo = TcpBackend.start(null);
             Sluice sluice = Sluice.builder().config(ConfigLoader.parse("""
                     listeners:
                       - name: edge
                         bind: "127.0.0.1:0"
                         protocol: tcp
                         detect_timeout: 2s
                         routes:
                           - { match: { prefix: "PING" }, pool: ping }
                           - { match: { prefix: "DEAD" }, pool: dead }
                         fallback: echo
                     pools:
                       - { name: ping, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                       - { name: echo, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                       - name: dead
                         protocol: tcp
                         health_check: { type: tcp, interval: 1h }
                         backends: [ { address: "127.0.0.1:%d" } ]
                     admin: { bind: "127.0.0.1:0" }
                     access_log: { format: json, target: "%s" }
                     """.formatted(ping.port(), echo.port(), dead, log), "test.yaml", k -> null)).build().start()) {
            InetSocketAddress edge = sluice.listenerAddress("edge");

            try (Socket held = connect(edge)) { // open while the first scrape is taken
                held.getOutputStream().write(OTHER.getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(held.getInputStream().readNBytes(OTHER.length()), StandardCharsets.US_ASCII))
                        .isEqualTo(OTHER);
                PrometheusText open = PrometheusText.parse(get(sluice, "/metrics"));
                assertThat(open.sum("sluice_l4_listener_open_connections", Map.of("listener", "edge"))).isEqualTo(1);
                assertThat(open.sum("sluice_backend_in_flight_requests", Map.of("pool", "echo"))).isEqualTo(1);
                assertThat(open.sum("sluice_l4_backend_connections_total", Map.of("pool", "echo"))).isEqualTo(1);
                assertThat(open.sum("sluice_l4_listener_connections_total", Map.of("listener", "edge"))).isZero();
                held.shutdownOutput();
                assertThat(held.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(exchange(edge, PING)).isEqualTo(PING);
            assertThat(exchange(edge, SEVEN)).isEqualTo(SEVEN);
            assertThat(exchange(edge, DEAD)).isEmpty();

            await().atMost(Duration.ofSeconds(10)).until(() -> PrometheusText.parse(get(sluice, "/metrics"))
                    .sum("sluice_l4_listener_connections_total", Map.of("listener", "edge")) == 4);
            PrometheusText m = PrometheusText.parse(get(sluice, "/metrics"));
            Map<String, String> edgeLabels = Map.of("listener", "edge");
            assertThat(m.type("sluice_l4_listener_connections")).isEqualTo("counter");
            assertThat(m.sum("sluice_l4_listener_open_connections", edgeLabels)).isZero();
            int in = PING.length() + OTHER.length() + SEVEN.length() + DEAD.length();
            int out = PING.length() + OTHER.length() + SEVEN.length();
            assertThat(m.sum("sluice_l4_listener_received_bytes_total", edgeLabels)).isEqualTo(in);
            assertThat(m.sum("sluice_l4_listener_sent_bytes_total", edgeLabels)).isEqualTo(out);
            assertThat(m.sum("sluice_l4_routed_total", Map.of("listener", "edge", "result", "prefix"))).isEqualTo(2);
            assertThat(m.sum("sluice_l4_routed_total", Map.of("listener", "edge", "result", "fallback"))).isEqualTo(2);
            assertThat(m.sum("sluice_l4_routed_total", Map.of("listener", "edge", "result", "closed"))).isZero();
            assertThat(m.sum("sluice_l4_routed_total", Map.of("listener", "edge", "result", "rejected"))).isZero();
            assertThat(m.sum("sluice_l4_listener_ended_total", edgeLabels)).isEqualTo(4);
            assertThat(m.sum("sluice_l4_listener_ended_total", Map.of("listener", "edge", "end", "connect_failed")))
                    .isEqualTo(1);

            Map<String, String> pingLabels = Map.of("pool", "ping", "backend", "127.0.0.1:" + ping.port());
            assertThat(m.sum("sluice_l4_backend_connections_total", pingLabels)).isEqualTo(1);
            assertThat(m.sum("sluice_l4_backend_sent_bytes_total", pingLabels)).isEqualTo(PING.length());
            assertThat(m.sum("sluice_l4_backend_received_bytes_total", pingLabels)).isEqualTo(PING.length());
            assertThat(m.sum("sluice_l4_backend_connect_errors_total", pingLabels)).isZero();
            Map<String, String> echoLabels = Map.of("pool", "echo");
            assertThat(m.sum("sluice_l4_backend_connections_total", echoLabels)).isEqualTo(2);
            assertThat(m.sum("sluice_l4_backend_sent_bytes_total", echoLabels)).isEqualTo(OTHER.length() + SEVEN.length());
            assertThat(m.sum("sluice_l4_backend_received_bytes_total", echoLabels))
                    .isEqualTo(OTHER.length() + SEVEN.length());
            Map<String, String> deadLabels = Map.of("pool", "dead", "backend", "127.0.0.1:" + dead);
            assertThat(m.sum("sluice_l4_backend_connect_errors_total", deadLabels)).isEqualTo(1);
            assertThat(m.sum("sluice_l4_backend_connections_total", deadLabels)).isZero();
            assertThat(m.sum("sluice_l4_backend_sent_bytes_total", deadLabels)).as("nothing reached it").isZero();
            // shared with HTTP: in flight, health and breaker per backend
            assertThat(m.sum("sluice_backend_in_flight_requests", Map.of("pool", "echo"))).isZero();
            assertThat(m.sum("sluice_backend_up", Map.of("pool", "ping"))).isEqualTo(1);
            assertThat(m.sum("sluice_backend_circuit_state", Map.of("pool", "echo", "state", "Closed"))).isEqualTo(1);

            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(log) && Files.readAllLines(log).size() >= 4);
            Map<String, JsonNode> byPool = new HashMap<>();
            List<String> lines = Files.readAllLines(log);
            assertThat(lines).hasSize(4);
            for (String l : lines) {
                JsonNode j = new ObjectMapper().readTree(l);
                assertThat(j.get("listener").asText()).isEqualTo("edge");
                assertThat(j.get("transport").asText()).isEqualTo("tcp");
                assertThat(j.get("client").asText()).isEqualTo("127.0.0.1");
                assertThat(j.get("duration_ms").isNumber()).isTrue();
                assertThat(j.get("sni").isNull()).isTrue();
                byPool.merge(j.get("pool").asText(), j, (a, b) -> a.get("bytes_in").asLong() == SEVEN.length() ? b : a);
            }
            JsonNode p = byPool.get("ping");
            assertThat(p.get("protocol").asText()).isEqualTo("prefix");
            assertThat(p.get("backend").asText()).isEqualTo("127.0.0.1:" + ping.port());
            assertThat(p.get("bytes_in").asLong()).isEqualTo(PING.length());
            assertThat(p.get("bytes_out").asLong()).isEqualTo(PING.length());
            JsonNode o = byPool.get("echo");
            assertThat(o.get("protocol").asText()).isEqualTo("fallback");
            assertThat(o.get("bytes_in").asLong()).isEqualTo(OTHER.length());
            JsonNode d = byPool.get("dead");
            assertThat(d.get("end").asText()).isEqualTo("connect_failed");
            assertThat(d.get("backend").asText()).isEqualTo("127.0.0.1:" + dead);
            assertThat(d.get("bytes_out").asLong()).isZero();
        }
    }
}

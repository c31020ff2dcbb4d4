package io.sluice.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.AccessLogConfig;
import io.sluice.l4.L4Record;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** L4 counts from the events a listener reports, and the access log lines of L4 connections in both formats. */
class L4StatsTest {
    /** 2024-03-05T14:07:09.123Z. */
    private static final long START = 1709647629123L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.0.7", 51234);

    @TempDir
    Path dir;

    private static L4Record tls() {
        return new L4Record("edge", "tcp", CLIENT, "tls", "api.example.com", "web", "127.0.0.1:3001", 517, 5120,
                12_345_678, "client_closed");
    }

    private static L4Record refused() {
        return new L4Record("edge", "tcp", CLIENT, "fallback", null, "other", "127.0.0.1:3009", 40, 0, 1_500,
                "connect_failed");
    }

    @Test
    void countsPerListenerAndBackendFromTheEvents() {
        L4Stats s = new L4Stats(AccessLog.create(AccessLogConfig.OFF));
        assertThat(s.listener("edge")).isNull();
        s.routed("edge", "tls");
        s.opened("edge", "tcp", "web", "127.0.0.1:3001");
        s.ended(tls());
        s.routed("edge", "fallback");
        s.connectFailed("edge", "other", "127.0.0.1:3009");
        s.ended(refused());
        s.routed("edge", "rejected");

        L4ListenerStats l = s.listener("edge");
        assertThat(l.ended()).isEqualTo(2);
        assertThat(l.bytesIn()).isEqualTo(557);
        assertThat(l.bytesOut()).isEqualTo(5120);
        assertThat(l.routed()).containsExactly(Map.entry("fallback", 1L), Map.entry("rejected", 1L),
                Map.entry("tls", 1L));
        assertThat(l.endings()).containsExactly(Map.entry("client_closed", 1L), Map.entry("connect_failed", 1L));

        L4BackendStats web = s.backend("web", "127.0.0.1:3001");
        assertThat(web.opened()).isEqualTo(1);
        assertThat(web.bytesSent()).isEqualTo(517);
        assertThat(web.bytesReceived()).isEqualTo(5120);
        L4BackendStats other = s.backend("other", "127.0.0.1:3009");
        assertThat(other.connectErrors()).isEqualTo(1);
        assertThat(other.opened()).isZero();
        assertThat(other.bytesSent()).as("a failed connect sent nothing").isZero();
        assertThat(s.backend("web", "127.0.0.1:9")).isNull();
    }

    @Test
    void jsonLineCarriesEveryL4Field() throws Exception {
        JsonNode n = JSON.readTree(JsonLine.format(tls(), START));
        assertThat(n.properties()).extracting(Map.Entry::getKey).containsExactly("time", "client", "client_port",
                "listener", "transport", "protocol", "sni", "pool", "backend", "bytes_in", "bytes_out",
                "duration_ms", "end");
        assertThat(n.get("time").asText()).isEqualTo("2024-03-05T14:07:09.123Z");
        assertThat(n.get("client").asText()).isEqualTo("10.0.0.7");
        assertThat(n.get("client_port").asInt()).isEqualTo(51234);
        assertThat(n.get("transport").asText()).isEqualTo("tcp");
        assertThat(n.get("protocol").asText()).isEqualTo("tls");
        assertThat(n.get("sni").asText()).isEqualTo("api.example.com");
        assertThat(n.get("bytes_in").asLong()).isEqualTo(517);
        assertThat(n.get("bytes_out").asLong()).isEqualTo(5120);
        assertThat(n.get("duration_ms").decimalValue()).isEqualByComparingTo("12.345");
        assertThat(n.get("end").asText()).isEqualTo("client_closed");

        JsonNode bare = JSON.readTree(JsonLine.format(new L4Record("dns", "udp", null, null, null, null, null, 0, 0,
                0, "no_route"), START));
        for (String missing : List.of("client", "client_port", "protocol", "sni", "pool", "backend")) {
            assertThat(bare.get(missing).isNull()).as(missing).isTrue();
        }
    }

    @Test
    void combinedLineHasTheDocumentedShape() {
        CombinedLine c = new CombinedLine(ZoneOffset.UTC);
        assertThat(c.format(tls(), START)).isEqualTo("10.0.0.7 - - [05/Mar/2024:14:07:09 +0000] \"TCP edge tls\""
                + " client_closed 5120 517 12.345 web 127.0.0.1:3001 \"api.example.com\"");
        assertThat(c.format(new L4Record("dns", "udp", CLIENT, null, "evil\"\nname", null, null, 30, 0, 2_000_000,
                "no_route"), START)).isEqualTo("10.0.0.7 - - [05/Mar/2024:14:07:09 +0000] \"UDP dns -\" no_route 0 30"
                + " 2.000 - - \"evil\\\"\\x0Aname\"");
    }

    @Test
    void eachEndedConnectionIsOneAccessLogLine() throws Exception {
        Path file = dir.resolve("l4.log");
        try (AccessLog log = AccessLog.create(new AccessLogConfig(true, AccessLogConfig.Format.JSON, file.toString()),
                ZoneOffset.UTC, AccessLog.QUEUE_SIZE)) {
            L4Stats s = new L4Stats(log);
            long before = System.currentTimeMillis();
            s.routed("edge", "tls");
            s.ended(tls());
            s.ended(refused());
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file)
                    && Files.readAllLines(file, StandardCharsets.UTF_8).size() >= 2);
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            assertThat(lines).hasSize(2);
            JsonNode first = JSON.readTree(lines.get(0));
            assertThat(first.get("end").asText()).isEqualTo("client_closed");
            long time = java.time.Instant.parse(first.get("time").asText()).toEpochMilli();
            assertThat(time).as("the start: when it was reported less its duration")
                    .isBetween(before - 13 - 1, System.currentTimeMillis() - 12);
            assertThat(JSON.readTree(lines.get(1)).get("end").asText()).isEqualTo("connect_failed");
        }
    }
}

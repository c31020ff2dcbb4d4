package io.sluice.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.config.AccessLogConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lines written to a file in both formats, read back after the async appender has written them. */
class AccessLogTest {
    /** 2024-03-05T14:07:09.123Z. */
    private static final long START = 1709647629123L;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static RequestLog full() {
        return new RequestLog(START, "10.0.0.7", "GET", "/api/items?id=3", "HTTP/1.1", 200, 17, 5120,
                12_345_678, "127.0.0.1:3001", 9_876_543, 1, "web", 2, "api",
                "4bf92f3577b34da6a3ce929d0e0e4736", "curl/8.5.0", "https://example.com/");
    }

    private static RequestLog bare() {
        return new RequestLog(START, "::1", "POST", "/upload", "HTTP/1.0", 0, 0, 0, 1_500, null, 0, 0, "web",
                -1, null, null, null, null);
    }

    private static List<String> awaitLines(Path file, int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file) && read(file).size() >= n);
        return read(file);
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private AccessLog open(Path file, AccessLogConfig.Format format) {
        return AccessLog.create(new AccessLogConfig(true, format, file.toString()), ZoneOffset.UTC,
                AccessLog.QUEUE_SIZE);
    }

    @Test
    void combinedLinesCarryEveryField() {
        Path file = dir.resolve("access.log");
        try (AccessLog log = open(file, AccessLogConfig.Format.COMBINED)) {
            assertThat(log.enabled()).isTrue();
            log.log(full());
            log.log(bare());
            assertThat(awaitLines(file, 2)).containsExactly(
                    "10.0.0.7 - - [05/Mar/2024:14:07:09 +0000] \"GET /api/items?id=3 HTTP/1.1\" 200 5120"
                            + " \"https://example.com/\" \"curl/8.5.0\" 12.345 127.0.0.1:3001 9.876 1 2"
                            + " 4bf92f3577b34da6a3ce929d0e0e4736",
                    "::1 - - [05/Mar/2024:14:07:09 +0000] \"POST /upload HTTP/1.0\" - 0 \"-\" \"-\" 0.001 - - 0 - -");
            assertThat(log.dropped()).isZero();
        }
    }

    @Test
    void jsonLinesParseBackToTheRecord() throws IOException {
        Path file = dir.resolve("access.json");
        try (AccessLog log = open(file, AccessLogConfig.Format.JSON)) {
            log.log(full());
            log.log(bare());
            List<String> lines = awaitLines(file, 2);
            assertThat(lines).hasSize(2);

            JsonNode a = JSON.readTree(lines.get(0));
            assertThat(a.properties()).extracting(e -> e.getKey()).containsExactly("time", "client", "method",
                    "path", "protocol", "status", "bytes_in", "bytes_out", "duration_ms", "upstream", "upstream_ms",
                    "retries", "listener", "route", "pool", "trace_id", "user_agent", "referer", "request_id");
            assertThat(a.get("time").asText()).isEqualTo("2024-03-05T14:07:09.123Z");
            assertThat(a.get("client").asText()).isEqualTo("10.0.0.7");
            assertThat(a.get("method").asText()).isEqualTo("GET");
            assertThat(a.get("path").asText()).isEqualTo("/api/items?id=3");
            assertThat(a.get("protocol").asText()).isEqualTo("HTTP/1.1");
            assertThat(a.get("status").asInt()).isEqualTo(200);
            assertThat(a.get("bytes_in").asLong()).isEqualTo(17);
            assertThat(a.get("bytes_out").asLong()).isEqualTo(5120);
            assertThat(a.get("duration_ms").decimalValue()).isEqualByComparingTo("12.345");
            assertThat(a.get("upstream").asText()).isEqualTo("127.0.0.1:3001");
            assertThat(a.get("upstream_ms").decimalValue()).isEqualByComparingTo("9.876");
            assertThat(a.get("retries").asInt()).isEqualTo(1);
            assertThat(a.get("listener").asText()).isEqualTo("web");
            assertThat(a.get("route").asInt()).isEqualTo(2);
            assertThat(a.get("pool").asText()).isEqualTo("api");
            assertThat(a.get("trace_id").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(a.get("user_agent").asText()).isEqualTo("curl/8.5.0");
            assertThat(a.get("referer").asText()).isEqualTo("https://example.com/");

            JsonNode b = JSON.readTree(lines.get(1));
            for (String missing : List.of("status", "upstream", "upstream_ms", "route", "pool", "trace_id",
                    "user_agent", "referer")) {
                assertThat(b.get(missing).isNull()).as(missing).isTrue();
            }
            assertThat(b.get("duration_ms").decimalValue()).isEqualByComparingTo("0.001");
        }
    }

    @Test
    void quotesBackslashesAndNewlinesNeverBreakALine() throws IOException {
        String uri = "/a\"b\\c\nd?q=\u00e9";
        String agent = "evil\"agent\r\nX-Injected: 1";
        RequestLog r = new RequestLog(START, "10.0.0.1", "GET", uri, "HTTP/1.1", 404, 0, 9, 1_000_000, null, 0, 0,
                "web", 0, "web", null, agent, "a \"ref\"");

        Path combined = dir.resolve("combined.log");
        try (AccessLog log = open(combined, AccessLogConfig.Format.COMBINED)) {
            log.log(r);
            assertThat(awaitLines(combined, 1)).containsExactly(
                    "10.0.0.1 - - [05/Mar/2024:14:07:09 +0000] \"GET /a\\\"b\\\\c\\x0Ad?q=\\xE9 HTTP/1.1\" 404 9"
                            + " \"a \\\"ref\\\"\" \"evil\\\"agent\\x0D\\x0AX-Injected: 1\" 1.000 - - 0 0 -");
        }

        Path json = dir.resolve("lines.json");
        try (AccessLog log = open(json, AccessLogConfig.Format.JSON)) {
            log.log(r);
            List<String> lines = awaitLines(json, 1);
            assertThat(lines).hasSize(1);
            JsonNode n = JSON.readTree(lines.get(0));
            assertThat(n.get("path").asText()).isEqualTo(uri);
            assertThat(n.get("user_agent").asText()).isEqualTo(agent);
            assertThat(n.get("referer").asText()).isEqualTo("a \"ref\"");
        }
    }

    @Test
    void linesAreAppendedToAnExistingFile() throws IOException {
        Path file = dir.resolve("logs/more/access.log");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "earlier line\n");
        try (AccessLog log = open(file, AccessLogConfig.Format.COMBINED)) {
            log.log(bare());
            assertThat(awaitLines(file, 2)).first().isEqualTo("earlier line");
        }
    }

    @Test
    void closeWritesWhatIsQueuedAndAFullQueueDropsAndCounts() {
        Path file = dir.resolve("tiny-queue.log");
        int n = 20_000;
        AccessLog log = AccessLog.create(new AccessLogConfig(true, AccessLogConfig.Format.JSON, file.toString()),
                ZoneOffset.UTC, 1);
        for (int i = 0; i < n; i++) {
            log.log(full());
        }
        log.close();
        // One caller, so the count is exact: every line was either written or counted as dropped.
        assertThat(read(file).size() + log.dropped()).isEqualTo(n);
        assertThat(log.dropped()).isPositive();
    }

    @Test
    void offIsOneSharedInstanceThatDoesNothing() {
        AccessLog off = AccessLog.create(AccessLogConfig.OFF);
        assertThat(off).isSameAs(AccessLog.create(new AccessLogConfig(false, AccessLogConfig.Format.JSON, "x.log")));
        assertThat(off.enabled()).isFalse();
        off.log(full());
        assertThat(off.dropped()).isZero();
        off.close();
        off.close();
        assertThat(Files.exists(Path.of("x.log"))).isFalse();
    }

    @Test
    void standardOutputNeedsNoFile() {
        AccessLog log = AccessLog.create(AccessLogConfig.STDOUT);
        assertThat(log.enabled()).isTrue();
        log.close();
    }

    @Test
    void aTargetThatCannotBeOpenedFailsAtOnce() {
        AccessLogConfig c = new AccessLogConfig(true, AccessLogConfig.Format.COMBINED, dir.toString());
        assertThatThrownBy(() -> AccessLog.create(c)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(dir.toString());
    }
}

package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.SluiceProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bodies stream through the packaged proxy in a 64 MiB heap: 512 MiB each way, with Content-Length and
 * chunked, every byte checked.
 */
class StreamingIT {
    private static final long SIZE = 512L * 1024 * 1024;

    private static DemoBackend backend;
    private static SluiceProcess proxy;
    private static int port;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        backend = DemoBackend.start("127.0.0.1", 0, "big");
        port = SluiceProcess.freePort();
        String yaml = """
                workers: 1
                listeners:
                  - name: web
                    bind: 127.0.0.1:%d
                    routes: [ { pool: big } ]
                pools:
                  - name: big
                    backends: [ { address: "127.0.0.1:%d" } ]
                admin: { enabled: false }
                limits: { max_body_size: 1GiB }
                """.formatted(port, backend.port());
        proxy = SluiceProcess.start(List.of("-Xmx64m", "-XX:MaxDirectMemorySize=64m"),
                "run", "-c", SluiceProcess.writeConfig(yaml).toString());
        proxy.awaitListening(port);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            assertThat(proxy.output()).doesNotContain("LEAK").doesNotContain("OutOfMemoryError");
            assertThat(proxy.isAlive()).isTrue();
        } finally {
            proxy.close();
            backend.close();
        }
    }

    /** Deterministic bytes that do not repeat with a short period; digests itself as it is read. */
    private static final class Pattern extends InputStream {
        private final long size;
        private final MessageDigest digest;
        private long pos;

        Pattern(long size) throws Exception {
            this.size = size;
            this.digest = MessageDigest.getInstance("SHA-256");
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - pos);
            for (int i = 0; i < n; i++) {
                long p = pos + i;
                b[off + i] = (byte) (p * 31 + (p >>> 11));
            }
            digest.update(b, off, n);
            pos += n;
            return n;
        }

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    private static void upload(boolean chunked) throws Exception {
        Pattern body = new Pattern(SIZE);
        HttpRequest.BodyPublisher publisher = chunked
                ? HttpRequest.BodyPublishers.ofInputStream(() -> body)
                : HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> body), SIZE);
        HttpResponse<String> res = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sha256"))
                .timeout(Duration.ofMinutes(3)).POST(publisher).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        JsonNode json = new ObjectMapper().readTree(res.body());
        assertThat(json.get("bytes").asLong()).isEqualTo(SIZE);
        assertThat(json.get("sha256").asText()).isEqualTo(body.hex());
    }

    private static void download(boolean chunked) throws IOException, InterruptedException {
        String uri = "http://127.0.0.1:" + port + "/bytes/" + SIZE + (chunked ? "?chunked=1" : "");
        HttpResponse<InputStream> res = CLIENT.send(HttpRequest.newBuilder(URI.create(uri))
                .timeout(Duration.ofMinutes(3)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(res.statusCode()).isEqualTo(200);
        if (chunked) {
            assertThat(res.headers().firstValue("content-length")).isEmpty();
        } else {
            assertThat(res.headers().firstValueAsLong("content-length").orElse(-1)).isEqualTo(SIZE);
        }
        long pos = 0;
        long mismatches = 0;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = res.body()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] != (byte) ((pos + i) % 251)) {
                        mismatches++;
                    }
                }
                pos += n;
            }
        }
        assertThat(pos).isEqualTo(SIZE);
        assertThat(mismatches).isZero();
    }

    @Test
    void uploadWithContentLength() throws Exception {
        upload(false);
    }

    @Test
    void uploadChunked() throws Exception {
        upload(true);
    }

    @Test
    void downloadWithContentLength() throws Exception {
        download(false);
    }

    @Test
    void downloadChunked() throws Exception {
        download(true);
    }
}

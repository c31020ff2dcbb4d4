package io.sluice.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The endpoints, exercised with the JDK HttpClient over loopback. */
class DemoBackendHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static DemoBackend backend;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        backend = DemoBackend.start("127.0.0.1", 0, "b1");
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private static HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + backend.port() + path))
                .timeout(Duration.ofSeconds(60));
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(request(path).build(), BodyHandlers.ofString());
    }

    @Test
    void rootDescribesTheRequest() throws Exception {
        HttpResponse<String> r = client.send(request("/some/path?x=1").header("X-Test", "one")
                .header("x-test", "two").build(), BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-served-by")).hasValue("b1");
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("server").asText()).isEqualTo("b1");
        assertThat(body.get("method").asText()).isEqualTo("GET");
        assertThat(body.get("path").asText()).isEqualTo("/some/path?x=1");
        assertThat(body.get("headers").get("host").asText()).isEqualTo("127.0.0.1:" + backend.port());
        assertThat(body.get("headers").get("x-test").asText()).isEqualTo("one, two");
    }

    @Test
    void health() throws Exception {
        HttpResponse<String> r = get("/health");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).get("status").asText()).isEqualTo("ok");
        assertThat(r.headers().firstValue("x-served-by")).hasValue("b1");
    }

    @Test
    void statusCodes() throws Exception {
        for (int code : new int[] {200, 201, 204, 301, 404, 418, 500, 503, 599}) {
            HttpResponse<String> r = get("/status/" + code);
            assertThat(r.statusCode()).as("status %d", code).isEqualTo(code);
            assertThat(r.headers().firstValue("x-served-by")).hasValue("b1");
            if (code != 204) {
                assertThat(r.body()).startsWith(code + " ");
            }
        }
        assertThat(get("/status/100").statusCode()).isEqualTo(400);
        assertThat(get("/status/600").statusCode()).isEqualTo(400);
        assertThat(get("/status/teapot").statusCode()).isEqualTo(400);
    }

    @Test
    void delayAnswersAfterTheDelay() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = get("/delay/150");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("delayMs").asLong()).isEqualTo(150);
        assertThat(body.get("path").asText()).isEqualTo("/delay/150");
    }

    @Test
    void headersAsReceived() throws Exception {
        HttpResponse<String> r = client.send(request("/headers").header("X-Mixed-Case", "a")
                .header("X-Mixed-Case", "b").build(), BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("X-Mixed-Case")).hasSize(2);
        assertThat(body.get("X-Mixed-Case").get(0).asText()).isEqualTo("a");
        assertThat(body.get("X-Mixed-Case").get(1).asText()).isEqualTo("b");
    }

    @Test
    void bytesFollowTheDocumentedPattern() throws Exception {
        HttpResponse<InputStream> r = client.send(request("/bytes/1048576").build(), BodyHandlers.ofInputStream());
        assertThat(r.headers().firstValueAsLong("content-length")).hasValue(1048576);
        assertThat(verifyPattern(r.body())).isEqualTo(1048576);

        HttpResponse<InputStream> c = client.send(request("/bytes/300001?chunked=1").build(),
                BodyHandlers.ofInputStream());
        assertThat(c.headers().firstValue("content-length")).isEmpty();
        assertThat(c.headers().firstValue("transfer-encoding")).hasValue("chunked");
        assertThat(verifyPattern(c.body())).isEqualTo(300001);

        assertThat(client.send(request("/bytes/0").build(), BodyHandlers.ofByteArray()).body()).isEmpty();
    }

    /** Checks every byte against {@link DemoBackend#patternByte}; returns the count. */
    private static long verifyPattern(InputStream in) throws IOException {
        try (in) {
            byte[] buf = new byte[16384];
            long i = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int k = 0; k < n; k++, i++) {
                    if (buf[k] != DemoBackend.patternByte(i)) {
                        throw new AssertionError("byte " + i + " is " + buf[k]);
                    }
                }
            }
            return i;
        }
    }

    // The JDK HttpClient reads the response only once the whole request body is sent, so an /echo body
    // must fit in the socket buffers here; DemoBackendSocketTest streams 20 MiB with a concurrent reader.

    @Test
    void echoWithContentLength() throws Exception {
        long size = 256 * 1024;
        BodyPublisher body = BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(() -> new Noise(size, 7)), size);
        HttpResponse<InputStream> r = client.send(request("/echo").header("Content-Type", "application/x-test")
                .POST(body).build(), BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/x-test");
        assertThat(r.headers().firstValueAsLong("content-length")).hasValue(size);
        assertThat(sha256(r.body())).isEqualTo(sha256(new Noise(size, 7)));
    }

    @Test
    void echoChunked() throws Exception {
        long size = 256 * 1024 + 17;
        HttpResponse<InputStream> r = client.send(request("/echo").header("Content-Type", "text/plain")
                .POST(BodyPublishers.ofInputStream(() -> new Noise(size, 8))).build(), BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("transfer-encoding")).hasValue("chunked");
        assertThat(r.headers().firstValue("x-served-by")).hasValue("b1");
        assertThat(sha256(r.body())).isEqualTo(sha256(new Noise(size, 8)));
    }

    @Test
    void echoOfAnEmptyBody() throws Exception {
        HttpResponse<String> r = get("/echo");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        assertThat(r.headers().firstValueAsLong("content-length")).hasValue(0);
    }

    @Test
    void sha256OfAStreamedBody() throws Exception {
        long size = (64L << 20) + 3;
        HttpResponse<String> r = client.send(request("/sha256")
                .POST(BodyPublishers.ofInputStream(() -> new Noise(size, 9))).build(), BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("bytes").asLong()).isEqualTo(size);
        assertThat(body.get("sha256").asText()).isEqualTo(sha256(new Noise(size, 9)));

        HttpResponse<String> empty = client.send(request("/sha256").POST(BodyPublishers.noBody()).build(),
                BodyHandlers.ofString());
        assertThat(JSON.readTree(empty.body()).get("sha256").asText())
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (in) {
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}

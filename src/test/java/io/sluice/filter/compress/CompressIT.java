package io.sluice.filter.compress;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.Sluice;
import io.sluice.config.ConfigLoader;
import io.sluice.testing.Command;
import io.sluice.testing.RawHttp;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code compress} filter through a real listener: the coding the client asked for, decoded by
 * independent decoders (the JDK's gzip and zlib, curl's brotli and zstd), and every case that must stay
 * uncompressed.
 */
class CompressIT {
    private static HttpServer backend;
    private static Sluice sluice;
    private static InetSocketAddress proxy;

    /** Compressible JSON-ish text of exactly {@code size} bytes. */
    static byte[] body(int size) {
        StringBuilder sb = new StringBuilder(size + 64);
        for (int i = 0; sb.length() < size; i++) {
            sb.append("{\"id\":").append(i).append(",\"name\":\"item-").append(i % 97).append("\",\"ok\":true},\n");
        }
        return sb.substring(0, size).getBytes(StandardCharsets.UTF_8);
    }

    private static void answer(HttpExchange ex, int status, String type, byte[] bytes, boolean chunked,
                               Map<String, String> headers) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : chunked ? 0 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            if (!head) {
                for (int i = 0; i < bytes.length; i += 1000) { // several writes: several chunks when chunked
                    out.write(bytes, i, Math.min(1000, bytes.length - i));
                    out.flush();
                }
            }
        }
    }

    @BeforeAll
    static void start() throws Exception {
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        backend.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            int size = ex.getRequestURI().getQuery() == null ? 20_000
                    : Integer.parseInt(ex.getRequestURI().getQuery().substring("size=".length()));
            byte[] b = body(size);
            switch (path) {
                case "/json" -> answer(ex, 200, "application/json", b, false,
                        Map.of("ETag", "\"v1\"", "Accept-Ranges", "bytes"));
                case "/stream" -> answer(ex, 200, "text/plain; charset=utf-8", b, true, Map.of());
                case "/png" -> answer(ex, 200, "image/png", b, false, Map.of());
                case "/encoded" -> answer(ex, 200, "text/plain", b, false, Map.of("Content-Encoding", "x-custom"));
                case "/partial" -> answer(ex, 206, "text/plain", b, false, Map.of("Content-Range",
                        "bytes 0-" + (b.length - 1) + "/" + (b.length * 2)));
                case "/no-transform" -> answer(ex, 200, "text/plain", b, false,
                        Map.of("Cache-Control", "public, no-transform"));
                case "/vary" -> answer(ex, 200, "text/html", b, false, Map.of("Vary", "Origin"));
                default -> answer(ex, 404, "text/plain", new byte[0], false, Map.of());
            }
        });
        backend.start();
        sluice = Sluice.builder().config(ConfigLoader.parse("""
                listeners:
                  - name: web
                    bind: 127.0.0.1:0
                    routes:
                      - pool: p
                        filters:
                          - compress:
                              algorithms: [br, zstd, gzip, deflate]
                              min_size: 1KiB
                pools:
                  - name: p
                    backends: [ { address: "127.0.0.1:%d" } ]
                admin: { enabled: false }
                """.formatted(backend.getAddress().getPort()), "test.yaml", name -> null)).build().start();
        proxy = sluice.listenerAddress("web");
    }

    @AfterAll
    static void stop() {
        if (sluice != null) {
            sluice.close();
        }
        if (backend != null) {
            backend.stop(0);
        }
    }

    private static RawHttp.Response get(String path, String acceptEncoding) throws IOException {
        return get("GET", path, acceptEncoding, "HTTP/1.1");
    }

    private static RawHttp.Response get(String method, String path, String acceptEncoding, String version)
            throws IOException {
        try (RawHttp c = new RawHttp(proxy)) {
            c.send(method + " " + path + " " + version + "\r\nHost: a\r\n"
                    + (acceptEncoding == null ? "" : "Accept-Encoding: " + acceptEncoding + "\r\n")
                    + "Connection: close\r\n\r\n");
            return method.equals("HEAD") ? c.readHead() : c.read();
        }
    }

    private static byte[] raw(RawHttp.Response r) {
        return r.body().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void gzipAndDeflateDecodeWithTheJdk() throws Exception {
        for (String path : List.of("/json?size=20000", "/stream?size=50000", "/json?size=1024")) {
            int size = Integer.parseInt(path.substring(path.indexOf('=') + 1));
            RawHttp.Response gz = get(path, "gzip");
            assertThat(gz.status()).isEqualTo(200);
            assertThat(gz.header("content-encoding")).isEqualTo("gzip");
            assertThat(gz.header("content-length")).isNull();
            assertThat(gz.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(gz.header("vary")).isEqualToIgnoringCase("accept-encoding");
            assertThat(raw(gz).length).isLessThan(size);
            assertThat(new GZIPInputStream(new ByteArrayInputStream(raw(gz))).readAllBytes()).isEqualTo(body(size));

            RawHttp.Response zl = get(path, "deflate");
            assertThat(zl.header("content-encoding")).isEqualTo("deflate");
            assertThat(new InflaterInputStream(new ByteArrayInputStream(raw(zl))).readAllBytes())
                    .isEqualTo(body(size));
        }
    }

    @Test
    void brotliZstdAndGzipDecodeWithCurl(@TempDir Path dir) throws Exception {
        Path curl = Command.require("curl", "curl");
        for (String enc : List.of("br", "zstd", "gzip")) {
            for (String path : List.of("/json?size=30000", "/stream?size=70001")) {
                int size = Integer.parseInt(path.substring(path.indexOf('=') + 1));
                Path out = dir.resolve(enc + size);
                Path headers = dir.resolve(enc + size + ".h");
                Command.Result r = Command.run(Duration.ofSeconds(20), List.of(curl.toString(), "-sS",
                        "--compressed", "-H", "Accept-Encoding: " + enc, "-D", headers.toString(), "-o",
                        out.toString(), "http://127.0.0.1:" + proxy.getPort() + path));
                assertThat(r.exit()).as(r.output()).isZero();
                assertThat(Files.readString(headers).toLowerCase()).contains("content-encoding: " + enc + "\r\n");
                assertThat(Files.readAllBytes(out)).as(enc + " " + path).isEqualTo(body(size));
            }
        }
    }

    @Test
    void http2ClientsGetCompressedStreamsWithoutChunkedFraming(@TempDir Path dir) throws Exception {
        Path curl = Command.require("curl", "curl");
        for (String path : List.of("/json?size=40000", "/stream?size=40001")) {
            Path out = dir.resolve("h2body");
            Path headers = dir.resolve("h2head");
            Command.Result r = Command.run(Duration.ofSeconds(20), List.of(curl.toString(), "-sS",
                    "--http2-prior-knowledge", "--compressed", "-H", "Accept-Encoding: zstd, gzip;q=0.5",
                    "-D", headers.toString(), "-o", out.toString(), "http://127.0.0.1:" + proxy.getPort() + path));
            assertThat(r.exit()).as(r.output()).isZero();
            String head = Files.readString(headers).toLowerCase();
            assertThat(head).startsWith("http/2 200").contains("content-encoding: zstd\r\n")
                    .contains("vary: accept-encoding\r\n").doesNotContain("transfer-encoding")
                    .doesNotContain("content-length");
            int size = Integer.parseInt(path.substring(path.indexOf('=') + 1));
            assertThat(Files.readAllBytes(out)).isEqualTo(body(size));
        }
    }

    @Test
    void qValuesAndConfiguredOrderChoose() throws Exception {
        assertThat(get("/json", "gzip, deflate, br, zstd").header("content-encoding")).isEqualTo("br");
        assertThat(get("/json", "gzip;q=1.0, br;q=0.5, zstd;q=0.8").header("content-encoding")).isEqualTo("gzip");
        assertThat(get("/json", "zstd, gzip").header("content-encoding")).isEqualTo("zstd");
        assertThat(get("/json", "br;q=0, *").header("content-encoding")).isEqualTo("zstd");
        assertThat(get("/json", "*;q=0.5, gzip").header("content-encoding")).isEqualTo("gzip");
        assertThat(get("/json", "GZIP ; Q=0.3").header("content-encoding")).isEqualTo("gzip");
        RawHttp.Response refused = get("/json", "gzip;q=0, br;q=0.000, identity");
        assertThat(refused.header("content-encoding")).isNull();
        assertThat(refused.header("vary")).as("it could have been compressed").isEqualToIgnoringCase("accept-encoding");
        assertThat(raw(refused)).isEqualTo(body(20_000));
        RawHttp.Response none = get("/json", null);
        assertThat(none.header("content-encoding")).isNull();
        assertThat(none.header("content-length")).isEqualTo("20000");
        assertThat(none.header("vary")).isEqualToIgnoringCase("accept-encoding");
    }

    @Test
    void strongEtagBecomesWeakAndVaryIsAppended() throws Exception {
        RawHttp.Response r = get("/json", "gzip");
        assertThat(r.header("etag")).isEqualTo("W/\"v1\"");
        assertThat(r.header("accept-ranges")).as("ranges of the uncompressed body do not apply").isNull();
        RawHttp.Response plain = get("/json", null);
        assertThat(plain.header("etag")).isEqualTo("\"v1\"");
        assertThat(plain.header("accept-ranges")).isEqualTo("bytes");
        RawHttp.Response v = get("/vary", "gzip");
        assertThat(v.header("content-encoding")).isEqualTo("gzip");
        assertThat(v.header("vary")).isEqualToIgnoringCase("Origin, accept-encoding");
    }

    @Test
    void responsesThatMustNotBeCompressedPassAsTheyAre() throws Exception {
        record Case(String method, String path, String version) {
        }
        for (Case c : List.of(new Case("GET", "/json?size=1023", "HTTP/1.1"), new Case("GET", "/png", "HTTP/1.1"),
                new Case("GET", "/encoded", "HTTP/1.1"), new Case("GET", "/partial", "HTTP/1.1"),
                new Case("GET", "/no-transform", "HTTP/1.1"), new Case("HEAD", "/json", "HTTP/1.1"),
                new Case("GET", "/json", "HTTP/1.0"), new Case("GET", "/missing", "HTTP/1.1"))) {
            RawHttp.Response r = get(c.method(), c.path(), "gzip, br, zstd", c.version());
            String ce = r.header("content-encoding");
            assertThat(ce == null || ce.equals("x-custom")).as(c + " " + r.headers()).isTrue();
            if (!c.method().equals("HEAD") && r.status() != 404) {
                int size = c.path().contains("=") ? Integer.parseInt(c.path().substring(c.path().indexOf('=') + 1))
                        : 20_000;
                assertThat(raw(r)).as(c.toString()).isEqualTo(body(size));
                assertThat(r.header("content-length")).as(c.toString()).isEqualTo(String.valueOf(size));
            }
        }
        assertThat(get("/png", "gzip").header("vary")).isNull();
        assertThat(get("/json?size=10", "gzip").header("vary")).isNull();
        assertThat(get("HEAD", "/json", "gzip", "HTTP/1.1").header("vary")).isEqualToIgnoringCase("accept-encoding");
    }

    @Test
    void connectionStaysUsableAfterACompressedChunkedResponse() throws Exception {
        try (RawHttp c = new RawHttp(proxy)) {
            for (int i = 0; i < 3; i++) {
                c.send("GET /stream?size=30000 HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n");
                RawHttp.Response r = c.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("connection")).isNull();
                assertThat(new GZIPInputStream(new ByteArrayInputStream(raw(r))).readAllBytes())
                        .isEqualTo(body(30_000));
            }
            c.send("GET /json?size=5000 HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(raw(c.read())).isEqualTo(body(5000));
        }
    }
}

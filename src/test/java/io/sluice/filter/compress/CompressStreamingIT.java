package io.sluice.filter.compress;

import static org.assertj.core.api.Assertions.assertThat;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.BrotliInputStream;
import com.github.luben.zstd.ZstdInputStream;
import io.sluice.testing.ScriptedBackend;
import io.sluice.testing.SluiceProcess;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * 100 MiB of compressible text streamed chunked by a backend goes through a compressing route of the packaged
 * proxy in a 64 MiB heap: the client decodes every byte (SHA-256 checked), and the proxy neither runs out of
 * memory nor leaks buffers.
 */
class CompressStreamingIT {
    private static final long SIZE = 100L * 1024 * 1024; // a whole number of chunks
    private static final int CHUNK = 16 * 1024;
    private static final Map<Integer, String> SENT = new ConcurrentHashMap<>();

    private static ScriptedBackend backend;
    private static SluiceProcess proxy;
    private static int port;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        backend = new ScriptedBackend((s, index) -> {
            ScriptedBackend.readHead(s.getInputStream());
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] chunk = new byte[CHUNK];
            byte[] crlf = {'\r', '\n'};
            byte[] head = (Integer.toHexString(CHUNK) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            long line = 0;
            byte[] text = new byte[0];
            int textPos = 0;
            for (long sent = 0; sent < SIZE; sent += CHUNK) {
                for (int i = 0; i < CHUNK; i++) {
                    if (textPos == text.length) {
                        text = ("line " + line + " of a long log, user=" + (line * 7919 % 1000) + " status=ok\n")
                                .getBytes(StandardCharsets.US_ASCII);
                        line++;
                        textPos = 0;
                    }
                    chunk[i] = text[textPos++];
                }
                digest.update(chunk);
                out.write(head);
                out.write(chunk);
                out.write(crlf);
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            SENT.put(index, HexFormat.of().formatHex(digest.digest()));
        });
        port = SluiceProcess.freePort();
        String yaml = """
                workers: 1
                listeners:
                  - name: web
                    bind: 127.0.0.1:%d
                    routes:
                      - pool: big
                        filters: [ { compress: { algorithms: [zstd, gzip, br] } } ]
                pools:
                  - name: big
                    backends: [ { address: "127.0.0.1:%d" } ]
                admin: { enabled: false }
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

    private static void download(String encoding) throws Exception {
        int before = backend.accepted();
        HttpResponse<InputStream> res = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("Accept-Encoding", encoding).timeout(Duration.ofMinutes(2)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-encoding")).hasValue(encoding);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        long total = 0;
        long wire;
        try (CountingStream counted = new CountingStream(res.body());
             InputStream in = switch (encoding) {
                 case "gzip" -> new GZIPInputStream(counted, 64 * 1024);
                 case "zstd" -> new ZstdInputStream(counted);
                 default -> new BrotliInputStream(counted);
             }) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                digest.update(buf, 0, n);
                total += n;
            }
            wire = counted.count;
        }
        assertThat(total).isEqualTo(SIZE);
        assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(SENT.get(before));
        assertThat(wire).as("compressed bytes on the wire").isLessThan(SIZE / 5);
    }

    @Test
    void hundredMegabytesOfGzip() throws Exception {
        download("gzip");
    }

    @Test
    void hundredMegabytesOfZstd() throws Exception {
        download("zstd");
    }

    @Test
    void hundredMegabytesOfBrotli() throws Exception {
        Brotli4jLoader.ensureAvailability();
        download("br");
    }

    /** Counts the bytes read through it. */
    private static final class CountingStream extends java.io.FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws java.io.IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}

package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http2.Http2Error;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.H2Client;
import io.sluice.testing.H2Wire;
import io.sluice.testing.RawHttp;
import io.sluice.testing.SluiceProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * HTTP/2 clients that attack rather than ask, against the packaged proxy in its own process: rapid reset,
 * CONTINUATION and HPACK bombs, SETTINGS, PING, WINDOW_UPDATE and empty-DATA floods, a window never opened,
 * streams beyond SETTINGS_MAX_CONCURRENT_STREAMS. Each case checks how the connection ends (the GOAWAY or
 * RST_STREAM code), that other clients are served meanwhile and after, and that the proxy's resident memory
 * (VmRSS) grows by less than {@value #MAX_RSS_GROWTH_KB} KiB. The heap is fixed and touched at start, so what
 * grows is what the attack made the proxy hold outside it (socket buffers, queued frames) or code warming up.
 * Each case is bounded to a few seconds. The RSS of each case is printed at the end.
 */
class Http2AbuseIT {
    private static final long MAX_RSS_GROWTH_KB = 30 * 1024;
    private static final long ENHANCE_YOUR_CALM = Http2Error.ENHANCE_YOUR_CALM.code();
    private static final Map<String, long[]> RSS = new LinkedHashMap<>();

    private static DemoBackend backend;
    private static SluiceProcess proxy;
    private static ProcessHandle pid;
    private static InetSocketAddress address;

    private String name;
    private long rssBefore;

    @BeforeAll
    static void start() throws Exception {
        backend = DemoBackend.start("127.0.0.1", 0, "a");
        int port = SluiceProcess.freePort();
        String yaml = """
                workers: 1
                listeners:
                  - name: web
                    bind: 127.0.0.1:%d
                    http2: { max_concurrent_streams: 100 }
                    routes: [ { pool: p } ]
                pools:
                  - name: p
                    backends: [ { address: "127.0.0.1:%d" } ]
                admin: { enabled: false }
                """.formatted(port, backend.port());
        Path config = SluiceProcess.writeConfig(yaml);
        // -Dabuse.jvmArgs="..." runs the proxy with other JVM options, e.g. none, to see what the heap does too.
        String jvm = System.getProperty("abuse.jvmArgs",
                "-Xms96m -Xmx96m -XX:+AlwaysPreTouch -XX:+UseSerialGC -XX:MaxDirectMemorySize=64m");
        proxy = SluiceProcess.start(jvm.isBlank() ? List.of() : List.of(jvm.trim().split("\\s+")),
                "run", "-c", config.toString());
        proxy.awaitListening(port);
        pid = ProcessHandle.current().children()
                .filter(p -> p.info().commandLine().orElse("").contains(config.toString()))
                .findFirst().orElseThrow();
        address = new InetSocketAddress("127.0.0.1", port);
        // Warm up: code paths, buffers and pools of ordinary traffic are in place before anything is measured.
        for (int i = 0; i < 20; i++) {
            assertServed();
        }
    }

    @AfterAll
    static void stop() {
        try {
            StringBuilder table = new StringBuilder("VmRSS per case (KiB): before, after, growth\n");
            RSS.forEach((k, v) -> table.append(String.format("  %-28s %8d %8d %+8d%n", k, v[0], v[1], v[1] - v[0])));
            System.out.print(table);
            assertThat(proxy.output()).doesNotContain("LEAK").doesNotContain("OutOfMemoryError");
            assertThat(proxy.isAlive()).isTrue();
        } finally {
            proxy.close();
            backend.close();
        }
    }

    @BeforeEach
    void before(TestInfo info) throws IOException {
        name = info.getTestMethod().orElseThrow().getName();
        rssBefore = rssKb();
    }

    @AfterEach
    void after() throws Exception {
        assertServed();
        long rssAfter = rssKb();
        RSS.put(name, new long[] {rssBefore, rssAfter});
        assertThat(rssAfter - rssBefore).as(name + ": VmRSS growth in KiB").isLessThan(MAX_RSS_GROWTH_KB);
    }

    @Test
    void rapidResetGetsEnhanceYourCalm() throws Exception {
        try (H2Wire c = new H2Wire(address).startReading()) {
            c.preface();
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < 5000; i++) {
                int stream = 2 * i + 1;
                burst.writeBytes(H2Wire.headers(stream, H2Wire.request("GET", "http", "a.test", "/delay/1000"), true));
                burst.writeBytes(H2Wire.rstStream(stream, Http2Error.CANCEL));
            }
            sendIgnoringClose(c, burst.toByteArray());
            assertThat(c.goAway().get(10, TimeUnit.SECONDS)).isEqualTo(ENHANCE_YOUR_CALM);
            assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void continuationFloodOfTinyFramesGetsEnhanceYourCalm() throws Exception {
        try (H2Wire c = new H2Wire(address).startReading()) {
            c.preface();
            byte[] start = H2Wire.request("GET", "http", "a.test", "/");
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            burst.writeBytes(H2Wire.frame(H2Wire.HEADERS, 0, 1, start));
            byte[] one = {0x00}; // a byte of a field that never ends
            for (int i = 0; i < 100_000; i++) {
                burst.writeBytes(H2Wire.frame(H2Wire.CONTINUATION, 0, 1, one));
            }
            sendIgnoringClose(c, burst.toByteArray());
            assertThat(c.goAway().get(10, TimeUnit.SECONDS)).isEqualTo(ENHANCE_YOUR_CALM);
            assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void continuationFloodOfFullFramesEndsTheConnection() throws Exception {
        try (H2Wire c = new H2Wire(address).startReading()) {
            c.preface();
            H2Wire.Hpack fields = new H2Wire.Hpack();
            fields.literal(":method", "GET").literal(":scheme", "http").literal(":path", "/");
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            burst.writeBytes(H2Wire.frame(H2Wire.HEADERS, 0, 1, fields.bytes()));
            byte[] big = new H2Wire.Hpack().literal("x-pad", "p".repeat(16_000)).bytes();
            for (int i = 0; i < 2000; i++) { // 32 MB of header block that never ends
                burst.writeBytes(H2Wire.frame(H2Wire.CONTINUATION, 0, 1, big));
            }
            sendIgnoringClose(c, burst.toByteArray());
            long code = c.goAway().get(10, TimeUnit.SECONDS);
            assertThat(code).as(H2Wire.errorName(code)).isNotEqualTo(Http2Error.NO_ERROR.code());
            assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void hpackBombIsRefusedWithoutDecodingItAll() throws Exception {
        try (H2Wire c = new H2Wire(address).startReading()) {
            c.preface();
            // One 4000-byte field in the dynamic table, then referred to 16,000 times: 64 MB once decoded.
            H2Wire.Hpack bomb = new H2Wire.Hpack().literal(":method", "GET").literal(":scheme", "http")
                    .literal(":path", "/").literal(":authority", "a.test").incremental("x-bomb", "b".repeat(4000));
            for (int i = 0; i < 16_000; i++) {
                bomb.indexed(62);
            }
            sendIgnoringClose(c, headerFrames(1, bomb.bytes()));
            await().atMost(Duration.ofSeconds(10)).until(() -> c.ended(1) || c.goAway().isDone());
            if (c.goAway().isDone()) {
                long code = c.goAway().get();
                assertThat(code).as(H2Wire.errorName(code)).isNotEqualTo(Http2Error.NO_ERROR.code());
            } else {
                assertThat(c.status(1) != null ? (long) c.status(1) : c.reset(1)).isIn(431L,
                        Http2Error.PROTOCOL_ERROR.code(), Http2Error.REFUSED_STREAM.code());
            }
        }
    }

    @Test
    void settingsFloodFromAPeerThatDoesNotReadIsCutOff() throws Exception {
        floodWithoutReading(H2Wire.settings(0x4, 65_535), 300_000);
    }

    @Test
    void pingFloodFromAPeerThatDoesNotReadIsCutOff() throws Exception {
        floodWithoutReading(H2Wire.ping(42), 300_000);
    }

    @Test
    void settingsFloodFromAPeerThatReadsIsCutOff() throws Exception {
        floodWhileReading(H2Wire.settings(0x4, 65_535), 300_000);
    }

    @Test
    void pingFloodFromAPeerThatReadsIsCutOff() throws Exception {
        floodWhileReading(H2Wire.ping(42), 300_000);
    }

    @Test
    void windowUpdateFloodIsCutOff() throws Exception {
        floodWhileReading(H2Wire.windowUpdate(0, 1), 300_000);
    }

    @Test
    void emptyDataFloodIsCutOff() throws Exception {
        try (H2Wire c = new H2Wire(address).startReading()) {
            c.preface();
            c.send(H2Wire.headers(1, H2Wire.request("POST", "http", "a.test", "/echo"), false));
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < 100_000; i++) {
                burst.writeBytes(H2Wire.data(1, new byte[0], false));
            }
            sendIgnoringClose(c, burst.toByteArray());
            assertThat(c.goAway().get(10, TimeUnit.SECONDS)).isEqualTo(ENHANCE_YOUR_CALM);
            assertThat(c.awaitClosed(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void aWindowNeverOpenedHoldsTheResponsesBackWithoutBufferingThem() throws Exception {
        try (H2Wire c = new H2Wire(address).startReading()) {
            c.preface(0x4, 0); // SETTINGS_INITIAL_WINDOW_SIZE 0: no DATA may be sent until a WINDOW_UPDATE
            for (int i = 0; i < 10; i++) { // ten streams of 100 MB each
                c.send(H2Wire.get(2 * i + 1, "/bytes/104857600"));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> c.status(19) != null);
            long held = rssKb();
            assertServed(); // while the stalled streams are open
            // The backend's bodies wait in the backend (TCP back-pressure), not in the proxy.
            assertThat(rssKb() - held).isLessThan(MAX_RSS_GROWTH_KB);
            for (int i = 0; i < 10; i++) {
                assertThat(c.dataBytes(2 * i + 1)).isZero();
                assertThat(c.ended(2 * i + 1)).isFalse();
            }
        }
    }

    @Test
    void streamsBeyondTheConcurrencyLimitAreRefusedAndTheRestAnswered() throws Exception {
        try (H2Wire c = new H2Wire(address).startReading()) {
            c.preface();
            ByteArrayOutputStream burst = new ByteArrayOutputStream();
            for (int i = 0; i < 150; i++) {
                burst.writeBytes(H2Wire.get(2 * i + 1, "/delay/300"));
            }
            c.send(burst.toByteArray());
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                for (int i = 0; i < 150; i++) {
                    if (!c.ended(2 * i + 1)) {
                        return false;
                    }
                }
                return true;
            });
            int refused = 0;
            int answered = 0;
            for (int i = 0; i < 150; i++) {
                Long reset = c.reset(2 * i + 1);
                if (reset != null) {
                    assertThat(reset).isEqualTo(Http2Error.REFUSED_STREAM.code());
                    refused++;
                } else {
                    assertThat(c.status(2 * i + 1)).isEqualTo(200);
                    answered++;
                }
            }
            assertThat(answered).isEqualTo(100);
            assertThat(refused).isEqualTo(50);
            c.send(H2Wire.get(301, "/health"));
            await().atMost(Duration.ofSeconds(10)).until(() -> c.ended(301));
            assertThat(c.status(301)).isEqualTo(200);
            assertThat(c.goAway()).isNotDone();
        }
    }

    /**
     * Floods frames while never reading the answers: the proxy must cut the peer off (what it sends after
     * the GOAWAY is read and dropped until the connection closes a second later) without queuing answers.
     */
    private static void floodWithoutReading(byte[] frame, int count) throws Exception {
        try (H2Wire c = new H2Wire(address)) {
            c.preface();
            AtomicLong sent = new AtomicLong();
            Thread writer = floodInBackground(c, frame, count, sent);
            writer.join(5000); // still writing after that: the proxy stopped reading, as it should
            assertServed(); // meanwhile
            c.startReading();
            assertThat(c.awaitClosed(Duration.ofSeconds(15))).as("closed by the proxy").isTrue();
            if (c.goAway().isDone()) {
                assertThat(c.goAway().get()).isEqualTo(ENHANCE_YOUR_CALM);
            }
            writer.join(5000);
            assertThat(writer.isAlive()).as("the flood's writes end with the connection").isFalse();
        }
    }

    /** Floods frames while reading every answer; the proxy must cut the peer off all the same. */
    private static void floodWhileReading(byte[] frame, int count) throws Exception {
        try (H2Wire c = new H2Wire(address).startReading()) {
            c.preface();
            AtomicLong sent = new AtomicLong();
            Thread writer = floodInBackground(c, frame, count, sent);
            assertThat(c.awaitClosed(Duration.ofSeconds(10))).as("closed by the proxy").isTrue();
            assertThat(c.goAway().getNow(-1L)).as("GOAWAY code; %d frame bytes read, %d flood frames sent",
                    c.bytesRead(), sent.get()).isEqualTo(ENHANCE_YOUR_CALM);
            writer.join(5000);
        }
    }

    private static Thread floodInBackground(H2Wire c, byte[] frame, int count, AtomicLong sent) {
        int perWrite = Math.max(1, 64 * 1024 / frame.length);
        byte[] chunk = new byte[perWrite * frame.length];
        for (int i = 0; i < perWrite; i++) {
            System.arraycopy(frame, 0, chunk, i * frame.length, frame.length);
        }
        Thread t = new Thread(() -> {
            try {
                for (int n = 0; n < count; n += perWrite) {
                    c.send(chunk);
                    sent.addAndGet(perWrite);
                }
            } catch (IOException e) {
                // closed by the proxy (or by the test)
            }
        }, "h2-flood");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** A header block in a HEADERS frame and as many CONTINUATION frames as it takes, the stream ended. */
    private static byte[] headerFrames(int stream, byte[] block) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int max = 16_384;
        for (int off = 0; off < block.length; off += max) {
            byte[] part = java.util.Arrays.copyOfRange(block, off, Math.min(block.length, off + max));
            boolean last = off + max >= block.length;
            int type = off == 0 ? H2Wire.HEADERS : H2Wire.CONTINUATION;
            int flags = (last ? H2Wire.END_HEADERS : 0) | (off == 0 ? H2Wire.END_STREAM : 0);
            out.writeBytes(H2Wire.frame(type, flags, stream, part));
        }
        return out.toByteArray();
    }

    private static void sendIgnoringClose(H2Wire c, byte[] bytes) {
        try {
            c.send(bytes);
        } catch (IOException e) {
            // the proxy closed the connection part way: what the test checks next
        }
    }

    /** A new HTTP/2 client and a new HTTP/1.1 client are each answered. */
    private static void assertServed() throws Exception {
        try (H2Client h2 = H2Client.connect("127.0.0.1", address.getPort(), null, null)) {
            assertThat(h2.get("/health").get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
        try (RawHttp h1 = new RawHttp(address)) {
            assertThat(h1.send("GET /health HTTP/1.1\r\nHost: a.test\r\n\r\n").read().status()).isEqualTo(200);
        }
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS for " + pid.pid());
    }
}

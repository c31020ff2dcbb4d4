package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.Sluice;
import io.sluice.config.LimitsConfig;
import io.sluice.testing.RawHttp;
import io.sluice.testing.ScriptedBackend;
import io.sluice.testing.TestConfigs;
import java.io.InputStream;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a client sees when things go wrong: the right status, a short body, no stack trace. */
class ErrorsIT {
    private ScriptedBackend ok;

    @BeforeEach
    void startBackend() throws Exception {
        ok = new ScriptedBackend((s, index) -> {
            InputStream in = s.getInputStream();
            String head;
            while ((head = ScriptedBackend.readHead(in)) != null) {
                String cl = head.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                        .map(l -> l.substring(15).trim()).findFirst().orElse("0");
                in.readNBytes(Integer.parseInt(cl));
                ScriptedBackend.writeOk(s, "fine");
            }
        });
    }

    @AfterEach
    void stopBackend() throws Exception {
        ok.close();
    }

    private static void assertShortPlainBody(RawHttp.Response r) {
        assertThat(r.body()).hasSizeLessThan(100).doesNotContain("Exception").doesNotContain("at io.");
        assertThat(r.body()).startsWith(Integer.toString(r.status()));
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void refusedConnectionGives502() throws Exception {
        try (Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", closedPort()).build()).build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(502);
            assertShortPlainBody(r);
            // The connection stays usable after a gateway error.
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(502);
        }
    }

    @Test
    void backendClosingBeforeAnsweringGives502() throws Exception {
        try (ScriptedBackend dropper = new ScriptedBackend((s, i) -> {
                ScriptedBackend.readHead(s.getInputStream());
                s.setSoLinger(true, 0); // reset, not a clean close
            });
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", dropper.port()).build()).build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(502);
            assertShortPlainBody(r);
        }
    }

    @Test
    void emptyPoolGives503WithRetryAfter() throws Exception {
        try (Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p").build()).build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.header("Retry-After")).isNotBlank();
            assertShortPlainBody(r);
        }
    }

    @Test
    void slowBackendGives504AfterResponseTimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ScriptedBackend slow = new ScriptedBackend((s, i) -> {
                ScriptedBackend.readHead(s.getInputStream());
                release.await(20, TimeUnit.SECONDS);
            });
             Sluice sluice = Sluice.builder().config(TestConfigs.create()
                     .pool("p", TestConfigs.timeouts(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofSeconds(60)),
                             slow.port()).build()).build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(504);
            assertShortPlainBody(r);
        } finally {
            release.countDown();
        }
    }

    private Sluice withLimits(LimitsConfig limits) throws Exception {
        return Sluice.builder().config(TestConfigs.create().limits(limits).pool("p", ok.port()).build()).build().start();
    }

    @Test
    void headersNotArrivingInTimeGive408AndClose() throws Exception {
        LimitsConfig limits = new LimitsConfig(16 * 1024, 1024 * 1024, Duration.ofMillis(300), Duration.ofSeconds(60),
                100, Duration.ofSeconds(1));
        try (Sluice sluice = withLimits(limits); RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n").read();
            assertThat(r.status()).isEqualTo(408);
            assertShortPlainBody(r);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void declaredBodyOverLimitGives413BeforeTheBodyIsSent() throws Exception {
        LimitsConfig limits = new LimitsConfig(16 * 1024, 1000, Duration.ofSeconds(10), Duration.ofSeconds(60),
                100, Duration.ofSeconds(1));
        try (Sluice sluice = withLimits(limits); RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            // Only the head is sent: the answer must come without waiting for the body.
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(413);
            assertShortPlainBody(r);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void chunkedBodyOverLimitGives413() throws Exception {
        LimitsConfig limits = new LimitsConfig(16 * 1024, 1000, Duration.ofSeconds(10), Duration.ofSeconds(60),
                100, Duration.ofSeconds(1));
        try (Sluice sluice = withLimits(limits); RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            String chunk = "x".repeat(600);
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "258\r\n" + chunk + "\r\n258\r\n" + chunk + "\r\n").read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void bodyWithinLimitPasses() throws Exception {
        LimitsConfig limits = new LimitsConfig(16 * 1024, 1000, Duration.ofSeconds(10), Duration.ofSeconds(60),
                100, Duration.ofSeconds(1));
        try (Sluice sluice = withLimits(limits); RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n" + "y".repeat(1000)).read();
            assertThat(r.status()).isEqualTo(200);
        }
    }

    @Test
    void oversizedHeadersGive431AndClose() throws Exception {
        LimitsConfig limits = new LimitsConfig(2048, 1000, Duration.ofSeconds(10), Duration.ofSeconds(60),
                100, Duration.ofSeconds(1));
        try (Sluice sluice = withLimits(limits); RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "z".repeat(4000) + "\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(431);
            assertShortPlainBody(r);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    private void assertBadRequestAndClosed(String request) throws Exception {
        try (Sluice sluice = withLimits(LimitsConfig.DEFAULTS); RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send(request).read();
            assertThat(r.status()).isEqualTo(400);
            assertShortPlainBody(r);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void contentLengthWithTransferEncodingGives400() throws Exception {
        assertBadRequestAndClosed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n");
    }

    @Test
    void invalidContentLengthGives400() throws Exception {
        assertBadRequestAndClosed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 12abc\r\n\r\n");
    }

    @Test
    void differingRepeatedContentLengthGives400() throws Exception {
        assertBadRequestAndClosed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
    }

    @Test
    void garbageRequestLineGives400() throws Exception {
        assertBadRequestAndClosed("this is not http\r\n\r\n");
    }

    @Test
    void missingHostOnHttp11Gives400() throws Exception {
        assertBadRequestAndClosed("GET / HTTP/1.1\r\n\r\n");
    }

    @Test
    void identicalRepeatedContentLengthIsAccepted() throws Exception {
        try (Sluice sluice = withLimits(LimitsConfig.DEFAULTS); RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello").read();
            assertThat(r.status()).isEqualTo(200);
        }
    }
}

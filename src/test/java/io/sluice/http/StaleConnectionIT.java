package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.Sluice;
import io.sluice.testing.RawHttp;
import io.sluice.testing.ScriptedBackend;
import io.sluice.testing.TestConfigs;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A pooled connection the backend closes as a request arrives: a request the backend provably did not
 * process (the connection closed before the request was all written) goes again once on a fresh connection,
 * whatever its method; one that was written in full is sent again only when its method allows it.
 */
class StaleConnectionIT {

    /** Reads a head, then {@code n} body bytes; the text of both. */
    private static String readRequest(InputStream in, int n) throws Exception {
        String head = ScriptedBackend.readHead(in);
        return head == null ? null : head + new String(in.readNBytes(n), StandardCharsets.ISO_8859_1);
    }

    private static void reset(Socket s) throws Exception {
        s.setSoLinger(true, 0);
        s.close();
    }

    @Test
    void aPostCutShortByTheBackendClosingItsIdleConnectionGoesAgainOnAFreshOne() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        try (ScriptedBackend backend = new ScriptedBackend((s, i) -> {
                InputStream in = s.getInputStream();
                if (i == 0) {
                    seen.add(readRequest(in, 0));
                    ScriptedBackend.writeOk(s, "warm");
                    seen.add(ScriptedBackend.readHead(in)); // the POST's head: close before its body comes
                    reset(s);
                    closed.countDown();
                    return;
                }
                String req = readRequest(in, 6);
                seen.add(req);
                ScriptedBackend.writeOk(s, req.substring(req.length() - 6));
            });
             Sluice sluice = Sluice.builder().config(TestConfigs.create().workers(1).pool("p", backend.port()).build())
                     .build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            assertThat(c.send("GET /warm HTTP/1.1\r\nHost: h\r\n\r\n").read().body()).isEqualTo("warm");
            c.send("POST /order HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nabc");
            assertThat(closed.await(5, TimeUnit.SECONDS)).isTrue();
            RawHttp.Response r = c.send("def").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("abcdef");
            assertThat(backend.accepted()).isEqualTo(2);
            seen.poll(); // the warm-up
            assertThat(seen.poll(5, TimeUnit.SECONDS)).startsWith("POST /order");
            assertThat(seen.poll(5, TimeUnit.SECONDS)).startsWith("POST /order").endsWith("\r\n\r\nabcdef");
        }
    }

    @Test
    void aPostWrittenInFullIsNotSentTwiceWhenTheBackendClosesWithoutAnswering() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        try (ScriptedBackend backend = new ScriptedBackend((s, i) -> {
                InputStream in = s.getInputStream();
                if (i == 0) {
                    seen.add(readRequest(in, 0));
                    ScriptedBackend.writeOk(s, "warm");
                }
                seen.add(readRequest(in, 6)); // the whole POST: it may have been processed
                reset(s);
            });
             Sluice sluice = Sluice.builder().config(TestConfigs.create().workers(1).pool("p", backend.port()).build())
                     .build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            assertThat(c.send("GET /warm HTTP/1.1\r\nHost: h\r\n\r\n").read().body()).isEqualTo("warm");
            RawHttp.Response r = c.send("POST /pay HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nabcdef").read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(backend.accepted()).isEqualTo(1);
            assertThat(seen).hasSize(2);
        }
    }

    @Test
    void aGetWrittenInFullStillGoesAgainOnAFreshConnection() throws Exception {
        try (ScriptedBackend backend = new ScriptedBackend((s, i) -> {
                InputStream in = s.getInputStream();
                if (i == 0) {
                    readRequest(in, 0);
                    ScriptedBackend.writeOk(s, "warm");
                    readRequest(in, 0);
                    reset(s);
                    return;
                }
                readRequest(in, 0);
                ScriptedBackend.writeOk(s, "fresh");
            });
             Sluice sluice = Sluice.builder().config(TestConfigs.create().workers(1).pool("p", backend.port()).build())
                     .build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            assertThat(c.send("GET /warm HTTP/1.1\r\nHost: h\r\n\r\n").read().body()).isEqualTo("warm");
            assertThat(c.send("GET /again HTTP/1.1\r\nHost: h\r\n\r\n").read().body()).isEqualTo("fresh");
            assertThat(backend.accepted()).isEqualTo(2);
        }
    }
}

package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.Sluice;
import io.sluice.testing.RawHttp;
import io.sluice.testing.ScriptedBackend;
import io.sluice.testing.TestConfigs;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Client and upstream keep-alive: pipelining, connection reuse, idle close, stale pooled connections. */
class KeepAliveIT {

    /** A keep-alive backend that answers every request with its path and the connection's index. */
    private static ScriptedBackend echoPathBackend() throws Exception {
        return new ScriptedBackend((s, index) -> {
            InputStream in = s.getInputStream();
            String head;
            while ((head = ScriptedBackend.readHead(in)) != null) {
                String path = head.split(" ")[1];
                ScriptedBackend.writeOk(s, path + " on " + index);
            }
        });
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (ScriptedBackend backend = echoPathBackend();
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", backend.port()).build()).build().start();
             RawHttp client = new RawHttp(sluice.listenerAddress("web"))) {
            client.send("GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "GET /three HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(client.read().body()).startsWith("/one ");
            assertThat(client.read().body()).startsWith("/two ");
            assertThat(client.read().body()).startsWith("/three ");
        }
    }

    @Test
    void thousandSequentialRequestsUseAtMostTwoUpstreamConnections() throws Exception {
        try (ScriptedBackend backend = echoPathBackend();
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", backend.port()).build()).build().start();
             RawHttp client = new RawHttp(sluice.listenerAddress("web"))) {
            for (int i = 0; i < 1000; i++) {
                client.send("GET /r" + i + " HTTP/1.1\r\nHost: a\r\n\r\n");
                RawHttp.Response r = client.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).startsWith("/r" + i + " ");
            }
            assertThat(backend.accepted()).isBetween(1, 2);
        }
    }

    @Test
    void idleUpstreamConnectionClosesAfterIdleTimeout() throws Exception {
        AtomicInteger closedByProxy = new AtomicInteger();
        try (ScriptedBackend backend = new ScriptedBackend((s, index) -> {
                InputStream in = s.getInputStream();
                while (ScriptedBackend.readHead(in) != null) {
                    ScriptedBackend.writeOk(s, "ok");
                }
                closedByProxy.incrementAndGet();
            });
             Sluice sluice = Sluice.builder().config(TestConfigs.create()
                     .pool("p", TestConfigs.timeouts(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofMillis(300)),
                             backend.port()).build()).build().start();
             RawHttp client = new RawHttp(sluice.listenerAddress("web"))) {
            client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(client.read().status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> closedByProxy.get() == 1);
        }
    }

    @Test
    void stalePooledConnectionIsReplacedByAFreshOne() throws Exception {
        // Connection 0 answers one request, then, as a backend with a short keep-alive would, closes
        // when the next request arrives without answering it. The proxy must resend on a new connection.
        try (ScriptedBackend backend = new ScriptedBackend((s, index) -> {
                InputStream in = s.getInputStream();
                int served = 0;
                while (ScriptedBackend.readHead(in) != null) {
                    if (index == 0 && served == 1) {
                        return;
                    }
                    ScriptedBackend.writeOk(s, "conn " + index);
                    served++;
                }
            });
             Sluice sluice = Sluice.builder().config(TestConfigs.create().workers(1).pool("p", backend.port()).build())
                     .build().start();
             RawHttp client = new RawHttp(sluice.listenerAddress("web"))) {
            client.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(client.read().body()).isEqualTo("conn 0");
            client.send("GET /b HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Response second = client.read();
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.body()).isEqualTo("conn 1");
            assertThat(backend.accepted()).isEqualTo(2);
        }
    }

    @Test
    void backendClosingAfterEachResponseLosesNoRequest() throws Exception {
        try (ScriptedBackend backend = new ScriptedBackend((s, index) -> {
                if (ScriptedBackend.readHead(s.getInputStream()) != null) {
                    ScriptedBackend.writeOk(s, "once");
                }
            });
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", backend.port()).build()).build().start();
             RawHttp client = new RawHttp(sluice.listenerAddress("web"))) {
            for (int i = 0; i < 50; i++) {
                client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(client.read().status()).isEqualTo(200);
            }
            assertThat(backend.accepted()).isEqualTo(50);
        }
    }

}

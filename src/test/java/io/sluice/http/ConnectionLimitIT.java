package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.Sluice;
import io.sluice.config.ConnectionLimitConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.ProxyVersion;
import io.netty.handler.codec.http2.Http2Error;
import io.sluice.testing.H2Wire;
import io.sluice.testing.MetricsScrape;
import io.sluice.testing.RawHttp;
import io.sluice.testing.ScriptedBackend;
import io.sluice.testing.TestConfigs;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A pool's {@code connection_limit}: a backend never has more connections from Sluice than the limit; requests
 * beyond it wait in line and go, in order of arrival, on the connections that come free; a full line or a wait
 * past the queue timeout is a 503 that never reaches the backend; a client that leaves while waiting leaves the
 * line. The backend holds each request until the test lets it answer, and records every request it receives.
 */
class ConnectionLimitIT {
    private final Semaphore answer = new Semaphore(0);
    /** Request heads as the backend received them, in order. */
    private final BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        answer.release(1000);
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** A backend that records each request and answers it, with its path as the body, once the test allows. */
    private ScriptedBackend backend() throws Exception {
        ScriptedBackend b = new ScriptedBackend((s, i) -> {
            InputStream in = s.getInputStream();
            String head;
            while ((head = ScriptedBackend.readHead(in)) != null) {
                seen.add(head);
                if (!answer.tryAcquire(20, TimeUnit.SECONDS)) {
                    return;
                }
                ScriptedBackend.writeOk(s, path(head));
            }
        });
        open.add(b);
        return b;
    }

    /** The path of the request line in a recorded head (after a PROXY header line, if any). */
    private static String path(String head) {
        String line = head.substring(head.startsWith("PROXY ") ? head.indexOf('\n') + 1 : 0);
        return line.split(" ")[1];
    }

    private Sluice sluice(ScriptedBackend backend, ConnectionLimitConfig limit, ProxyVersion proxy) throws Exception {
        PoolConfig pool = PoolConfig.builder("p").backends(TestConfigs.backends(backend.port())).connectionLimit(limit)
                .sendProxyProtocol(proxy).build();
        Sluice s = Sluice.builder().config(TestConfigs.create().workers(1).pool(pool).build()).build().start();
        open.add(s);
        return s;
    }

    private RawHttp client(Sluice s) throws Exception {
        RawHttp c = new RawHttp(s.listenerAddress("web"));
        open.add(c);
        return c;
    }

    private String nextSeenPath() throws InterruptedException {
        String head = seen.poll(10, TimeUnit.SECONDS);
        assertThat(head).as("a request reached the backend").isNotNull();
        return path(head);
    }

    private static void get(RawHttp c, String path) throws Exception {
        c.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n");
    }

    private static void awaitQueued(Sluice s, int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> s.upstreamQueued() == n);
    }

    @Test
    void requestsBeyondTheLimitWaitAndGoInOrderOnTheConnectionsThatComeFree() throws Exception {
        ScriptedBackend backend = backend();
        Sluice s = sluice(backend, new ConnectionLimitConfig(2, 10, Duration.ofSeconds(20)), ProxyVersion.NONE);
        List<RawHttp> clients = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            RawHttp c = client(s);
            clients.add(c);
            get(c, "/" + i);
            if (i <= 2) {
                assertThat(nextSeenPath()).isIn("/1", "/2");
            } else {
                awaitQueued(s, i - 2); // in line, in this order
            }
        }
        assertThat(backend.accepted()).isEqualTo(2);
        assertThat(MetricsScrape.of(s.adminAddress()).sum("sluice_upstream_queued_requests", Map.of()))
                .isEqualTo(3.0);
        for (String next : List.of("/3", "/4", "/5")) {
            answer.release(); // one held request is answered; its connection takes the first in line
            assertThat(nextSeenPath()).isEqualTo(next);
        }
        answer.release(2);
        for (int i = 0; i < 5; i++) {
            RawHttp.Response r = clients.get(i).read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("/" + (i + 1));
        }
        assertThat(backend.accepted()).as("connections the backend saw").isEqualTo(2);
        assertThat(s.upstreamQueued()).isZero();
    }

    @Test
    void aFullLineIsA503AtOnceThatNeverReachesTheBackend() throws Exception {
        ScriptedBackend backend = backend();
        Sluice s = sluice(backend, new ConnectionLimitConfig(1, 1, Duration.ofSeconds(20)), ProxyVersion.NONE);
        RawHttp a = client(s);
        get(a, "/a");
        assertThat(nextSeenPath()).isEqualTo("/a");
        RawHttp b = client(s);
        get(b, "/b");
        awaitQueued(s, 1);
        RawHttp c = client(s);
        get(c, "/c");
        RawHttp.Response full = c.read(); // while /a is still held
        assertThat(full.status()).isEqualTo(503);
        answer.release();
        assertThat(nextSeenPath()).isEqualTo("/b");
        answer.release();
        assertThat(a.read().body()).isEqualTo("/a");
        assertThat(b.read().body()).isEqualTo("/b");
        get(c, "/d"); // the 503 left its connection open: the next request goes through
        assertThat(nextSeenPath()).isEqualTo("/d");
        answer.release();
        assertThat(c.read().body()).isEqualTo("/d");
        assertThat(backend.accepted()).isEqualTo(1);
    }

    @Test
    void aRequestThatWaitsPastTheQueueTimeoutGets503AndNeverReachesTheBackend() throws Exception {
        ScriptedBackend backend = backend();
        Sluice s = sluice(backend, new ConnectionLimitConfig(1, 10, Duration.ofMillis(300)), ProxyVersion.NONE);
        RawHttp a = client(s);
        get(a, "/a");
        assertThat(nextSeenPath()).isEqualTo("/a");
        RawHttp b = client(s);
        get(b, "/b");
        assertThat(b.read().status()).isEqualTo(503); // /a is held for as long as the test wants
        assertThat(s.upstreamQueued()).isZero();
        answer.release();
        assertThat(a.read().body()).isEqualTo("/a");
        get(b, "/c");
        assertThat(nextSeenPath()).as("the next request the backend sees").isEqualTo("/c");
        answer.release();
        assertThat(b.read().body()).isEqualTo("/c");
    }

    @Test
    void aClientThatResetsWhileWaitingLeavesTheLine() throws Exception {
        ScriptedBackend backend = backend();
        Sluice s = sluice(backend, new ConnectionLimitConfig(1, 10, Duration.ofSeconds(20)), ProxyVersion.NONE);
        RawHttp a = client(s);
        get(a, "/a");
        assertThat(nextSeenPath()).isEqualTo("/a");
        RawHttp b = client(s);
        get(b, "/b");
        awaitQueued(s, 1);
        b.reset(); // a FIN would be a half-close, after which the request is still answered
        awaitQueued(s, 0);
        RawHttp c = client(s);
        get(c, "/c");
        awaitQueued(s, 1);
        answer.release();
        assertThat(a.read().body()).isEqualTo("/a");
        assertThat(nextSeenPath()).isEqualTo("/c");
        answer.release();
        assertThat(c.read().body()).isEqualTo("/c");
        assertThat(backend.accepted()).isEqualTo(1);
    }

    @Test
    void anHttp2StreamCancelledWhileWaitingLeavesTheLine() throws Exception {
        ScriptedBackend backend = backend();
        Sluice s = sluice(backend, new ConnectionLimitConfig(1, 10, Duration.ofSeconds(20)), ProxyVersion.NONE);
        RawHttp a = client(s);
        get(a, "/a");
        assertThat(nextSeenPath()).isEqualTo("/a");
        H2Wire h2 = new H2Wire(s.listenerAddress("web"));
        open.add(h2);
        h2.startReading().preface().send(H2Wire.get(1, "/b"));
        awaitQueued(s, 1);
        h2.send(H2Wire.rstStream(1, Http2Error.CANCEL));
        awaitQueued(s, 0);
        h2.send(H2Wire.get(3, "/c")); // the connection goes on; this stream lines up after /a
        awaitQueued(s, 1);
        answer.release();
        assertThat(a.read().body()).isEqualTo("/a");
        assertThat(nextSeenPath()).isEqualTo("/c");
        answer.release();
        assertThat(backend.accepted()).isEqualTo(1);
    }

    @Test
    void withProxyHeadersAnotherClientsIdleConnectionIsClosedToMakeRoom() throws Exception {
        ScriptedBackend backend = backend();
        Sluice s = sluice(backend, new ConnectionLimitConfig(1, 10, Duration.ofSeconds(20)), ProxyVersion.V1);
        RawHttp x = client(s);
        get(x, "/x");
        assertThat(nextSeenPath()).isEqualTo("/x");
        answer.release();
        assertThat(x.read().body()).isEqualTo("/x"); // x's connection now waits idle, private to x
        RawHttp y = client(s);
        get(y, "/y");
        String head = seen.poll(10, TimeUnit.SECONDS);
        assertThat(head).as("y's request reached the backend").isNotNull();
        assertThat(path(head)).isEqualTo("/y");
        assertThat(head).startsWith("PROXY TCP4 127.0.0.1 127.0.0.1 " + y.localAddress().getPort() + " ");
        answer.release();
        assertThat(y.read().body()).isEqualTo("/y");
        assertThat(backend.accepted()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> s.upstreamConnections() == 1); // x's was closed
    }
}

package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.Sluice;
import io.sluice.testing.RawHttp;
import io.sluice.testing.ScriptedBackend;
import io.sluice.testing.TestConfigs;
import java.io.InputStream;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Hop-by-hop headers stop at the proxy; the X-Forwarded-* family and the informational headers are added. */
class HeadersIT {

    @Test
    void requestHeadersAreRewrittenForTheBackend() throws Exception {
        BlockingQueue<String> heads = new LinkedBlockingQueue<>();
        try (ScriptedBackend backend = new ScriptedBackend((s, i) -> {
                InputStream in = s.getInputStream();
                String head;
                while ((head = ScriptedBackend.readHead(in)) != null) {
                    heads.add(head);
                    ScriptedBackend.writeOk(s, "ok", "Keep-Alive: timeout=5", "X-Secret-Hop: 1",
                            "Connection: X-Secret-Hop", "Upgrade: h2c", "X-Kept: yes");
                }
            });
             Sluice sluice = Sluice.builder().config(TestConfigs.create().headers(true, true)
                     .pool("p", backend.port()).build()).build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            int proxyPort = sluice.listenerAddress("web").getPort();
            RawHttp.Response r = c.send("GET /h HTTP/1.1\r\nHost: shop.example.com:8443\r\n"
                    + "Connection: keep-alive, X-Private\r\nX-Private: drop me\r\nKeep-Alive: timeout=9\r\n"
                    + "Proxy-Connection: keep-alive\r\nTE: deflate, trailers\r\nTrailer: X-Sum\r\nUpgrade: websocket\r\n"
                    + "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\nX-Custom: stays\r\n\r\n").read();
            String head = heads.poll(5, TimeUnit.SECONDS);
            assertThat(head).isNotNull();
            String lower = head.toLowerCase(Locale.ROOT);
            assertThat(lower).doesNotContain("x-private").doesNotContain("keep-alive:")
                    .doesNotContain("proxy-connection").doesNotContain("deflate").doesNotContain("trailer:")
                    .doesNotContain("upgrade:").doesNotContain("transfer-encoding");
            assertThat(head).contains("Host: shop.example.com:8443\r\n");
            assertThat(lower).contains("x-custom: stays\r\n");
            assertThat(lower).as("TE keeps only `trailers`, which gRPC needs").contains("\r\nte: trailers\r\n");
            assertThat(lower).contains("x-forwarded-for: 203.0.113.7, 127.0.0.1\r\n");
            assertThat(lower).contains("x-forwarded-proto: http\r\n");
            assertThat(lower).contains("x-forwarded-host: shop.example.com:8443\r\n");
            assertThat(lower).contains("x-forwarded-port: " + proxyPort + "\r\n");
            assertThat(lower).contains("x-forwarded-by: sluice\r\n");

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-Backend-Server")).isEqualTo("127.0.0.1:" + backend.port());
            assertThat(r.header("X-Kept")).isEqualTo("yes");
            assertThat(r.headers()).doesNotContainKeys("keep-alive", "x-secret-hop", "upgrade");
        }
    }

    @Test
    void informationalHeadersAreOffByDefault() throws Exception {
        BlockingQueue<String> heads = new LinkedBlockingQueue<>();
        try (ScriptedBackend backend = new ScriptedBackend((s, i) -> {
                heads.add(ScriptedBackend.readHead(s.getInputStream()));
                ScriptedBackend.writeOk(s, "ok");
            });
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", backend.port()).build()).build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(heads.poll(5, TimeUnit.SECONDS).toLowerCase(Locale.ROOT))
                    .doesNotContain("x-forwarded-by").contains("x-forwarded-for: 127.0.0.1");
            assertThat(r.headers()).doesNotContainKey("x-backend-server");
        }
    }

    @Test
    void chunkedRequestIsSentChunkedAndCloseDelimitedResponseIsRechunked() throws Exception {
        BlockingQueue<String> heads = new LinkedBlockingQueue<>();
        try (ScriptedBackend backend = new ScriptedBackend((s, i) -> {
                InputStream in = s.getInputStream();
                heads.add(ScriptedBackend.readHead(in));
                // read the chunked body up to its last chunk
                StringBuilder sb = new StringBuilder();
                int b;
                while ((b = in.read()) != -1) {
                    sb.append((char) b);
                    if (sb.toString().endsWith("0\r\n\r\n")) {
                        break;
                    }
                }
                heads.add(sb.toString());
                // An HTTP/1.0-style answer: no length, the close ends the body.
                s.getOutputStream().write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close".getBytes());
            });
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", backend.port()).build()).build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").read();
            assertThat(heads.poll(5, TimeUnit.SECONDS).toLowerCase(Locale.ROOT)).contains("transfer-encoding: chunked");
            assertThat(heads.poll(5, TimeUnit.SECONDS)).contains("hello").contains(" world").endsWith("0\r\n\r\n");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(r.body()).isEqualTo("until close");
            // The client connection itself stays open for the next request.
            assertThat(r.header("Connection")).isNull();
        }
    }

    @Test
    void headRequestGetsHeadersOnly() throws Exception {
        try (ScriptedBackend backend = new ScriptedBackend((s, i) -> {
                InputStream in = s.getInputStream();
                while (ScriptedBackend.readHead(in) != null) {
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n".getBytes());
                }
            });
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", backend.port()).build()).build().start();
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n").readHead();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Length")).isEqualTo("1234");
            // Next response on the same connection proves no body bytes followed the HEAD response.
            RawHttp.Response again = c.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n").readHead();
            assertThat(again.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        }
    }

    @Test
    void http10ClientGetsConnectionClosedUnlessItAskedForKeepAlive() throws Exception {
        try (ScriptedBackend backend = new ScriptedBackend((s, i) -> {
                InputStream in = s.getInputStream();
                while (ScriptedBackend.readHead(in) != null) {
                    ScriptedBackend.writeOk(s, "ten");
                }
            });
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", backend.port()).build()).build().start()) {
            try (RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
                RawHttp.Response r = c.send("GET / HTTP/1.0\r\n\r\n").read();
                assertThat(r.body()).isEqualTo("ten");
                assertThat(c.closedByPeer()).isTrue();
            }
            try (RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
                RawHttp.Response r = c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
                assertThat(r.header("Connection")).isEqualToIgnoringCase("keep-alive");
                assertThat(c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read().body()).isEqualTo("ten");
            }
        }
    }
}

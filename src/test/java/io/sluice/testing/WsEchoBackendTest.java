package io.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WsEchoBackend with the JDK's WebSocket and HTTP clients, over ws and once over wss. */
class WsEchoBackendTest {
    private WsEchoBackend backend;

    @BeforeEach
    void start() throws Exception {
        backend = new WsEchoBackend();
    }

    @AfterEach
    void stop() {
        backend.close();
    }

    private static WebSocket open(HttpClient http, String uri, WsCollector c) throws Exception {
        return http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(uri), c).get(10, TimeUnit.SECONDS);
    }

    @Test
    void echoesTenTextAndTenBinaryMessages() throws Exception {
        WsCollector c = new WsCollector();
        WebSocket ws = open(HttpClient.newHttpClient(), "ws://127.0.0.1:" + backend.port() + "/ws?room=1", c);
        for (int i = 0; i < 10; i++) {
            ws.sendText("text-" + i, true).get(10, TimeUnit.SECONDS);
            ws.sendBinary(ByteBuffer.wrap(new byte[] {(byte) i, 0, (byte) 0xff}), true).get(10, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 10; i++) {
            assertThat(c.next()).isEqualTo("text-" + i);
            assertThat(c.next()).isEqualTo(new byte[] {(byte) i, 0, (byte) 0xff});
        }
        assertThat(backend.messages()).isEqualTo(20);
        assertThat(backend.upgrades()).isEqualTo(1);
        assertThat(backend.connections()).isEqualTo(1);
        assertThat(backend.lastUpgradeUri()).isEqualTo("/ws?room=1");
        assertThat(backend.lastUpgradeHeaders()).containsKey("sec-websocket-key");

        ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        assertThat(c.closed.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
    }

    @Test
    void fragmentsComeBackAsOneMessage() throws Exception {
        WsCollector c = new WsCollector();
        WebSocket ws = open(HttpClient.newHttpClient(), "ws://127.0.0.1:" + backend.port() + "/", c);
        ws.sendText("first half, ", false).get(10, TimeUnit.SECONDS);
        ws.sendText("second half", true).get(10, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("first half, second half");
        assertThat(backend.messages()).isEqualTo(1);
        ws.abort();
    }

    @Test
    void closeCommandMakesTheBackendClose() throws Exception {
        WsCollector c = new WsCollector();
        WebSocket ws = open(HttpClient.newHttpClient(), "ws://127.0.0.1:" + backend.port() + "/ws", c);
        ws.sendText(WsEchoBackend.CLOSE_COMMAND, true).get(10, TimeUnit.SECONDS);
        assertThat(c.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
        assertThat(backend.messages()).isZero();
    }

    @Test
    void plainHttpGetsAnAnswer() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + backend.port() + "/anything")).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ws backend");
        assertThat(backend.httpRequests()).isEqualTo(1);
        assertThat(backend.upgrades()).isZero();
    }

    @Test
    void echoOverWss(@TempDir Path dir) throws Exception {
        TestCerts.Issued cert = TestCerts.selfSigned(dir, "localhost", java.util.List.of("DNS:localhost", "IP:127.0.0.1"));
        try (WsEchoBackend tls = new WsEchoBackend(WsEchoBackend.serverTls(cert.cert(), cert.key()))) {
            HttpClient http = HttpClient.newBuilder().sslContext(TestCerts.trusting(cert.cert())).build();
            WsCollector c = new WsCollector();
            WebSocket ws = open(http, "wss://127.0.0.1:" + tls.port() + "/ws", c);
            ws.sendText("secure", true).get(10, TimeUnit.SECONDS);
            assertThat(c.next()).isEqualTo("secure");
            assertThat(tls.upgrades()).isEqualTo(1);
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
            assertThat(c.closed.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
        }
    }
}

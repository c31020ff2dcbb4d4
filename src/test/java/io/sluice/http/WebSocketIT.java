package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.Sluice;
import io.sluice.balance.BackendState;
import io.sluice.config.LimitsConfig;
import io.sluice.testing.TestConfigs;
import io.sluice.testing.WsCollector;
import io.sluice.testing.WsEchoBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * WebSocket through Sluice with the JDK's client: the upgrade reaches the backend, and after its 101 the
 * frames flow both ways unchanged until either side closes; the tunnel counts as in flight on its backend
 * and closes when idle.
 */
class WebSocketIT {

    /** Sends {@code count} messages, text and binary in turn, each checked as it comes back. */
    static void exchange(WebSocket ws, WsCollector c, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            if (i % 2 == 0) {
                String msg = "text " + i + " " + "é".repeat(i % 50);
                ws.sendText(msg, true).get(5, TimeUnit.SECONDS);
                assertThat(c.messages.poll(5, TimeUnit.SECONDS)).isEqualTo(msg);
            } else {
                byte[] msg = new byte[1 + (i * 131) % 70_000];
                for (int j = 0; j < msg.length; j++) {
                    msg[j] = (byte) (i + j * 7);
                }
                ws.sendBinary(ByteBuffer.wrap(msg), true).get(5, TimeUnit.SECONDS);
                assertThat((byte[]) c.messages.poll(5, TimeUnit.SECONDS)).isEqualTo(msg);
            }
        }
    }

    @Test
    void aThousandTextAndBinaryMessagesGoThroughAndBack() throws Exception {
        try (WsEchoBackend backend = new WsEchoBackend();
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", backend.port()).build())
                     .build().start()) {
            BackendState state = sluice.snapshot().pool("p").backends().get(0).state();
            WsCollector c = new WsCollector();
            URI uri = URI.create("ws://127.0.0.1:" + sluice.listenerAddress("web").getPort() + "/chat?room=1");
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, c).get(10, TimeUnit.SECONDS);
            exchange(ws, c, 1000);
            assertThat(backend.messages()).isEqualTo(1000);
            assertThat(backend.lastUpgradeUri()).isEqualTo("/chat?room=1");
            assertThat(backend.lastUpgradeHeaders().get("x-forwarded-for")).containsExactly("127.0.0.1");
            assertThat(state.inFlight()).as("an open tunnel is in flight on its backend").isEqualTo(1);

            ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            assertThat(c.closed.get(5, TimeUnit.SECONDS)).isEqualTo(WebSocket.NORMAL_CLOSURE);
            await().atMost(Duration.ofSeconds(5)).until(() -> state.inFlight() == 0);
            await().atMost(Duration.ofSeconds(5)).until(() -> sluice.upstreamConnections() == 0);
        }
    }

    @Test
    void whenTheBackendClosesTheClientIsClosedToo() throws Exception {
        try (WsEchoBackend backend = new WsEchoBackend();
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", backend.port()).build())
                     .build().start()) {
            WsCollector c = new WsCollector();
            URI uri = URI.create("ws://127.0.0.1:" + sluice.listenerAddress("web").getPort() + "/ws");
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, c).get(10, TimeUnit.SECONDS);
            exchange(ws, c, 10);
            ws.sendText(WsEchoBackend.CLOSE_COMMAND, true).get(5, TimeUnit.SECONDS);
            assertThat(c.closed.get(5, TimeUnit.SECONDS)).isNotNull();
            await().atMost(Duration.ofSeconds(5)).until(() -> sluice.clientConnections() == 0);
        }
    }

    @Test
    void anIdleTunnelIsClosedAfterTheIdleTimeout() throws Exception {
        LimitsConfig d = LimitsConfig.DEFAULTS;
        LimitsConfig limits = new LimitsConfig(d.maxHeaderSize(), d.maxBodySize(), d.headerTimeout(),
                Duration.ofMillis(400), d.maxConnections(), d.drainTimeout());
        try (WsEchoBackend backend = new WsEchoBackend();
             Sluice sluice = Sluice.builder().config(TestConfigs.create().limits(limits).pool("p", backend.port())
                     .build()).build().start()) {
            WsCollector c = new WsCollector();
            URI uri = URI.create("ws://127.0.0.1:" + sluice.listenerAddress("web").getPort() + "/ws");
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, c).get(10, TimeUnit.SECONDS);
            exchange(ws, c, 4);
            assertThat(c.closed.get(10, TimeUnit.SECONDS)).isNotNull();
            await().atMost(Duration.ofSeconds(5)).until(() -> sluice.upstreamConnections() == 0);
        }
    }

    @Test
    void aClientThatShutsItsSideEndsTheTunnelAndItsBackendConnection() throws Exception {
        try (WsEchoBackend backend = new WsEchoBackend();
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", backend.port()).build())
                     .build().start();
             io.sluice.testing.RawHttp c = new io.sluice.testing.RawHttp(sluice.listenerAddress("web")).timeout(5000)) {
            var head = c.send("GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").readHead();
            assertThat(head.status()).isEqualTo(101);
            await().atMost(Duration.ofSeconds(5)).until(() -> sluice.upstreamConnections() == 1);
            c.shutdownOutput(); // a FIN without a close frame: the client connection is half-closable now
            assertThat(c.closedByPeer()).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> sluice.upstreamConnections() == 0);
        }
    }

    @Test
    void aPlainRequestToTheSameBackendIsStillAnOrdinaryExchange() throws Exception {
        try (WsEchoBackend backend = new WsEchoBackend();
             Sluice sluice = Sluice.builder().config(TestConfigs.create().pool("p", backend.port()).build())
                     .build().start()) {
            var r = HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + sluice.listenerAddress("web").getPort() + "/x")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("ws backend");
            assertThat(List.of(backend.upgrades())).containsExactly(0);
        }
    }
}

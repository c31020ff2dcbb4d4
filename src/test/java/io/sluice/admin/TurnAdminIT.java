package io.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.ReloadResult;
import io.sluice.Sluice;
import io.sluice.cli.Main;
import io.sluice.config.Config;
import io.sluice.config.ConfigLoader;
import io.sluice.testing.MetricsScrape;
import io.sluice.testing.PrometheusText;
import io.sluice.turn.TurnTestClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The STUN and TURN figures as an operator reads them: a real allocation over UDP relaying to a loopback peer and
 * back, then {@code /metrics}, {@code GET /api/turn/allocations}, the {@code stun_listeners} of {@code /_health},
 * {@code sluice status}, and {@code DELETE /api/turn/allocations/{listener}/{id}} with and without the admin token.
 */
class TurnAdminIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "s3cret-token";
    private static final String REALM = "example.com";
    private final HttpClient http = HttpClient.newHttpClient();

    private static Sluice start(String adminToken) throws Exception {
        return Sluice.builder().config(config(adminToken, "")).build().start();
    }

    /** A turn listener "relay", a stun listener "plain", then {@code more} listeners (YAML list items). */
    private static Config config(String adminToken, String more) throws Exception {
        return ConfigLoader.parse("""
                listeners:
                  - name: relay
                    bind: "127.0.0.1:0"
                    protocol: turn
                    transports: [udp]
                    turn:
                      realm: example.com
                      auth: { users: { alice: wonderland } }
                      allowed_peers: [ 127.0.0.1 ]
                  - name: plain
                    bind: "127.0.0.1:0"
                    protocol: stun
                    transports: [udp]
                %s
                admin: { bind: "127.0.0.1:0"%s }
                """.formatted(more, adminToken == null ? "" : ", token: " + adminToken), "test.yaml", k -> null);
    }

    private HttpResponse<String> call(Sluice s, String method, String path, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.adminAddress().getPort()
                + path)).timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(Sluice s, String path) throws Exception {
        HttpResponse<String> r = call(s, "GET", path, null);
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** A STUN request of {@code method} (1: Binding) with no attributes; its answer, or null when none comes. */
    private static byte[] stun(DatagramSocket s, InetSocketAddress to, int method) throws Exception {
        byte[] id = new byte[12];
        ThreadLocalRandom.current().nextBytes(id);
        byte[] request = ByteBuffer.allocate(20).putShort((short) method).putShort((short) 0).putInt(0x2112A442)
                .put(id).array();
        s.send(new DatagramPacket(request, request.length, to));
        DatagramPacket p = new DatagramPacket(new byte[1024], 1024);
        s.receive(p);
        return Arrays.copyOf(p.getData(), p.getLength());
    }

    private static int type(byte[] message) {
        return (message[0] & 0xff) << 8 | message[1] & 0xff;
    }

    private static DatagramSocket socket() throws Exception {
        DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        s.setSoTimeout(10_000);
        return s;
    }

    private static String receive(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[100], 100);
        s.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }

    /** What {@code sluice status --admin ...} prints. */
    private static String statusCommand(Sluice s) {
        PrintStream old = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = Main.commandLine().execute("status", "--admin", "127.0.0.1:" + s.adminAddress().getPort());
        } finally {
            System.setOut(old);
        }
        assertThat(exit).as("sluice status exit code").isZero();
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The message of {@link TurnTestClient}'s AssertionError for an error {@code code}, e.g. "TURN error 437". */
    private static String error(int code) {
        return "TURN error " + code;
    }

    /** The cells of the status table's row for {@code listener} (columns are two or more spaces apart). */
    private static List<String> row(String table, String listener) {
        return table.lines().filter(l -> l.startsWith(listener + " ")).findFirst()
                .map(l -> List.of(l.trim().split(" {2,}"))).orElseThrow(() -> new AssertionError("no row "
                        + listener + " in:\n" + table));
    }

    @Test
    void countersAllocationsStatusAndDeleteWithTheToken() throws Exception {
        try (Sluice sluice = start(TOKEN); DatagramSocket stunClient = socket(); DatagramSocket peer = socket();
             TurnTestClient alice = new TurnTestClient(sluice.listenerAddress("relay"), "alice", "wonderland", REALM);
             TurnTestClient mallory = new TurnTestClient(sluice.listenerAddress("relay"), "alice", "guess", REALM)) {
            InetSocketAddress relayListener = sluice.listenerAddress("relay");
            InetSocketAddress plainListener = sluice.listenerAddress("plain");

            // STUN: a Binding answered by each listener, a request of another method refused by the stun one,
            // and a datagram that is no STUN at all (dropped without an answer) sent to the turn one
            assertThat(type(stun(stunClient, relayListener, 0x0001))).as("Binding success").isEqualTo(0x0101);
            assertThat(type(stun(stunClient, plainListener, 0x0001))).as("Binding success").isEqualTo(0x0101);
            assertThat(type(stun(stunClient, plainListener, 0x0003))).as("Allocate error on a stun listener")
                    .isEqualTo(0x0113);
            byte[] junk = new byte[20];
            Arrays.fill(junk, (byte) 0xFF);
            stunClient.send(new DatagramPacket(junk, junk.length, relayListener));

            // TURN: one wrong password, one allocation relaying 3 datagrams to the peer and 2 back
            assertThatThrownBy(mallory::allocate).hasMessageMatching(error(401));
            InetSocketAddress relayed = alice.allocate();
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            alice.permit(peerAddress);
            for (int i = 0; i < 3; i++) {
                alice.send(peerAddress, "hello".getBytes(StandardCharsets.UTF_8));
                assertThat(receive(peer)).isEqualTo("hello");
            }
            for (int i = 0; i < 2; i++) {
                peer.send(new DatagramPacket("back".getBytes(StandardCharsets.UTF_8), 4, relayed));
            }

            Map<String, String> relay = Map.of("listener", "relay");
            Map<String, String> plain = Map.of("listener", "plain");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                MetricsScrape m = MetricsScrape.of(sluice.adminAddress());
                assertThat(m.sum("sluice_turn_peer_received_packets_total", relay)).isEqualTo(2);
                assertThat(m.sum("sluice_stun_malformed_messages_total", relay)).isEqualTo(1);
            });
            String text = MetricsScrape.of(sluice.adminAddress()).toString();
            MetricsScrape m = MetricsScrape.of(sluice.adminAddress());
            assertThat(m.sum("sluice_turn_allocations", relay)).isEqualTo(1);
            assertThat(m.sum("sluice_turn_permissions", relay)).isEqualTo(1);
            assertThat(m.sum("sluice_turn_channels", relay)).isZero();
            assertThat(m.sum("sluice_turn_allocations_made_total", relay)).isEqualTo(1);
            assertThat(m.sum("sluice_turn_peer_sent_packets_total", relay)).isEqualTo(3);
            assertThat(m.sum("sluice_turn_peer_sent_bytes_total", relay)).isEqualTo(15);
            assertThat(m.sum("sluice_turn_peer_received_packets_total", relay)).isEqualTo(2);
            assertThat(m.sum("sluice_turn_peer_received_bytes_total", relay)).isEqualTo(8);
            assertThat(m.sum("sluice_turn_auth_failures_total", relay)).isEqualTo(1);
            assertThat(m.sum("sluice_turn_dropped_messages_total", relay)).isZero();
            assertThat(m.sum("sluice_stun_binding_requests_total", relay)).isEqualTo(1);
            assertThat(m.sum("sluice_stun_binding_requests_total", plain)).isEqualTo(1);
            assertThat(m.sum("sluice_stun_error_responses_total", plain)).isEqualTo(1);
            assertThat(m.sum("sluice_stun_error_responses_total", relay)).isZero();
            assertThat(m.sum("sluice_stun_malformed_messages_total", plain)).isZero();
            assertThat(m.sum("sluice_stun_ignored_messages_total", plain)).isZero();
            assertThatThrownBy(() -> m.sum("sluice_turn_allocations", plain)).as("a stun listener relays nothing")
                    .isInstanceOf(AssertionError.class);
            if (PrometheusText.available()) {
                PrometheusText parsed = PrometheusText.parse(text);
                assertThat(parsed.type("sluice_turn_allocations")).isEqualTo("gauge");
                assertThat(parsed.type("sluice_turn_peer_sent_bytes")).isEqualTo("counter");
                assertThat(parsed.type("sluice_stun_binding_requests")).isEqualTo("counter");
            }

            JsonNode list = get(sluice, "/api/turn/allocations").get("allocations");
            assertThat(list).hasSize(1);
            JsonNode a = list.get(0);
            long id = a.get("id").asLong();
            assertThat(a.get("listener").asText()).isEqualTo("relay");
            assertThat(a.get("user").asText()).isEqualTo("alice");
            assertThat(a.get("client").asText()).isEqualTo("udp/127.0.0.1:" + alice.address().getPort());
            assertThat(a.get("relay").asText()).isEqualTo("127.0.0.1:" + relayed.getPort());
            assertThat(a.get("age_seconds").asLong()).isBetween(0L, 60L);
            assertThat(a.get("bytes_to_peers").asLong()).isEqualTo(15);
            assertThat(a.get("bytes_from_peers").asLong()).isEqualTo(8);
            assertThat(get(sluice, "/api/turn/allocations?listener=relay").get("allocations")).hasSize(1);
            assertThat(call(sluice, "GET", "/api/turn/allocations?listener=plain", null).statusCode())
                    .as("a stun listener has no allocations").isEqualTo(404);
            assertThat(call(sluice, "GET", "/api/turn/allocations?listener=nope", null).statusCode()).isEqualTo(404);

            JsonNode health = get(sluice, "/_health");
            JsonNode stunListeners = health.get("stun_listeners");
            assertThat(stunListeners).hasSize(2);
            JsonNode r = stunListeners.get(0);
            assertThat(r.get("name").asText()).isEqualTo("relay");
            assertThat(r.get("kind").asText()).isEqualTo("turn");
            assertThat(r.get("bindings").asLong()).isEqualTo(1);
            assertThat(r.get("malformed").asLong()).isEqualTo(1);
            JsonNode t = r.get("turn");
            assertThat(t.get("allocations").asInt()).isEqualTo(1);
            assertThat(t.get("permissions").asInt()).isEqualTo(1);
            assertThat(t.get("channels").asInt()).isZero();
            assertThat(t.get("packets_to_peers").asLong()).isEqualTo(3);
            assertThat(t.get("bytes_to_peers").asLong()).isEqualTo(15);
            assertThat(t.get("packets_from_peers").asLong()).isEqualTo(2);
            assertThat(t.get("bytes_from_peers").asLong()).isEqualTo(8);
            assertThat(t.get("auth_failures").asLong()).isEqualTo(1);
            assertThat(stunListeners.get(1).get("kind").asText()).isEqualTo("stun");
            assertThat(stunListeners.get(1).get("errors").asLong()).isEqualTo(1);
            assertThat(stunListeners.get(1).get("turn").isNull()).isTrue();

            String status = statusCommand(sluice);
            assertThat(status).contains("BINDINGS").contains("ALLOCATIONS").contains("AUTH FAILURES");
            assertThat(row(status, "relay")).containsExactly("relay", "turn (udp)", "127.0.0.1:0", "1", "0", "1",
                    "1", "1", "0", "3 pkts, 15 B", "2 pkts, 8 B", "1");
            assertThat(row(status, "plain")).containsExactly("plain", "stun (udp)", "127.0.0.1:0", "1", "1", "0",
                    "-", "-", "-", "-", "-", "-");
            assertThat(row(sluice.healthReport(), "relay")).as("the in-process report").contains("3 pkts, 15 B");

            String one = "/api/turn/allocations/relay/" + id;
            assertThat(call(sluice, "DELETE", one, null).statusCode()).as("no token").isEqualTo(401);
            assertThat(call(sluice, "DELETE", one, "wrong").statusCode()).as("a wrong token").isEqualTo(401);
            assertThat(call(sluice, "GET", one, TOKEN).statusCode()).isEqualTo(405);
            assertThat(sluice.turn("relay").allocations()).as("nothing ended without the token").hasSize(1);
            assertThat(call(sluice, "DELETE", "/api/turn/allocations/relay/" + (id + 100), TOKEN).statusCode())
                    .isEqualTo(404);
            assertThat(call(sluice, "DELETE", "/api/turn/allocations/plain/" + id, TOKEN).statusCode())
                    .isEqualTo(404);

            HttpResponse<String> deleted = call(sluice, "DELETE", one, TOKEN);
            assertThat(deleted.statusCode()).isEqualTo(200);
            JsonNode d = JSON.readTree(deleted.body());
            assertThat(d.get("id").asLong()).isEqualTo(id);
            assertThat(d.get("user").asText()).isEqualTo("alice");
            assertThat(d.get("deleted").asBoolean()).isTrue();

            // the allocation ends on its own event loop, a moment after the answer
            await().atMost(Duration.ofSeconds(10)).until(() -> sluice.turn("relay").allocations().isEmpty());
            assertThat(get(sluice, "/api/turn/allocations").get("allocations")).isEmpty();
            assertThat(MetricsScrape.of(sluice.adminAddress()).sum("sluice_turn_allocations", relay)).isZero();
            assertThat(call(sluice, "DELETE", one, TOKEN).statusCode()).as("already gone").isEqualTo(404);
            TurnTestClient.awaitFree(relayed); // the relay port is free again
        }
    }

    @Test
    void withoutATokenDeleteNeedsNone() throws Exception {
        try (Sluice sluice = start(null);
             TurnTestClient alice = new TurnTestClient(sluice.listenerAddress("relay"), "alice", "wonderland", REALM)) {
            alice.allocate();
            long id = sluice.turn("relay").allocations().get(0).id();
            assertThat(call(sluice, "POST", "/api/turn/allocations", null).statusCode()).isEqualTo(405);
            assertThat(call(sluice, "DELETE", "/api/turn/allocations/relay/" + id, null).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> sluice.turn("relay").allocations().isEmpty());
        }
    }

    @Test
    void listenersAReloadAddsOrRemovesAreCountedOrGoneAtOnce() throws Exception {
        try (Sluice sluice = start(null); DatagramSocket client = socket()) {
            assertThat(sluice.reload(config(null, """
                      - name: extra
                        bind: "127.0.0.1:0"
                        protocol: stun
                        transports: [udp]
                    """)).outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
            assertThat(type(stun(client, sluice.listenerAddress("extra"), 0x0001))).isEqualTo(0x0101);
            Map<String, String> extra = Map.of("listener", "extra");
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(MetricsScrape
                    .of(sluice.adminAddress()).sum("sluice_stun_binding_requests_total", extra)).isEqualTo(1));
            assertThat(get(sluice, "/_health").get("stun_listeners")).extracting(l -> l.get("name").asText())
                    .containsExactly("relay", "plain", "extra");

            assertThat(sluice.reload(config(null, "")).outcome()).isEqualTo(ReloadResult.Outcome.APPLIED);
            MetricsScrape m = MetricsScrape.of(sluice.adminAddress());
            assertThatThrownBy(() -> m.sum("sluice_stun_binding_requests_total", extra))
                    .as("a removed listener's series go with it").isInstanceOf(AssertionError.class);
            assertThat(m.sum("sluice_turn_allocations", Map.of("listener", "relay"))).isZero();
            assertThat(get(sluice, "/_health").get("stun_listeners")).extracting(l -> l.get("name").asText())
                    .containsExactly("relay", "plain");
        }
    }

    @Test
    void theClientOfADeletedAllocationIsToldSoOnItsNextRefresh() throws Exception {
        try (Sluice sluice = start(null);
             TurnTestClient alice = new TurnTestClient(sluice.listenerAddress("relay"), "alice", "wonderland", REALM)) {
            alice.allocate();
            long id = sluice.turn("relay").allocations().get(0).id();
            assertThat(call(sluice, "DELETE", "/api/turn/allocations/relay/" + id, null).statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> sluice.turn("relay").allocations().isEmpty());
            assertThatThrownBy(() -> alice.refresh(600)).hasMessageMatching(error(437));
            alice.allocate(); // the same client may allocate again
            assertThat(sluice.turn("relay").allocations()).hasSize(1);
        }
    }
}

package io.sluice.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.ReloadResult;
import io.sluice.Sluice;
import io.sluice.config.Config;
import io.sluice.config.ConfigLoader;
import io.sluice.testing.Command;
import io.sluice.testing.SluiceProcess;
import io.sluice.testing.TestCerts;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TURN over TLS (turns:) with coturn's client and openssl, and reloads: settings that keep the listener's socket
 * apply in place and keep every allocation; a new address rebinds and ends them.
 */
class TurnTlsReloadIT {
    @TempDir
    Path dir;
    private Sluice sluice;

    @AfterEach
    void stop() {
        if (sluice != null) {
            sluice.close();
        }
    }

    private static Config config(String listeners) throws Exception {
        return ConfigLoader.parse("listeners:\n" + listeners + "admin: { bind: \"127.0.0.1:0\" }\n", "test.yaml",
                k -> null);
    }

    private static String turn(String bind, String extra) {
        return """
                  - name: turn
                    bind: "%s"
                    protocol: turn
                    transports: [udp]
                    turn:
                      realm: example.com
                      auth: { users: { alice: wonderland%s } }
                      relay_ports: 44000-44999
                      allowed_peers: [ 127.0.0.1 ]
                """.formatted(bind, extra);
    }

    @Test
    void turnsRelaysForCoturnsClientAndOffersTheStunAlpnNames() throws Exception {
        TestCerts.Issued cert = TestCerts.selfSigned(dir, "turn.test", List.of("DNS:turn.test"));
        String uclient = Command.require("turnutils_uclient", "coturn").toString();
        sluice = Sluice.builder().config(config("""
                  - name: turns
                    bind: "127.0.0.1:0"
                    protocol: turn
                    tls: { certificates: [ { cert: "%s", key: "%s" } ] }
                    turn:
                      realm: example.com
                      auth: { users: { alice: wonderland } }
                      relay_ports: 45000-45999
                      allowed_peers: [ 127.0.0.1 ]
                """.formatted(cert.cert(), cert.key()))).build().start();
        int port = sluice.listenerAddress("turns").getPort();

        Command.Result alpn = Command.run(Duration.ofSeconds(30), List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + port, "-alpn", "stun.turn", "-servername", "turn.test"));
        assertThat(alpn.output()).as(alpn.output()).contains("ALPN protocol: stun.turn");

        try (EchoPeer peer = new EchoPeer()) {
            int peerPort = peer.port();
            Command.Result r = Command.run(Duration.ofSeconds(60), List.of(uclient, "-S", "-t", "-u", "alice", "-w",
                    "wonderland", "-e", "127.0.0.1", "-r", Integer.toString(peerPort), "-p", Integer.toString(port),
                    "-n", "10", "-m", "2", "-l", "150", "-z", "5", "127.0.0.1"));
            assertThat(r.output()).as(r.output()).contains("Total lost packets 0 (0.000000%)")
                    .contains("tot_send_msgs=20, tot_recv_msgs=20");
            assertThat(sluice.turn("turns").stats().packetsFromPeers()).isGreaterThanOrEqualTo(20);
        }
    }

    @Test
    void aReloadThatKeepsTheSocketKeepsAllocationsAndOneThatMovesItEndsThem() throws Exception {
        sluice = Sluice.builder().config(config(turn("127.0.0.1:" + SluiceProcess.freePort(), ""))).build().start();
        InetSocketAddress server = sluice.listenerAddress("turn");
        try (TurnTestClient alice = new TurnTestClient(server, "alice", "wonderland", "example.com");
             DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            peer.setSoTimeout(10_000);
            InetSocketAddress relay = alice.allocate();
            InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
            alice.permit(peerAddress);

            String same = "127.0.0.1:" + server.getPort();
            ReloadResult r = sluice.reload(config(turn(same, ", bob: builder")));
            assertThat(r.changes()).as(r.toString()).anyMatch(c -> c.contains("turn: settings updated in place"));
            assertThat(sluice.listenerAddress("turn")).isEqualTo(server);
            assertThat(sluice.turn("turn").allocations()).hasSize(1);
            alice.send(peerAddress, "still here".getBytes(StandardCharsets.UTF_8));
            DatagramPacket p = new DatagramPacket(new byte[64], 64);
            peer.receive(p);
            assertThat(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8)).isEqualTo("still here");
            assertThat(p.getSocketAddress()).isEqualTo(relay);
            alice.refresh(600);
            try (TurnTestClient bob = new TurnTestClient(server, "bob", "builder", "example.com")) {
                assertThat(bob.allocate().getPort()).as("the new user is known").isBetween(44000, 44999);
            }

            int moved = SluiceProcess.freePort();
            ReloadResult r2 = sluice.reload(config(turn("127.0.0.1:" + moved, "")));
            assertThat(r2.changes()).as(r2.toString()).anyMatch(c -> c.contains("turn rebound"));
            assertThat(sluice.listenerAddress("turn").getPort()).isEqualTo(moved);
            assertThat(sluice.turn("turn").allocations()).isEmpty();
            TurnTestClient.awaitFree(relay); // the old relay port was given back
            assertThatThrownBy(() -> alice.refresh(600)).as("the old address is closed")
                    .isInstanceOf(java.io.IOException.class);
        }
    }
}

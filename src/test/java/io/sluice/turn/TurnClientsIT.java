package io.sluice.turn;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.Sluice;
import io.sluice.config.ConfigLoader;
import io.sluice.testing.Command;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * coturn's own test client, {@code turnutils_uclient}, relays through Sluice to coturn's echo peer,
 * {@code turnutils_peer}, on loopback: over UDP and TCP, with channels and with Send/Data indications, with static
 * and with TURN REST API credentials. Every message must come back, and Sluice's counters must have seen each
 * relayed both ways. A second listener keeps the defaults, under which loopback peers are refused (403), and
 * allows one allocation per user (486).
 */
class TurnClientsIT {
    private static final int MESSAGES = 10;
    private static final int CLIENTS = 2;
    private static Sluice sluice;
    private static EchoPeer peer;
    private static int peerPort;
    private static int port;
    private static int strictPort;
    private static int quotaPort;
    private static String uclient;

    @BeforeAll
    static void start() throws Exception {
        uclient = Command.require("turnutils_uclient", "coturn").toString();
        peer = new EchoPeer();
        peerPort = peer.port();
        sluice = Sluice.builder().config(ConfigLoader.parse("""
                listeners:
                  - name: turn
                    bind: "127.0.0.1:0"
                    protocol: turn
                    turn:
                      realm: example.com
                      auth: { users: { alice: wonderland }, shared_secret: rest-secret }
                      relay_ports: 40000-40999
                      allowed_peers: [ 127.0.0.1 ]
                  - name: strict
                    bind: "127.0.0.1:0"
                    protocol: turn
                    turn:
                      realm: example.com
                      auth: { users: { carol: secret } }
                      relay_ports: 41000-41999
                  - name: quota
                    bind: "127.0.0.1:0"
                    protocol: turn
                    turn:
                      realm: example.com
                      auth: { users: { carol: secret } }
                      relay_ports: 42000-42999
                      allowed_peers: [ 127.0.0.1 ]
                      max_allocations_per_user: 1
                admin: { bind: "127.0.0.1:0" }
                """, "test.yaml", k -> null)).build().start();
        port = sluice.listenerAddress("turn").getPort();
        strictPort = sluice.listenerAddress("strict").getPort();
        quotaPort = sluice.listenerAddress("quota").getPort();
    }

    @AfterAll
    static void stop() {
        if (sluice != null) {
            sluice.close();
        }
        if (peer != null) {
            peer.close();
        }
    }

    private static Command.Result run(int listenerPort, List<String> flags) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(uclient));
        cmd.addAll(flags);
        cmd.addAll(List.of("-e", "127.0.0.1", "-r", Integer.toString(peerPort), "-p", Integer.toString(listenerPort),
                "-n", Integer.toString(MESSAGES), "-m", Integer.toString(CLIENTS), "-l", "180", "-z", "5",
                "127.0.0.1"));
        return Command.run(Duration.ofSeconds(60), cmd);
    }

    @ParameterizedTest(name = "uclient {0}")
    @ValueSource(strings = {"-u alice -w wonderland", "-u alice -w wonderland -s", "-u alice -w wonderland -t",
            "-u alice -w wonderland -t -s", "-u alice -w wonderland -c -D", "-W rest-secret -u bob",
            "-W rest-secret -u bob -t"})
    void everyMessageIsRelayedToThePeerAndBack(String flags) throws Exception {
        TurnStats stats = stats("turn");
        long toPeers = stats.packetsToPeers();
        long fromPeers = stats.packetsFromPeers();
        Command.Result r = run(port, List.of(flags.split(" ")));
        String out = r.output();
        assertThat(out).as(out).contains("Total lost packets 0 (0.000000%)");
        Matcher total = Pattern.compile("tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)\\n").matcher(out);
        assertThat(total.find()).as(out).isTrue();
        assertThat(Integer.parseInt(total.group(1))).as(out).isEqualTo(MESSAGES * CLIENTS);
        assertThat(total.group(2)).isEqualTo(total.group(1));
        assertThat(r.exit()).as(out).isZero();
        assertThat(stats.packetsToPeers() - toPeers).isGreaterThanOrEqualTo(MESSAGES * CLIENTS);
        assertThat(stats.packetsFromPeers() - fromPeers).isEqualTo(stats.packetsToPeers() - toPeers);
    }

    @Test
    void byDefaultLoopbackPeersAreForbidden() throws Exception {
        Command.Result channels = Command.run(Duration.ofSeconds(60), List.of(uclient, "-u", "carol", "-w", "secret",
                "-e", "127.0.0.1", "-r", Integer.toString(peerPort), "-p", Integer.toString(strictPort), "-n", "2",
                "-m", "1", "127.0.0.1"));
        assertThat(channels.output()).as(channels.output()).contains("channel bind: error 403 (Forbidden)");
        Command.Result send = Command.run(Duration.ofSeconds(60), List.of(uclient, "-s", "-u", "carol", "-w", "secret",
                "-e", "127.0.0.1", "-r", Integer.toString(peerPort), "-p", Integer.toString(strictPort), "-n", "2",
                "-m", "1", "127.0.0.1"));
        assertThat(send.output()).as(send.output()).contains("create permission error 403 (Forbidden)");
        assertThat(stats("strict").packetsToPeers()).isZero();
        assertThat(stats("strict").allocationsMade()).isPositive();
    }

    @Test
    void aUserPastItsQuotaGets486() throws Exception {
        // uclient makes two allocations per client (RTP and RTCP): the second is past a quota of one
        Command.Result r = Command.run(Duration.ofSeconds(60), List.of(uclient, "-u", "carol", "-w", "secret",
                "-e", "127.0.0.1", "-r", Integer.toString(peerPort), "-p", Integer.toString(quotaPort), "-n", "2",
                "-m", "1", "127.0.0.1"));
        assertThat(r.output()).as(r.output()).contains("error 486 (Allocation Quota Reached)");
        assertThat(sluice.turn("quota").allocations()).hasSizeLessThanOrEqualTo(1);
    }

    private static TurnStats stats(String listener) {
        return sluice.turn(listener).stats();
    }
}

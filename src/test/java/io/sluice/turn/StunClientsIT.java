package io.sluice.turn;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.Sluice;
import io.sluice.config.ConfigLoader;
import io.sluice.testing.Command;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Independent STUN clients from Debian against a stun listener: coturn's {@code turnutils_stunclient} (RFC 5389
 * with FINGERPRINT, IPv4 and IPv6) and stun-client's {@code stun} (RFC 3489: no magic cookie, CHANGE-REQUEST).
 */
class StunClientsIT {
    private Sluice sluice;
    private int port;
    private int port6;

    @BeforeEach
    void start() throws Exception {
        sluice = Sluice.builder().config(ConfigLoader.parse("""
                listeners:
                  - { name: stun, bind: "127.0.0.1:0", protocol: stun, transports: [udp] }
                  - { name: stun6, bind: "[::1]:0", protocol: stun, transports: [udp] }
                admin: { bind: "127.0.0.1:0" }
                """, "test.yaml", k -> null)).build().start();
        port = sluice.listenerAddress("stun").getPort();
        port6 = sluice.listenerAddress("stun6").getPort();
    }

    @AfterEach
    void stop() {
        sluice.close();
    }

    @Test
    void coturnsStunClientGetsItsReflexiveAddress() throws Exception {
        String client = Command.require("turnutils_stunclient", "coturn").toString();
        Command.Result r = Command.run(Duration.ofSeconds(30),
                List.of(client, "-p", Integer.toString(port), "127.0.0.1"));
        assertThat(r.output()).as(r.output()).containsPattern("UDP reflexive addr: 127\\.0\\.0\\.1:\\d+");
        assertThat(r.exit()).as(r.output()).isZero();
        Command.Result r6 = Command.run(Duration.ofSeconds(30),
                List.of(client, "-p", Integer.toString(port6), "-L", "::1", "::1"));
        assertThat(r6.output()).as(r6.output()).containsPattern("UDP reflexive addr: \\[?::1\\]?:\\d+");
    }

    @Test
    void theRfc3489ClientGetsItsMappedAddress() throws Exception {
        String client = Command.require("stun", "stun-client").toString();
        Command.Result r = Command.run(Duration.ofSeconds(60), List.of(client, "127.0.0.1:" + port, "-v"));
        assertThat(r.output()).as(r.output()).containsPattern("MappedAddress = 127\\.0\\.0\\.1:\\d+")
                .contains("SourceAddress = 127.0.0.1:" + port).contains("Primary: Open");
    }
}

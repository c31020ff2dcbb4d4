package io.sluice.config;

import static io.sluice.config.ConfigErrorsTest.errors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** stun listeners: defaults, transports, every mistake with its line, and ports shared by transport. */
class StunConfigTest {

    private static Config parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "test.yaml", name -> null);
    }

    @Test
    void aStunListenerAloneNeedsNoPoolsAndServesBothTransportsByDefault() throws ConfigException {
        Config c = parse("""
                listeners:
                  - name: stun
                    bind: 0.0.0.0:3478
                    protocol: stun
                """);
        ListenerConfig l = c.listeners().get(0);
        assertThat(l.stunServer()).isTrue();
        assertThat(l.layer4()).isFalse();
        assertThat(l.stun()).isEqualTo(new StunConfig(true, true, Duration.ofMinutes(5)));
        assertThat(c.pools()).isEmpty();
        Config tcpOnly = parse("""
                listeners:
                  - { name: stun, bind: 0.0.0.0:3478, protocol: stun, transports: [ tcp ], idle_timeout: 30s }
                """);
        assertThat(tcpOnly.listeners().get(0).stun()).isEqualTo(new StunConfig(false, true, Duration.ofSeconds(30)));
    }

    @Test
    void everyMistakeIsReportedWithItsLine() {
        List<ConfigError> e = errors("""
                listeners:
                  - name: stun
                    bind: 0.0.0.0:3478
                    protocol: stun
                    transports: [ udp, sctp, udp ]
                    routes: [ { pool: web } ]
                    idle_timeout: 0s
                  - name: empty
                    bind: 0.0.0.0:3479
                    protocol: stun
                    transports: []
                  - name: web
                    bind: 0.0.0.0:8080
                """);
        assertThat(e).extracting(ConfigError::path, ConfigError::line).containsExactly(
                tuple("pools", 1),
                tuple("listeners[0].transports[1]", 5),
                tuple("listeners[0].transports[2]", 5),
                tuple("listeners[0].routes", 6),
                tuple("listeners[0].idle_timeout", 7),
                tuple("listeners[1].transports", 11));
        assertThat(e.get(0).message()).as("the http listener still needs a pool").startsWith("no pools");
        assertThat(e.get(1).message()).contains("unknown transport `sctp`").contains("udp, tcp");
        assertThat(e.get(2).message()).contains("named twice");
        assertThat(e.get(5).message()).contains("no transports");
    }

    @Test
    void aStunListenerClaimsItsPortOnEachTransportItServes() throws ConfigException {
        String both = """
                listeners:
                  - { name: stun, bind: 0.0.0.0:3478, protocol: stun }
                  - { name: other, bind: 0.0.0.0:3478, protocol: udp, fallback: media }
                pools:
                  - { name: media, protocol: udp, backends: [ "10.0.0.1:3478" ] }
                """;
        assertThat(errors(both)).extracting(ConfigError::path).containsExactly("listeners[1].bind");
        Config tcpOnly = parse(both.replace("protocol: stun }", "protocol: stun, transports: [tcp] }"));
        assertThat(tcpOnly.listeners()).hasSize(2);
        assertThat(errors(both.replace("protocol: udp, fallback: media", "protocol: tcp, fallback: media")
                .replace("protocol: udp, backends", "protocol: tcp, backends")))
                .extracting(ConfigError::path).containsExactly("listeners[1].bind");
    }

    @Test
    void aTcpListenerCannotHandConnectionsToAStunListener() {
        List<ConfigError> e = errors("""
                listeners:
                  - { name: stun, bind: 0.0.0.0:3478, protocol: stun }
                  - name: edge
                    bind: 0.0.0.0:443
                    protocol: tcp
                    fallback: { listener: stun }
                """);
        assertThat(e).extracting(ConfigError::message).anyMatch(m -> m.contains("listener `stun` is stun"));
    }

    @Test
    void aTurnListenerBindsItsRelaySettingsWithDefaults() throws ConfigException {
        Config c = ConfigLoader.parse("""
                listeners:
                  - name: turn
                    bind: 0.0.0.0:3478
                    protocol: turn
                    turn:
                      realm: example.com
                      auth: { shared_secret: "${SECRET}", users: { alice: "${ALICE}" } }
                      relay_address: 203.0.113.10
                """, "test.yaml", k -> k.equals("SECRET") ? "s3cret" : k.equals("ALICE") ? "pw" : null);
        ListenerConfig l = c.listeners().get(0);
        assertThat(l.protocol()).isEqualTo("turn");
        TurnConfig t = l.stun().turn();
        assertThat(t.realm()).isEqualTo("example.com");
        assertThat(t.sharedSecret()).isEqualTo("s3cret");
        assertThat(t.users()).containsEntry("alice", "pw");
        assertThat(t.relayPortMin()).isEqualTo(49152);
        assertThat(t.relayPortMax()).isEqualTo(65535);
        assertThat(t.relayAddress()).isEqualTo("203.0.113.10");
        assertThat(t.maxAllocations()).isEqualTo(10_000);
        assertThat(t.maxAllocationsPerUser()).isEqualTo(10);
        assertThat(t.defaultLifetime()).isEqualTo(Duration.ofMinutes(10));
        assertThat(t.maxLifetime()).isEqualTo(Duration.ofHours(1));
        assertThat(t.deniedPeers()).hasSize(TurnConfig.DEFAULT_DENIED.size());
        assertThat(t.allowedPeers()).isEmpty();
        assertThat(t.authFailuresPerMinute()).isEqualTo(20);
        assertThat(c.pools()).isEmpty();
    }

    @Test
    void turnMistakesAreReportedWithTheirLines() {
        List<ConfigError> e = errors("""
                listeners:
                  - name: turn
                    bind: 0.0.0.0:3478
                    protocol: turn
                    turn:
                      realm: example.com
                      auth: { }
                      relay_ports: 60000-50000
                      default_lifetime: 2h
                      denied_peers: [ 10.0.0.0/33 ]
                      bandwith: 2Mbit
                  - name: bare
                    bind: 127.0.0.1:3479
                    protocol: turn
                """);
        assertThat(e).extracting(ConfigError::path, ConfigError::line).containsExactly(
                tuple("listeners[0].turn.relay_address", 6),
                tuple("listeners[0].turn.auth", 7),
                tuple("listeners[0].turn.relay_ports", 8),
                tuple("listeners[0].turn.default_lifetime", 9),
                tuple("listeners[0].turn.denied_peers[0]", 10),
                tuple("listeners[0].turn.bandwith", 11),
                tuple("listeners[1].turn", 12));
        assertThat(e.get(0).message()).contains("wildcard").contains("relay_address");
        assertThat(e.get(1).message()).contains("no credentials");
        assertThat(e.get(2).message()).contains("not a port range");
        assertThat(e.get(3).message()).contains("longer than max_lifetime");
    }

    @Test
    void bandwidthIsReadInBitsOrBytesAndTlsListenersServeTcpOnly() throws ConfigException {
        String base = """
                listeners:
                  - name: turn
                    bind: 127.0.0.1:3478
                    protocol: turn
                    turn:
                      realm: example.com
                      auth: { users: { alice: pw } }
                      bandwidth_per_allocation: RATE
                """;
        assertThat(parse(base.replace("RATE", "2Mbit")).listeners().get(0).stun().turn().bandwidthPerAllocation())
                .isEqualTo(250_000);
        assertThat(parse(base.replace("RATE", "1MB")).listeners().get(0).stun().turn().bandwidthPerAllocation())
                .isEqualTo(1_000_000);
        assertThat(parse(base.replace("RATE", "64KiB")).listeners().get(0).stun().turn().bandwidthPerAllocation())
                .isEqualTo(65_536);
        assertThat(parse(base.replace("      bandwidth_per_allocation: RATE\n", "")).listeners().get(0).stun().turn()
                .bandwidthPerAllocation()).isZero();
        assertThat(errors(base.replace("RATE", "fast"))).extracting(ConfigError::path, ConfigError::line)
                .containsExactly(tuple("listeners[0].turn.bandwidth_per_allocation", 8));
        List<ConfigError> udpTls = errors("""
                listeners:
                  - name: turns
                    bind: 127.0.0.1:5349
                    protocol: turn
                    transports: [ tcp, udp ]
                    tls: { certificates: [ { cert: a.pem, key: a.key } ] }
                    turn: { realm: example.com, auth: { users: { alice: pw } } }
                """);
        assertThat(udpTls).extracting(ConfigError::path).contains("listeners[0].transports[1]");
        assertThat(udpTls).extracting(ConfigError::message).anyMatch(m -> m.contains("DTLS is not served"));
    }
}

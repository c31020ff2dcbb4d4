package io.sluice.config;

import static io.sluice.config.ConfigErrorsTest.errors;
import static io.sluice.config.ConfigErrorsTest.onlyError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * tcp and udp listeners and the pools behind them: mistakes are reported all at once, each with its path and
 * line:column and a message that says what to write instead; good files bind to the expected records.
 */
class L4ConfigTest {

    private static Config parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "test.yaml", name -> null);
    }

    private static HostPort hp(String host, int port) {
        return new HostPort(host, port);
    }

    private static L4MatchConfig protocol(String name) {
        return new L4MatchConfig(name, List.of(), List.of(), null);
    }

    private static BackendConfig backend(String host, int port) {
        return new BackendConfig(hp(host, port), 1);
    }

    /** One file with one of each mistake; every one comes back, in file order. */
    private static final String MISTAKES = """
            listeners:
              - name: edge
                bind: 127.0.0.1:7000
                protocol: tcp
                tls: { certificates: [ { cert: a.pem, key: a.key } ] }
                http2: false
                redirect_http_from: 127.0.0.1:7001
                proxy_protocol: accept
                routes:
                  - match: { protocol: tls, sni: a.example.com }
                    listener: nowhere
                  - match: { protocol: ssh }
                    listener: raw
                  - match: { protocol: http }
                    listener: edge
                  - match: { protocol: gopher }
                    pool: shell
                  - match: { protocol: dns }
                    pool: shell
                  - match: { sni: b.example.com }
                    pool: shell
                  - match: { prefix_hex: "16 0" }
                    pool: shell
                  - match: { protocol: tls }
                    pool: dns
                  - match: { protocol: tls, alpn: h2 }
                    pool: grpc
              - name: raw
                bind: 127.0.0.1:7000
                protocol: tcp
                trusted_proxies: [ 10.0.0.0/8 ]
                fallback: shell
              - name: dns
                bind: 127.0.0.1:7000
                protocol: udp
                proxy_protocol: accept
                routes:
                  - match: { protocol: ssh }
                    pool: shell
              - name: web
                bind: 127.0.0.1:8080
                proxy_protocol: require
                trusted_proxies: [ 10.0.0.0/40 ]
                routes: [ { pool: shell } ]
              - name: spare
                bind: 127.0.0.1:7002
                protocol: tcp
            pools:
              - name: shell
                protocol: tcp
                backends: [ "10.0.0.2:22" ]
              - name: dns
                protocol: udp
                send_proxy_protocol: v2
                health_check: { type: tcp }
                backends: [ "10.0.0.3:53" ]
              - name: grpc
                protocol: h2
                backends: [ "10.0.0.4:443" ]
              - name: quack
                protocol: quic
                backends: [ "10.0.0.5:443" ]
            """;

    @Test
    void everyL4MistakeInAFileIsReportedAtItsLineAndColumn() {
        List<ConfigError> e = errors(MISTAKES);

        assertThat(e).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("listeners[0].tls", 5, 5),
                tuple("listeners[0].http2", 6, 5),
                tuple("listeners[0].redirect_http_from", 7, 5),
                tuple("listeners[0].proxy_protocol", 8, 21),
                tuple("listeners[0].routes[0].listener", 11, 19),
                tuple("listeners[0].routes[1].listener", 13, 19),
                tuple("listeners[0].routes[2].listener", 15, 19),
                tuple("listeners[0].routes[3].match.protocol", 16, 28),
                tuple("listeners[0].routes[4].match.protocol", 18, 28),
                tuple("listeners[0].routes[5].match.sni", 20, 18),
                tuple("listeners[0].routes[6].match.prefix_hex", 22, 30),
                tuple("listeners[0].routes[7].pool", 25, 15),
                tuple("listeners[0].routes[8].pool", 27, 15),
                tuple("listeners[1].bind", 29, 11),
                tuple("listeners[1].trusted_proxies", 31, 5),
                tuple("listeners[2].proxy_protocol", 36, 5),
                tuple("listeners[2].routes[0].match.protocol", 38, 28),
                tuple("listeners[2].routes[0].pool", 39, 15),
                tuple("listeners[3].trusted_proxies[0]", 43, 24),
                tuple("listeners[3].routes[0].pool", 44, 23),
                tuple("listeners[4].routes", 45, 5),
                tuple("pools[1].send_proxy_protocol", 54, 26),
                tuple("pools[1].health_check", 55, 19),
                tuple("pools[3].protocol", 61, 15));
        assertThat(e).extracting(ConfigError::message).satisfiesExactly(
                m -> assertThat(m).contains("`tls` (certificates) belongs on https listeners",
                        "passes TLS through untouched", "`listener:` route"),
                m -> assertThat(m).contains("`http2` applies to http and https listeners"),
                m -> assertThat(m).contains("`redirect_http_from` belongs on https listeners; this one is tcp"),
                m -> assertThat(m).contains("`proxy_protocol: accept` needs `trusted_proxies`", "10.0.0.0/8"),
                m -> assertThat(m).contains("no listener named `nowhere`", "(http and https listeners: web)"),
                m -> assertThat(m).contains("listener `raw` is tcp", "only to an http or https listener"),
                m -> assertThat(m).contains("listener `edge` cannot hand connections to itself"),
                m -> assertThat(m).contains("unknown protocol `gopher`", "tcp listeners detect:", "tls", "ssh"),
                m -> assertThat(m).contains("`dns` is detected on udp listeners, not tcp"),
                m -> assertThat(m).contains("`sni` is read from a TLS client hello", "needs `protocol: tls`"),
                m -> assertThat(m).contains("`16 0` has an odd number of hex digits"),
                m -> assertThat(m).contains("pool `dns` is a udp pool, but listener `edge` is tcp",
                        "`protocol: tcp`"),
                m -> assertThat(m).contains("pool `grpc` is an h2 pool", "`protocol: tcp`"),
                m -> assertThat(m).contains("address 127.0.0.1:7000 is already used by listeners[0].bind"),
                m -> assertThat(m).contains("`trusted_proxies` has no effect without `proxy_protocol: accept`"),
                m -> assertThat(m).contains("PROXY headers come at the start of TCP connections",
                        "a udp listener cannot read them"),
                m -> assertThat(m).contains("`ssh` is detected on tcp listeners, not udp",
                        "udp listeners detect: ", "dns"),
                m -> assertThat(m).contains("pool `shell` has protocol tcp, but listener `dns` is udp",
                        "`protocol: udp`"),
                m -> assertThat(m).contains("bad prefix length in `10.0.0.0/40`", "/0 to /32"),
                m -> assertThat(m).contains("pool `shell` is a tcp pool, which HTTP routes cannot use"),
                m -> assertThat(m).contains("no routes and no fallback", "(shell, dns, grpc, quack)",
                        "`fallback: shell`"),
                m -> assertThat(m).contains("a udp pool cannot send them"),
                m -> assertThat(m).contains("a udp pool has no connection to probe"),
                m -> assertThat(m).contains("unknown protocol `quic`", "tcp = bytes for tcp listeners",
                        "udp = datagrams for udp listeners"));
    }

    @Test
    void aTcpRouteToAPoolThatTalksTlsIsRefused() {
        ConfigError e = onlyError("""
                listeners:
                  - name: edge
                    bind: 127.0.0.1:7000
                    protocol: tcp
                    fallback: secure
                pools:
                  - name: secure
                    tls: true
                    backends: [ "10.0.0.1:443" ]
                  - name: other
                    protocol: tcp
                    backends: [ "10.0.0.2:22" ]
                """);

        assertThat(e.path()).isEqualTo("listeners[0].fallback");
        assertThat(e.line()).isEqualTo(5);
        assertThat(e.column()).isEqualTo(15);
        assertThat(e.message()).contains("pool `secure` talks TLS to its backends", "passes the client's bytes",
                "https listener");
    }

    @Test
    void aUdpRouteToAPoolWithoutProtocolNamesTheDefault() {
        ConfigError e = onlyError("""
                listeners:
                  - name: dns
                    bind: 127.0.0.1:5353
                    protocol: udp
                    routes: [ { match: { protocol: dns }, pool: resolvers } ]
                pools:
                  - name: resolvers
                    backends: [ "10.0.0.53:53" ]
                  - name: spare
                    protocol: udp
                    backends: [ "10.0.0.54:53" ]
                """);

        assertThat(e.path()).isEqualTo("listeners[0].routes[0].pool");
        assertThat(e.line()).isEqualTo(5);
        assertThat(e.message()).isEqualTo("pool `resolvers` has protocol http1 (the default), but listener `dns` is"
                + " udp and sends datagrams; give the pool `protocol: udp` (a udp pool serves udp listeners only)");
    }

    @Test
    void aPrefixLongerThanDetectorsCompareIsRefused() {
        List<ConfigError> e = errors("""
                listeners:
                  - name: t
                    bind: 127.0.0.1:7000
                    protocol: tcp
                    routes:
                      - { match: { prefix_hex: "%s" }, pool: p }
                    fallback: p
                pools:
                  - { name: p, protocol: tcp, backends: [ "10.0.0.1:22" ] }
                """.formatted("ab".repeat(257)));

        assertThat(e).extracting(ConfigError::path, ConfigError::line, ConfigError::column)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("listeners[0].routes[0].match.prefix_hex", 6, 32));
        assertThat(e.get(0).message()).isEqualTo("a prefix of 257 bytes is too long; at most 256 are compared");
    }

    @Test
    void aUdpListenerCannotHandOverAndSniNeedsQuic() {
        List<ConfigError> e = errors("""
                listeners:
                  - name: u
                    bind: 127.0.0.1:7000
                    protocol: udp
                    routes:
                      - match: { sni: a.example.com }
                        pool: d
                      - listener: web
                    fallback: d
                  - name: web
                    bind: 127.0.0.1:8080
                    routes: [ { pool: h } ]
                pools:
                  - name: d
                    protocol: udp
                    backends: [ "10.0.0.1:53" ]
                  - name: h
                    backends: [ "10.0.0.2:80" ]
                """);

        assertThat(e).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("listeners[0].routes[0].match.sni", 6, 18),
                tuple("listeners[0].routes[1].listener", 8, 19));
        assertThat(e.get(0).message()).contains("QUIC client hello", "`protocol: quic`");
        assertThat(e.get(1).message()).contains("a udp listener cannot hand datagrams to another listener");
    }

    @Test
    void alpnWithAnotherProtocolSaysWhichOneItNeeds() {
        ConfigError e = onlyError("""
                listeners:
                  - name: t
                    bind: 127.0.0.1:7000
                    protocol: tcp
                    routes: [ { match: { protocol: ssh, alpn: h2 }, pool: p } ]
                pools:
                  - name: p
                    protocol: tcp
                    backends: [ "10.0.0.1:22" ]
                """);

        assertThat(e.path()).isEqualTo("listeners[0].routes[0].match.alpn");
        assertThat(e.message()).isEqualTo("`alpn` is read from a TLS client hello, so it needs `protocol: tls`,"
                + " not `protocol: ssh`");
    }

    @Test
    void badHexAndBadTrustedProxiesAndAnEmptyTrustList() {
        List<ConfigError> e = errors("""
                listeners:
                  - name: t
                    bind: 127.0.0.1:7000
                    protocol: tcp
                    proxy_protocol: require
                    trusted_proxies: [ "proxy.example.com", "::1/129" ]
                    routes: [ { match: { prefix_hex: "zz 03" }, pool: p } ]
                  - name: t2
                    bind: 127.0.0.1:7001
                    protocol: tcp
                    proxy_protocol: accept
                    trusted_proxies: []
                pools:
                  - name: p
                    protocol: tcp
                    backends: [ "10.0.0.1:22" ]
                """);

        assertThat(e).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("listeners[0].trusted_proxies[0]", 6, 24),
                tuple("listeners[0].trusted_proxies[1]", 6, 45),
                tuple("listeners[0].routes[0].match.prefix_hex", 7, 38),
                tuple("listeners[1].trusted_proxies", 12, 5));
        assertThat(e).extracting(ConfigError::message).satisfiesExactly(
                m -> assertThat(m).isEqualTo("`proxy.example.com` is not an IP address or range such as 10.0.0.0/8"),
                m -> assertThat(m).contains("bad prefix length in `::1/129`", "IPv6", "/0 to /128"),
                m -> assertThat(m).contains("`zz 03` is not hex bytes", "\"16 03\""),
                m -> assertThat(m).contains("an empty `trusted_proxies` lets no one send PROXY headers"));
    }

    @Test
    void keysOfTheOtherTransportSayWhatToWriteInstead() {
        List<ConfigError> e = errors("""
                listeners:
                  - name: t
                    bind: 127.0.0.1:7000
                    protocol: tcp
                    session_idle_timeout: 5s
                    max_sessions: 10
                    fallback: p
                  - name: u
                    bind: 127.0.0.1:7000
                    protocol: udp
                    idle_timeout: 5s
                    max_connections: 10
                    detect_timeout: 1s
                    fallback: d
                    colour: blue
                pools:
                  - name: p
                    protocol: tcp
                    backends: [ "10.0.0.1:22" ]
                  - name: d
                    protocol: udp
                    backends: [ "10.0.0.1:53" ]
                """);

        assertThat(e).extracting(ConfigError::path).containsExactly("listeners[0].session_idle_timeout",
                "listeners[0].max_sessions", "listeners[1].idle_timeout", "listeners[1].max_connections",
                "listeners[1].detect_timeout", "listeners[1].colour");
        assertThat(e).extracting(ConfigError::message).satisfiesExactly(
                m -> assertThat(m).contains("`idle_timeout`"),
                m -> assertThat(m).contains("`max_connections`"),
                m -> assertThat(m).contains("`session_idle_timeout`"),
                m -> assertThat(m).contains("`max_sessions`"),
                m -> assertThat(m).contains("applies to tcp listeners"),
                m -> assertThat(m).startsWith("unknown key `colour`").contains("allowed on udp listeners:")
                        .doesNotContain("tls"));
    }

    @Test
    void anL4ListenerWithNeitherRoutesNorFallbackUsesTheOnlyPoolElseIsAnError() throws ConfigException {
        Config one = parse("""
                listeners:
                  - name: t
                    bind: 127.0.0.1:7000
                    protocol: tcp
                pools:
                  - name: p
                    protocol: tcp
                    backends: [ "10.0.0.1:22" ]
                """);
        ConfigError two = onlyError("""
                listeners:
                  - name: u
                    bind: 127.0.0.1:7000
                    protocol: udp
                    routes: []
                pools:
                  - name: p
                    protocol: tcp
                    backends: [ "10.0.0.1:22" ]
                  - name: d
                    protocol: udp
                    backends: [ "10.0.0.1:53" ]
                """);

        assertThat(one.listeners().get(0).l4().fallback()).isEqualTo(L4RouteConfig.toPool(L4MatchConfig.ANY, "p"));
        assertThat(one.listeners().get(0).l4().routes()).isEmpty();
        assertThat(two.path()).isEqualTo("listeners[0].routes");
        assertThat(two.line()).isEqualTo(5);
        assertThat(two.column()).isEqualTo(5);
        assertThat(two.message()).contains("no routes and no fallback", "say where sessions go", "`fallback: d`");
    }

    @Test
    void aTcpAndAUdpListenerMayShareAnAddressButTwoOfAKindMayNot() throws ConfigException {
        String shared = """
                listeners:
                  - name: dns-tcp
                    bind: 0.0.0.0:5353
                    protocol: tcp
                    fallback: dns-tcp
                  - name: dns
                    bind: 0.0.0.0:5353
                    protocol: udp
                    fallback: dns
                pools:
                  - name: dns-tcp
                    protocol: tcp
                    backends: [ "10.0.0.1:53" ]
                  - name: dns
                    protocol: udp
                    backends: [ "10.0.0.1:53" ]
                """;
        Config c = parse(shared);
        List<ConfigError> twoTcp = errors(shared.replace("protocol: udp\n    fallback: dns\n",
                "protocol: tcp\n    fallback: dns-tcp\n"));
        List<ConfigError> twoUdp = errors(shared.replace("protocol: tcp\n    fallback: dns-tcp\n",
                "protocol: udp\n    fallback: dns\n"));

        assertThat(c.listeners()).extracting(ListenerConfig::bind).containsOnly(hp("0.0.0.0", 5353));
        assertThat(twoTcp).extracting(ConfigError::path, ConfigError::line, ConfigError::column)
                .containsExactly(tuple("listeners[1].bind", 7, 11));
        assertThat(twoTcp.get(0).message()).isEqualTo("address 0.0.0.0:5353 is already used by listeners[0].bind;"
                + " each listener needs its own address");
        assertThat(twoUdp).extracting(ConfigError::path).containsExactly("listeners[1].bind");
        assertThat(twoUdp.get(0).message()).endsWith("(a tcp and a udp listener may share one)");
    }

    @Test
    void aGoodFileBindsToTheExpectedRecords() throws ConfigException {
        Config c = parse("""
                listeners:
                  - name: edge
                    bind: 0.0.0.0:443
                    protocol: tcp
                    detect_timeout: 500ms
                    detect_buffer: 4KiB
                    idle_timeout: 1h
                    max_connections: 500
                    proxy_protocol: accept
                    trusted_proxies: [ 10.0.0.0/8, "2001:db8::/32" ]
                    routes:
                      - match: { protocol: tls, sni: [ "*.Example.com", api.example.com ], alpn: [ h2 ] }
                        pool: tls
                      - match: { protocol: tls }
                        listener: web
                      - match: { protocol: ssh }
                        pool: ssh
                      - match: { prefix: "PING" }
                        pool: ssh
                      - match: { prefix_hex: "16:03 01" }
                        pool: tls
                    fallback: { listener: web }
                  - name: dns
                    bind: 0.0.0.0:53
                    protocol: udp
                    session_idle_timeout: 5s
                    max_sessions: 200
                    routes: [ { match: { protocol: dns }, pool: dns } ]
                    fallback: dns
                  - name: web
                    bind: 127.0.0.1:8443
                    routes: [ { pool: app } ]
                pools:
                  - name: tls
                    protocol: tcp
                    backends: [ "10.0.0.1:443" ]
                  - name: ssh
                    protocol: tcp
                    send_proxy_protocol: v2
                    backends: [ "10.0.0.2:22" ]
                  - name: dns
                    protocol: udp
                    strategy: ip_hash
                    backends: [ "10.0.0.3:53", "10.0.0.4:53" ]
                  - name: app
                    backends: [ "10.0.0.5:8080" ]
                """);

        ListenerConfig edge = c.listeners().get(0);
        assertThat(edge.protocol()).isEqualTo(ListenerConfig.TCP);
        assertThat(edge.layer4()).isTrue();
        assertThat(edge.routes()).isEmpty();
        assertThat(edge.proxyProtocol()).isEqualTo(new ProxyProtocolConfig(ProxyProtocolConfig.Mode.ACCEPT,
                List.of(CidrBlock.parse("10.0.0.0/8"), CidrBlock.parse("2001:db8::/32"))));
        assertThat(edge.l4()).isEqualTo(new L4Config(List.of(
                L4RouteConfig.toPool(new L4MatchConfig("tls", List.of("*.example.com", "api.example.com"),
                        List.of("h2"), null), "tls"),
                L4RouteConfig.toListener(protocol("tls"), "web"),
                L4RouteConfig.toPool(protocol("ssh"), "ssh"),
                L4RouteConfig.toPool(new L4MatchConfig(null, List.of(), List.of(), "PING".getBytes()), "ssh"),
                L4RouteConfig.toPool(new L4MatchConfig(null, List.of(), List.of(), new byte[] {0x16, 0x03, 0x01}),
                        "tls")),
                L4RouteConfig.toListener(L4MatchConfig.ANY, "web"),
                Duration.ofMillis(500), 4096, Duration.ofHours(1), 500));
        ListenerConfig dns = c.listeners().get(1);
        assertThat(dns).isEqualTo(ListenerConfig.l4("dns", hp("0.0.0.0", 53), ListenerConfig.UDP,
                new L4Config(List.of(L4RouteConfig.toPool(protocol("dns"), "dns")),
                        L4RouteConfig.toPool(L4MatchConfig.ANY, "dns"), L4Config.DETECT_TIMEOUT,
                        L4Config.DETECT_BUFFER, Duration.ofSeconds(5), 200), ProxyProtocolConfig.OFF));
        assertThat(c.pool("ssh")).isEqualTo(PoolConfig.builder("ssh").protocol(UpstreamProtocol.TCP)
                .backends(List.of(backend("10.0.0.2", 22))).sendProxyProtocol(ProxyVersion.V2)
                .healthCheck(ConfigBinder.TCP_CHECK).build());
        assertThat(c.pool("dns")).isEqualTo(PoolConfig.builder("dns").protocol(UpstreamProtocol.UDP)
                .strategy("ip_hash").backends(List.of(backend("10.0.0.3", 53), backend("10.0.0.4", 53))).build());
        assertThat(c.pool("app").healthCheck()).isNull();
    }

    @Test
    void l4ListenersHaveDefaults() throws ConfigException {
        Config c = parse("""
                listeners:
                  - name: t
                    bind: 127.0.0.1:7000
                    protocol: tcp
                    fallback: p
                  - name: u
                    bind: 127.0.0.1:7000
                    protocol: udp
                    fallback: d
                pools:
                  - name: p
                    protocol: tcp
                    backends: [ "10.0.0.1:22" ]
                  - name: d
                    protocol: udp
                    backends: [ "10.0.0.1:53" ]
                limits: { max_connections: 321 }
                """);

        L4Config tcp = c.listeners().get(0).l4();
        L4Config udp = c.listeners().get(1).l4();
        assertThat(tcp.detectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(tcp.detectBuffer()).isEqualTo(16 * 1024);
        assertThat(tcp.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(tcp.maxConnections()).as("from limits.max_connections").isEqualTo(321);
        assertThat(c.listeners().get(0).proxyProtocol()).isEqualTo(ProxyProtocolConfig.OFF);
        assertThat(udp.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(udp.maxConnections()).isEqualTo(10_000);
        assertThat(c.pool("p").sendProxyProtocol()).isEqualTo(ProxyVersion.NONE);
        assertThat(c.pool("p").timeouts()).isEqualTo(TimeoutsConfig.DEFAULTS);
    }

    @Test
    void poolsOnlyTcpListenersUseGetATcpProbeUnlessTheyHaveTheirOwn() throws ConfigException {
        Config c = parse("""
                listeners:
                  - name: t
                    bind: 127.0.0.1:7000
                    protocol: tcp
                    routes:
                      - { match: { protocol: ssh }, pool: plain }
                      - { match: { protocol: tls }, pool: shared }
                      - { match: { protocol: redis }, pool: own }
                      - { match: { protocol: mqtt }, pool: behind }
                      - { match: { protocol: postgres }, pool: unprobed }
                    fallback: untyped
                  - name: web
                    bind: 127.0.0.1:8080
                    routes: [ { pool: shared }, { pool: front } ]
                  - name: u
                    bind: 127.0.0.1:7000
                    protocol: udp
                    fallback: dgram
                pools:
                  - { name: plain, protocol: tcp, backends: [ "10.0.0.1:22" ] }
                  - { name: untyped, backends: [ "10.0.0.2:22" ] }
                  - { name: shared, backends: [ "10.0.0.3:443" ] }
                  - { name: own, protocol: tcp, health_check: { interval: 1s }, backends: [ "10.0.0.4:6379" ] }
                  - { name: front, fallback_pool: behind, backends: [ "10.0.0.5:80" ] }
                  - { name: behind, backends: [ "10.0.0.6:1883" ] }
                  - { name: dgram, protocol: udp, backends: [ "10.0.0.7:53" ] }
                  - { name: unprobed, protocol: tcp, health_check: false, backends: [ "10.0.0.8:5432" ] }
                """);

        assertThat(c.pool("plain").healthCheck()).isEqualTo(ConfigBinder.TCP_CHECK);
        assertThat(c.pool("unprobed").healthCheck()).as("health_check: false turns the default probe off too").isNull();
        assertThat(c.pool("untyped").healthCheck()).as("an http1 pool only tcp listeners use")
                .isEqualTo(ConfigBinder.TCP_CHECK);
        assertThat(ConfigBinder.TCP_CHECK.type()).isEqualTo(HealthCheckConfig.Type.TCP);
        assertThat(ConfigBinder.TCP_CHECK.interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.pool("shared").healthCheck()).as("HTTP routes use it too").isNull();
        assertThat(c.pool("own").healthCheck()).isEqualTo(HealthCheckConfig.every(Duration.ofSeconds(1))
                .withType(HealthCheckConfig.Type.TCP));
        assertThat(c.pool("front").healthCheck()).isNull();
        assertThat(c.pool("behind").healthCheck()).as("HTTP requests reach it as front's fallback_pool").isNull();
        assertThat(c.pool("dgram").healthCheck()).isNull();
    }

    @Test
    void aTcpPoolWithAnExplicitHttpCheckIsRefused() {
        ConfigError e = onlyError("""
                listeners:
                  - { name: t, bind: "127.0.0.1:7000", protocol: tcp }
                pools:
                  - name: p
                    protocol: tcp
                    health_check: { type: http, path: /health }
                    backends: [ "10.0.0.1:22" ]
                """);

        assertThat(e.path()).isEqualTo("pools[0].health_check");
        assertThat(e.line()).isEqualTo(6);
        assertThat(e.message()).contains("use `type: tcp`");
    }

    @Test
    void aFallbackPoolCarriesTheSameKindOfTraffic() {
        List<ConfigError> e = errors("""
                listeners:
                  - { name: u, bind: "127.0.0.1:7000", protocol: udp, fallback: dns }
                  - { name: web, bind: "127.0.0.1:8080", routes: [ { pool: app } ] }
                pools:
                  - { name: dns, protocol: udp, fallback_pool: app, backends: [ "10.0.0.1:53" ] }
                  - { name: app, fallback_pool: raw, backends: [ "10.0.0.2:80" ] }
                  - { name: raw, protocol: tcp, fallback_pool: app, backends: [ "10.0.0.3:22" ] }
                """);

        assertThat(e).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("pools[0].fallback_pool", 5, 48),
                tuple("pools[1].fallback_pool", 6, 33),
                tuple("pools[2].fallback_pool", 7, 48));
        assertThat(e.get(0).message()).isEqualTo("pool `dns` (udp) cannot fall back to pool `app` (http1): a fallback"
                + " pool takes the same traffic, so it needs a protocol of the same kind (udp)");
        assertThat(e.get(1).message()).contains("pool `app` (http1) cannot fall back to pool `raw` (tcp)",
                "(http1, h2 or h2c)");
        assertThat(e.get(2).message()).contains("fallback pools go round in a loop");
    }
}

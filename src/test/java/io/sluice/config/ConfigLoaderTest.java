package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Well-formed files: the full form, the short form, and defaults. */
class ConfigLoaderTest {

    static Path resource(String name) {
        try {
            return Path.of(ConfigLoaderTest.class.getResource("/config/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Config parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "test.yaml", name -> null);
    }

    private static HostPort hp(String host, int port) {
        return new HostPort(host, port);
    }

    @Test
    void fullExampleParsesToTheExpectedRecords() throws ConfigException {
        Config c = ConfigLoader.load(resource("full.yaml"));

        ListenerConfig web = new ListenerConfig("web", hp("127.0.0.1", 8080), "http", List.of(
                new RouteConfig(new MatchConfig("api.example.com", "/api", null, List.of(), Map.of()), "api"),
                new RouteConfig(new MatchConfig(null, null, "/exact", List.of("GET", "HEAD"), Map.of("X-Canary", "1")),
                        "api"),
                new RouteConfig(MatchConfig.ANY, "web")));
        PoolConfig webPool = new PoolConfig("web", "round_robin",
                List.of(new BackendConfig(hp("127.0.0.1", 3001), 1), new BackendConfig(hp("127.0.0.1", 3002), 3)),
                new TimeoutsConfig(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(60)), null);
        PoolConfig apiPool = new PoolConfig("api", "round_robin", List.of(new BackendConfig(hp("localhost", 3003), 1)),
                TimeoutsConfig.DEFAULTS, null);
        Config expected = new Config(List.of(web), List.of(webPool, apiPool),
                new AdminConfig(true, hp("127.0.0.1", 9901), null),
                new LimitsConfig(16 * 1024, 10 * 1024 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(60), 10_000,
                        Duration.ofSeconds(10)),
                new HeadersConfig(true, true), 0);
        assertThat(c).isEqualTo(expected);
    }

    @Test
    void shortFormBecomesOneListenerOnePoolAndOneRoute() throws ConfigException {
        Config c = ConfigLoader.load(resource("short.yaml"));

        PoolConfig pool = new PoolConfig("default", "round_robin",
                List.of(new BackendConfig(hp("127.0.0.1", 3001), 3), new BackendConfig(hp("127.0.0.1", 3002), 1)),
                TimeoutsConfig.DEFAULTS, null);
        ListenerConfig listener = new ListenerConfig("default", hp("127.0.0.1", 8080), "http",
                List.of(new RouteConfig(MatchConfig.ANY, "default")))
                .withPolicy(HttpPolicyConfig.NONE.withStatusEndpoints(true)); // the short form's default
        LimitsConfig limits = new LimitsConfig(LimitsConfig.DEFAULTS.maxHeaderSize(), 10L * 1024 * 1024,
                LimitsConfig.DEFAULTS.headerTimeout(), LimitsConfig.DEFAULTS.idleTimeout(),
                LimitsConfig.DEFAULTS.maxConnections(), LimitsConfig.DEFAULTS.drainTimeout());
        assertThat(c).isEqualTo(new Config(List.of(listener), List.of(pool), AdminConfig.DEFAULTS, limits,
                HeadersConfig.DEFAULTS, 0));
    }

    @Test
    void shortFormTakesPlainAndAddressBackendsAndMixesWithSharedSections() throws ConfigException {
        Config c = parse("""
                listen: ":8080"
                backends:
                  - "127.0.0.1:3001"
                  - address: "127.0.0.1:3002"
                  - url: "http://backend.local"
                health_check_interval: 30
                workers: 4
                admin: { enabled: false, token: s3cret }
                limits: { max_connections: 50 }
                headers: { forwarded_by: true }
                """);

        assertThat(c.listeners()).singleElement().satisfies(l -> assertThat(l.bind()).isEqualTo(hp("0.0.0.0", 8080)));
        PoolConfig pool = c.pool("default");
        assertThat(pool.backends()).extracting(BackendConfig::address)
                .containsExactly(hp("127.0.0.1", 3001), hp("127.0.0.1", 3002), hp("backend.local", 80));
        assertThat(pool.healthCheck().interval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.workers()).isEqualTo(4);
        assertThat(c.admin()).isEqualTo(new AdminConfig(false, hp("127.0.0.1", 9901), "s3cret"));
        assertThat(c.limits().maxConnections()).isEqualTo(50);
        assertThat(c.limits().maxBodySize()).isEqualTo(LimitsConfig.DEFAULTS.maxBodySize());
        assertThat(c.headers()).isEqualTo(new HeadersConfig(true, false));
    }

    @Test
    void shortFormHealthCheckIntervalMayBeADuration() throws ConfigException {
        Config c = parse("listen: \"127.0.0.1:0\"\nbackends: [\"127.0.0.1:3001\"]\nhealth_check_interval: 1m30s\n");

        assertThat(c.pool("default").healthCheck().interval()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void defaultsFillEverythingLeftOut() throws ConfigException {
        Config c = parse("""
                listeners:
                  - name: only
                    bind: 127.0.0.1:0
                pools:
                  - name: p
                    backends: [ { address: "127.0.0.1:3001" } ]
                """);

        assertThat(c.admin()).isEqualTo(AdminConfig.DEFAULTS);
        assertThat(c.limits()).isEqualTo(LimitsConfig.DEFAULTS);
        assertThat(c.headers()).isEqualTo(HeadersConfig.DEFAULTS);
        assertThat(c.workers()).isZero();
        ListenerConfig l = c.listeners().get(0);
        assertThat(l.protocol()).isEqualTo("http");
        assertThat(l.routes()).as("no routes and one pool: everything goes to it")
                .containsExactly(new RouteConfig(MatchConfig.ANY, "p"));
        PoolConfig p = c.pool("p");
        assertThat(p.strategy()).isEqualTo("round_robin");
        assertThat(p.timeouts()).isEqualTo(TimeoutsConfig.DEFAULTS);
        assertThat(p.healthCheck()).isNull();
        assertThat(p.backends()).containsExactly(new BackendConfig(hp("127.0.0.1", 3001), 1));
    }

    @Test
    void optionalFieldsAreRead() throws ConfigException {
        Config c = parse("""
                workers: 8
                admin: { enabled: true, bind: "127.0.0.1:0", token: "t0k" }
                listeners:
                  - name: a
                    bind: "[::1]:8080"
                    routes:
                      - match:
                          host: "*.Example.COM"
                          methods: [get, Post]
                          headers: { X-Canary: 1, X-Flag: yes }
                        pool: p
                      - pool: unused-is-fine
                pools:
                  - name: p
                    strategy: round_robin
                    health_check: { interval: 10s }
                  - name: unused-is-fine
                  - name: also-unused
                """);

        assertThat(c.workers()).isEqualTo(8);
        assertThat(c.admin()).isEqualTo(new AdminConfig(true, hp("127.0.0.1", 0), "t0k"));
        ListenerConfig l = c.listeners().get(0);
        assertThat(l.bind()).isEqualTo(hp("::1", 8080));
        assertThat(l.routes().get(0).match()).isEqualTo(new MatchConfig("*.example.com", null, null,
                List.of("GET", "POST"), Map.of("X-Canary", "1", "X-Flag", "yes")));
        assertThat(c.pool("p").healthCheck().interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.pool("p").backends()).isEmpty();
        assertThat(c.pools()).hasSize(3);
    }

    @Test
    void sizesAndNumbersMayBePlainIntegers() throws ConfigException {
        Config c = parse("""
                listen: 127.0.0.1:8080
                limits: { max_header_size: 8192, max_body_size: 1_000_000, max_connections: 1 }
                """);

        assertThat(c.limits().maxHeaderSize()).isEqualTo(8192);
        assertThat(c.limits().maxBodySize()).isEqualTo(1_000_000);
        assertThat(c.limits().maxConnections()).isEqualTo(1);
        assertThat(c.pool("default").backends()).isEmpty();
    }
}

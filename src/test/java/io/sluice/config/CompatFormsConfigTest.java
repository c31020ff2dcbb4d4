package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.filter.ratelimit.RateLimitSettings;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Config files as users of other load balancers write them: the short form with every key such a file has,
 * strategy names in CamelCase and short forms, and the {@code status_endpoints} switch.
 */
class CompatFormsConfigTest {
    private static final String SHORT_FORM = """
            listen: "0.0.0.0:8080"
            algorithm: Weighted
            backends:
              - url: "http://192.168.1.10:8000"
                weight: 3
              - url: "http://192.168.1.11:8000"
                weight: 1
            health_check:
              path: "/health"
              interval_secs: 10
              timeout_secs: 5
            retry:
              max_retries: 3
              backoff_ms: 100
            max_request_body_mb: 10
            """;

    private static Config parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "test.yaml", name -> null);
    }

    private static String fullForm(String strategyLine, String listenerLine) {
        return """
                listeners:
                  - name: web
                    bind: 127.0.0.1:0
                %s
                pools:
                  - name: p
                %s
                    backends: [ { address: "127.0.0.1:3001" } ]
                """.formatted(listenerLine, strategyLine);
    }

    @Test
    void theShortFormFileWorksVerbatim() throws ConfigException {
        Config c = parse(SHORT_FORM);

        ListenerConfig l = c.listeners().get(0);
        assertThat(c.listeners()).hasSize(1);
        assertThat(l.bind()).isEqualTo(new HostPort("0.0.0.0", 8080));
        assertThat(l.routes()).containsExactly(new RouteConfig(MatchConfig.ANY, "default"));
        assertThat(l.policy().statusEndpoints()).as("on in the short form").isTrue();
        PoolConfig p = c.pool("default");
        assertThat(p.strategy()).isEqualTo("weighted_round_robin");
        assertThat(p.backends()).containsExactly(
                new BackendConfig(new HostPort("192.168.1.10", 8000), 3),
                new BackendConfig(new HostPort("192.168.1.11", 8000), 1));
        assertThat(p.tls()).isNull();
        assertThat(p.healthCheck()).isEqualTo(HealthCheckConfig.DEFAULTS.withPath("/health")
                .withInterval(Duration.ofSeconds(10)).withTimeout(Duration.ofSeconds(5)));
        assertThat(p.retry()).isEqualTo(RetryConfig.DEFAULTS.withMaxRetries(3)
                .withBackoff(Duration.ofMillis(100), RetryConfig.DEFAULTS.maxBackoff()));
        assertThat(c.limits().maxBodySize()).isEqualTo(10L * 1024 * 1024);
    }

    @Test
    void theShortFormTakesATopLevelRateLimit() throws ConfigException {
        Config c = parse(SHORT_FORM + "rate_limit: { requests_per_second: 100, burst: 200 }\n");

        List<FilterConfig> filters = c.listeners().get(0).routes().get(0).filters();
        assertThat(filters).singleElement().satisfies(f -> {
            assertThat(f.name()).isEqualTo("rate_limit");
            RateLimitSettings s = (RateLimitSettings) f.settings();
            assertThat(s.requestsPerSecond()).isEqualTo(100.0);
            assertThat(s.burst()).isEqualTo(200);
        });
        assertThat(c.pool("default").strategy()).isEqualTo("weighted_round_robin");
    }

    @Test
    void theShortFormTurnsStatusEndpointsOffOnRequest() throws ConfigException {
        Config c = parse(SHORT_FORM + "status_endpoints: false\n");

        assertThat(c.listeners().get(0).policy().statusEndpoints()).isFalse();
    }

    @Test
    void aFullFormListenerHasNoStatusEndpointsUnlessAsked() throws ConfigException {
        assertThat(parse(fullForm("", "")).listeners().get(0).policy()).isEqualTo(HttpPolicyConfig.NONE);
        assertThat(parse(fullForm("", "    status_endpoints: true")).listeners().get(0).policy())
                .isEqualTo(HttpPolicyConfig.NONE.withStatusEndpoints(true));
    }

    @Test
    void statusEndpointsMustBeABoolean() {
        assertThatThrownBy(() -> parse(fullForm("", "    status_endpoints: sometimes")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("listeners[0].status_endpoints");
    }

    @Test
    void strategyNamesInOtherToolsFormsBecomeTheCanonicalName() throws ConfigException {
        for (String[] c : new String[][] {{"RoundRobin", "round_robin"}, {"Weighted", "weighted_round_robin"},
                {"WeightedRoundRobin", "weighted_round_robin"}, {"LeastConnections", "least_connections"},
                {"least_conn", "least_connections"}, {"IpHash", "ip_hash"}, {"Random", "random"},
                {"LeastEwma", "least_ewma"}, {"POWER_OF_TWO", "power_of_two"}, {"round_robin", "round_robin"}}) {
            assertThat(parse(fullForm("    strategy: " + c[0], "")).pool("p").strategy()).as(c[0]).isEqualTo(c[1]);
            assertThat(parse("listen: 127.0.0.1:0\nalgorithm: " + c[0] + "\n").pool("default").strategy())
                    .as(c[0]).isEqualTo(c[1]);
        }
    }

    @Test
    void anUnknownStrategyIsStillAnErrorNamingTheCanonicalNames() {
        assertThatThrownBy(() -> parse(fullForm("    strategy: WeightedLeast", "")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown strategy `WeightedLeast`")
                .hasMessageContaining("weighted_round_robin");
    }

    @Test
    void aPoolBuiltInCodeCanonicalisesItsStrategyToo() {
        assertThat(PoolConfig.builder("p").strategy("LeastConnections").build().strategy())
                .isEqualTo("least_connections");
        assertThat(PoolConfig.builder("p").strategy("mine").build().strategy()).as("unknown: left for later")
                .isEqualTo("mine");
    }
}

package io.sluice.filter.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.sluice.config.Config;
import io.sluice.config.ConfigError;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.FilterConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code rate_limit} settings as YAML gives them: defaults, every key kind, and mistakes at line:column. */
class RateLimitConfigTest {
    private static final String HEAD = """
            listeners:
              - name: web
                bind: 127.0.0.1:0
                routes:
                  - pool: p
                    filters:
            """;
    private static final String POOLS = "pools: [ { name: p, backends: [ { address: \"127.0.0.1:9\" } ] } ]\n";

    private static Config load(String filters) throws ConfigException {
        return ConfigLoader.parse(HEAD + filters + POOLS, "test.yaml", n -> null);
    }

    private static List<ConfigError> errors(String filters) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(filters));
        assertThat(e).as("expected the config to be rejected").isNotNull();
        return e.errors();
    }

    private static RateLimitSettings settings(Config c) {
        FilterConfig f = c.listeners().get(0).routes().get(0).filters().get(0);
        assertThat(f.name()).isEqualTo("rate_limit");
        return (RateLimitSettings) f.settings();
    }

    @Test
    void defaultsAndCombinedKeys() throws Exception {
        RateLimitSettings s = settings(load("          - rate_limit: { requests_per_second: 2.5 }\n"));
        assertThat(s).isEqualTo(new RateLimitSettings(2.5, 3, List.of(RateLimitKey.parse("client_ip")),
                100_000, 429, "default"));

        s = settings(load("""
                          - rate_limit:
                              requests_per_second: 100
                              burst: 200
                              key: [ client_ip, "header:X-Api-Key", "cookie:sid", route ]
                              max_keys: 5000
                              status: 503
                              name: api
                """));
        assertThat(s.key()).extracting(Object::toString)
                .containsExactly("client_ip", "header:X-Api-Key", "cookie:sid", "route");
        assertThat(s).extracting(RateLimitSettings::burst, RateLimitSettings::maxKeys, RateLimitSettings::status,
                RateLimitSettings::name).containsExactly(200L, 5000L, 503, "api");
    }

    @Test
    void mistakesAreReportedAtTheirLineAndColumn() {
        List<ConfigError> e = errors("""
                          - rate_limit: { requests_per_second: 0, burst: 0 }
                          - rate_limit: { requests_per_second: 10, key: [ client_ip, "ip" ] }
                          - rate_limit: { requests_per_second: 10, key: "header:" }
                          - rate_limit: { requests_per_second: 10, bursts: 5 }
                          - rate_limit: { burst: 5 }
                          - rate_limit: { requests_per_second: 10, key: [ route, route ] }
                """);
        String f = "listeners[0].routes[0].filters";
        assertThat(e).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple(f + "[0].rate_limit.requests_per_second", 7, 48),
                tuple(f + "[0].rate_limit.burst", 7, 58),
                tuple(f + "[1].rate_limit.key[1]", 8, 70),
                tuple(f + "[2].rate_limit.key", 9, 57),
                tuple(f + "[3].rate_limit.bursts", 10, 52),
                tuple(f + "[4].rate_limit.requests_per_second", 11, 25),
                tuple(f + "[5].rate_limit.key[1]", 12, 66));
        assertThat(e).extracting(ConfigError::message).satisfiesExactly(
                m -> assertThat(m).contains("must be more than 0, got 0"),
                m -> assertThat(m).contains("at least 1"),
                m -> assertThat(m).contains("unknown key `ip`", "client_ip, header:NAME, cookie:NAME, route"),
                m -> assertThat(m).contains("needs a header name"),
                m -> assertThat(m).contains("unknown key `bursts`", "did you mean `burst`"),
                m -> assertThat(m).contains("missing required key `requests_per_second`"),
                m -> assertThat(m).contains("`route` is in the key twice"));
    }

    @Test
    void theShortFormTakesATopLevelRateLimit() throws Exception {
        Config c = ConfigLoader.parse("""
                listen: "127.0.0.1:0"
                backends: ["127.0.0.1:9"]
                rate_limit:
                  requests_per_second: 100
                  burst: 200
                """, "test.yaml", n -> null);
        RateLimitSettings s = settings(c);
        assertThat(s.requestsPerSecond()).isEqualTo(100);
        assertThat(s.burst()).isEqualTo(200);
    }
}

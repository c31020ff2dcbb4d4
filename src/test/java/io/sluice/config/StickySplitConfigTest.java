package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.sluice.filter.StickySettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code sticky} filter's and the traffic split's settings: what they accept and where mistakes are. */
class StickySplitConfigTest {
    private static final String POOLS = """
            pools:
              - { name: v1, backends: [ "127.0.0.1:9001" ] }
              - { name: v2, backends: [ "127.0.0.1:9002" ] }
            """;

    @Test
    void aRouteStickyBlockIsBoundWithItsDefaults() throws ConfigException {
        Config c = ConfigLoader.parse("""
                listeners:
                  - name: web
                    bind: "127.0.0.1:0"
                    routes:
                      - pool: v1
                        sticky: { secret: "${KEY}", ttl: 30m, secure: true, same_site: none, domain: example.com }
                      - pool: v2
                        filters: [ { sticky: { cookie: APP, secrets: [ "${KEY}", "an-older-key-000000" ] } } ]
                """ + POOLS, "test.yaml", Map.of("KEY", "a-key-of-enough-length")::get);
        List<RouteConfig> routes = c.listeners().get(0).routes();
        FilterConfig first = routes.get(0).filters().get(0);
        assertThat(first.name()).isEqualTo("sticky");
        assertThat(first.settings()).isEqualTo(new StickySettings("SLUICE_AFFINITY", Duration.ofMinutes(30),
                List.of("a-key-of-enough-length"), true, true, "None", "/", "example.com"));
        assertThat(first.settings().toString()).doesNotContain("a-key-of-enough-length");
        assertThat(routes.get(1).filters().get(0).settings()).isEqualTo(new StickySettings("APP",
                Duration.ofHours(1), List.of("a-key-of-enough-length", "an-older-key-000000"), false, true, "Lax",
                "/", null));
    }

    @Test
    void theShortFormTakesStickyAtTheTopLevel() throws ConfigException {
        Config c = ConfigLoader.parse("""
                listen: "127.0.0.1:0"
                backends: [ "127.0.0.1:9001", "127.0.0.1:9002" ]
                sticky: { secret: "short-form-secret-000", cookie: SID }
                """, "test.yaml", k -> null);
        FilterConfig f = c.listeners().get(0).routes().get(0).filters().get(0);
        assertThat(f.name()).isEqualTo("sticky");
        assertThat(((StickySettings) f.settings()).cookie()).isEqualTo("SID");
    }

    @Test
    void stickyMistakesAreReportedAtTheirLineAndColumn() {
        List<ConfigError> errors = ConfigErrorsTest.errors("""
                listeners:
                  - name: web
                    bind: "127.0.0.1:0"
                    routes:
                      - pool: v1
                        sticky: { ttl: 1h }
                      - pool: v1
                        sticky: { secret: "0123456789abcdef0", same_site: None }
                      - pool: v1
                        sticky: { secret: short, cookie: "bad name", same_site: sometimes, secrets: [ a ] }
                      - pool: v1
                        sticky: { secret: "0123456789abcdef0", path: nope, colour: red }
                """ + POOLS);
        assertThat(errors).extracting(ConfigError::line, ConfigError::column).containsExactly(
                tuple(6, 17),
                tuple(8, 59),
                tuple(10, 42),
                tuple(10, 65),
                tuple(10, 85),
                tuple(12, 54),
                tuple(12, 60));
        assertThat(errors).extracting(ConfigError::message).satisfiesExactly(
                m -> assertThat(m).contains("missing required key `secret`", "STICKY_SECRET"),
                m -> assertThat(m).contains("SameSite=None", "secure: true"),
                m -> assertThat(m).contains("not a valid cookie name"),
                m -> assertThat(m).contains("Lax, Strict or None"),
                m -> assertThat(m).contains("either `secret` or `secrets`"),
                m -> assertThat(m).contains("starts with \"/\""),
                m -> assertThat(m).contains("unknown key `colour`"));
    }

    @Test
    void splitMistakesAreReportedAtTheirLineAndColumn() {
        List<ConfigError> errors = ConfigErrorsTest.errors("""
                listeners:
                  - name: web
                    bind: "127.0.0.1:0"
                    routes:
                      - split: [ { pool: v1, weight: -1 }, { pool: v2, weight: 5 } ]
                      - split: [ { pool: v1, weight: 0 }, { pool: v2, weight: 0 } ]
                      - split: [ { pool: v1, weight: 5 }, { pool: v3, weight: 5 } ]
                      - split: [ { pool: v1, weight: 5 }, { pool: v1, weight: 5 } ]
                """ + POOLS);
        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column)
                .containsExactly(
                        tuple("listeners[0].routes[0].split[0].weight", 5, 38),
                        tuple("listeners[0].routes[1].split", 6, 9),
                        tuple("listeners[0].routes[2].split[1].pool", 7, 51),
                        tuple("listeners[0].routes[3].split[1].pool", 8, 51));
        assertThat(errors).extracting(ConfigError::message).satisfiesExactly(
                m -> assertThat(m).contains("0"),
                m -> assertThat(m).contains("every weight of the split is 0"),
                m -> assertThat(m).contains("v3"),
                m -> assertThat(m).contains("in the split twice"));
    }
}

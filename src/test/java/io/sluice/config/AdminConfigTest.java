package io.sluice.config;

import static io.sluice.config.ConfigErrorsTest.errors;
import static io.sluice.config.ConfigErrorsTest.onlyError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The admin section: ":PORT" means loopback, an admin listener other hosts could reach needs a token or an
 * explicit allow_unauthenticated, and its own request limits bind with their defaults.
 */
class AdminConfigTest {
    private static final String BASE = """
            listen: "127.0.0.1:8080"
            backends: ["127.0.0.1:3001"]
            """;

    private static AdminConfig admin(String section) throws ConfigException {
        return ConfigLoader.parse(BASE + section, "test.yaml", name -> null).admin();
    }

    @Test
    void anAddressWithoutAHostMeansLoopbackNotEveryInterface() throws Exception {
        AdminConfig a = admin("""
                admin:
                  bind: ":9911"
                """);
        assertThat(a.bind()).isEqualTo(new HostPort("127.0.0.1", 9911));
        assertThat(a.loopback()).isTrue();
        assertThat(AdminConfig.parseBind(" :9912")).isEqualTo(new HostPort("127.0.0.1", 9912));
        assertThat(AdminConfig.parseBind("0.0.0.0:9912")).isEqualTo(new HostPort("0.0.0.0", 9912));
    }

    @Test
    void aBarePortIsAnErrorThatSuggestsTheLoopbackForm() {
        ConfigError e = onlyError(BASE + "admin: { bind: 9901 }\n");
        assertThat(e.path()).isEqualTo("admin.bind");
        assertThat(e.message()).contains("\":9901\" (quoted) for 127.0.0.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0:9901", "\"[::]:9901\"", "192.168.1.10:9901", "admin.example:9901"})
    void aNonLoopbackBindWithoutATokenIsAnErrorAtItsLine(String bind) {
        ConfigError e = onlyError(BASE + """
                workers: 2
                admin:
                  enabled: true
                  bind: %s
                """.formatted(bind));
        assertThat(e.path()).isEqualTo("admin.bind");
        assertThat(e.line()).isEqualTo(6);
        assertThat(e.column()).isEqualTo(9);
        assertThat(e.message()).contains("no token", "allow_unauthenticated: true", "127.0.0.1:9901");
        assertThat(e.toString()).contains("6:9");
    }

    @Test
    void anEmptyTokenFromTheEnvironmentIsNoToken() {
        ConfigError e = onlyError(BASE + """
                admin: { bind: "0.0.0.0:9901", token: "" }
                """);
        assertThat(e).extracting(ConfigError::path, ConfigError::line, ConfigError::column)
                .containsExactly("admin.bind", 3, 16);
    }

    @Test
    void aTokenOrAnExplicitAllowanceOrLoopbackOrBeingOffIsAccepted() throws Exception {
        assertThat(admin("admin: { bind: \"0.0.0.0:9901\", token: s3cret }\n").token()).isEqualTo("s3cret");
        AdminConfig open = admin("admin: { bind: \"0.0.0.0:9901\", allow_unauthenticated: true }\n");
        assertThat(open.allowUnauthenticated()).isTrue();
        assertThat(open.exposedWithoutToken()).isFalse();
        assertThat(admin("admin: { bind: \"[::1]:9901\" }\n").loopback()).isTrue();
        assertThat(admin("admin: { bind: \"localhost:9901\" }\n").loopback()).isTrue();
        assertThat(admin("admin: { bind: \"127.1.2.3:9901\" }\n").loopback()).isTrue();
        assertThat(admin("admin: { bind: \"0.0.0.0:9901\", enabled: false }\n").enabled()).isFalse();
        assertThat(admin("admin: { bind: \"0.0.0.0:9901\", allow_unauthenticated: false, token: t }\n")
                .exposedWithoutToken()).isFalse();
    }

    @Test
    void requestLimitsDefaultAndBind() throws Exception {
        AdminConfig d = admin("");
        assertThat(d).isEqualTo(AdminConfig.DEFAULTS);
        assertThat(d.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.maxHeaderSize()).isEqualTo(16 * 1024);
        assertThat(d.maxBodySize()).isEqualTo(64 * 1024);
        AdminConfig a = admin("""
                admin:
                  header_timeout: 2s
                  max_header_size: 4KiB
                  max_body_size: 1KiB
                """);
        assertThat(a.headerTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(a.maxHeaderSize()).isEqualTo(4096);
        assertThat(a.maxBodySize()).isEqualTo(1024);
    }

    @Test
    void badLimitsAndUnknownKeysAreReportedWithTheirPositions() {
        assertThat(errors(BASE + """
                admin:
                  header_timeout: 0s
                  max_header_size: 10
                  max_body_size: lots
                  allow_unauthenticated: maybe
                  alow_unauthenticated: true
                """)).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("admin.header_timeout", 4, 19),
                tuple("admin.max_header_size", 5, 20),
                tuple("admin.max_body_size", 6, 18),
                tuple("admin.allow_unauthenticated", 7, 26),
                tuple("admin.alow_unauthenticated", 8, 3));
    }
}

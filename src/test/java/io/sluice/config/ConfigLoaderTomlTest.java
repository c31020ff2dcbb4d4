package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TOML files: the same keys and the same Config as YAML, the same errors at the same kind of place. */
class ConfigLoaderTomlTest {
    private static final Path README = Path.of("README.md");
    private static final Path EXAMPLE = Path.of("examples", "sluice.toml");

    static Config toml(String text, Map<String, String> env) throws ConfigException {
        return ConfigLoader.parse(text, "test.toml", env::get, Path.of(""), ConfigFormat.TOML);
    }

    static List<ConfigError> errors(String text) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> toml(text, Map.of()));
        assertThat(e).as("expected the config to be rejected").isNotNull();
        return e.errors();
    }

    /** The first YAML block of the README's "## Configuration" section: the whole file, every section. */
    static String readmeFullExample() throws IOException {
        String readme = Files.readString(README);
        int section = readme.indexOf("\n## Configuration\n");
        assertThat(section).as("README has a Configuration section").isNotNegative();
        int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
        int end = readme.indexOf("```", start);
        return readme.substring(start, end);
    }

    @Test
    void theReadmeExampleInTomlGivesTheSameConfigAsItsYaml() throws Exception {
        String yaml = readmeFullExample();
        assertThat(yaml).contains("listeners:", "pools:", "admin:", "limits:", "headers:");
        Config fromYaml = ConfigLoader.parse(yaml, "README.md", name -> null);
        Config fromToml = toml(Files.readString(EXAMPLE), Map.of());

        assertThat(fromToml.listeners()).isEqualTo(fromYaml.listeners());
        assertThat(fromToml.pools()).isEqualTo(fromYaml.pools());
        assertThat(fromToml).isEqualTo(fromYaml);
        assertThat(fromToml.pools()).extracting(PoolConfig::name).containsExactly("web", "api");
        assertThat(fromToml.listeners().get(0).routes()).hasSize(3);
        assertThat(fromToml.limits().maxConnections()).isEqualTo(10_000);
    }

    @Test
    void theReadmeTomlSnippetLoads() throws Exception {
        String readme = Files.readString(README);
        int section = readme.indexOf("\n### TOML\n");
        assertThat(section).as("README has a TOML section").isNotNegative();
        int start = readme.indexOf("```toml\n", section) + "```toml\n".length();
        Config c = toml(readme.substring(start, readme.indexOf("```", start)), Map.of());

        assertThat(c.pools()).extracting(PoolConfig::name).containsExactly("web", "api");
        assertThat(c.pools().get(0).backends()).extracting(BackendConfig::weight).containsExactly(1, 3);
        assertThat(c.pools().get(1).backends()).extracting(BackendConfig::address)
                .containsExactly(new HostPort("localhost", 3003));
        assertThat(c.listeners().get(0).routes()).extracting(RouteConfig::pool).containsExactly("api", "web");
    }

    @Test
    void theFileNameChoosesTheFormatAndAnExplicitFormatOverridesIt(@TempDir Path dir) throws Exception {
        String text = Files.readString(EXAMPLE).replace("${SLUICE_ADMIN_TOKEN:-}", "");
        Config expected = toml(text, Map.of());
        Path dotToml = Files.writeString(dir.resolve("lb.TOML"), text);
        Path other = Files.writeString(dir.resolve("lb.conf"), text);

        assertThat(ConfigLoader.load(dotToml)).isEqualTo(expected);
        assertThat(ConfigLoader.load(other, ConfigFormat.TOML)).isEqualTo(expected);
        assertThatThrownBy(() -> ConfigLoader.load(other)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("YAML");
        assertThat(ConfigFormat.of(Path.of("a.yml"))).isEqualTo(ConfigFormat.YAML);
        assertThat(ConfigFormat.of(Path.of("a.toml.bak"))).isEqualTo(ConfigFormat.YAML);
        assertThat(ConfigFormat.parse(" TOML ")).isEqualTo(ConfigFormat.TOML);
        assertThat(ConfigFormat.parse("yml")).isEqualTo(ConfigFormat.YAML);
        assertThatThrownBy(() -> ConfigFormat.parse("json")).hasMessageContaining("yaml or toml");
    }

    @Test
    void mistakesAreReportedWithPathLineAndColumn() {
        List<ConfigError> errors = errors("""
                [[listeners]]
                name = "web"
                bind = "127.0.0.1:8080"
                [[listeners.routes]]
                pool = "web"

                [[pools]]
                name = "web"
                strategu = "round_robin"
                timeouts = { connect = "soon" }
                [[pools.backends]]
                address = "127.0.0.1:3001"

                [[pools]]
                backends = ["127.0.0.1:3002"]
                """);
        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("pools[0].strategu", 9, 1),
                tuple("pools[0].timeouts.connect", 10, 24),
                tuple("pools[1].name", 14, 1));
        assertThat(errors).extracting(ConfigError::message).satisfiesExactly(
                m -> assertThat(m).contains("unknown key `strategu`", "did you mean `strategy`"),
                m -> assertThat(m).contains("soon"),
                m -> assertThat(m).contains("missing required key `name`"));
    }

    @Test
    void aTomlSyntaxErrorHasItsLineAndColumn() {
        List<ConfigError> errors = errors("""
                workers = 2
                [limits]
                max_connections = = 5
                """);
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(3);
            assertThat(e.column()).isEqualTo(19);
            assertThat(e.message()).startsWith("TOML syntax error");
        });
    }

    @Test
    void environmentReferencesAreReplacedAsInYaml() throws Exception {
        Config c = toml("""
                listen = "127.0.0.1:${PORT}"
                backends = ["${BACKEND:-127.0.0.1:3001}"]
                workers = "${WORKERS:-4}"
                """, Map.of("PORT", "8080"));
        assertThat(c.listeners().get(0).bind()).isEqualTo(new HostPort("127.0.0.1", 8080));
        assertThat(c.pools().get(0).backends()).extracting(BackendConfig::address)
                .containsExactly(new HostPort("127.0.0.1", 3001));
        assertThat(c.workers()).isEqualTo(4);

        assertThat(errors("""
                listen = ":8080"
                backends = [
                  "${NOPE}",
                ]
                """)).extracting(ConfigError::path, ConfigError::line, ConfigError::column, ConfigError::message)
                .containsExactly(tuple("backends[0]", 3, 3,
                        "environment variable NOPE is not set; set it, or give a default as in ${NOPE:-value}"));
    }
}

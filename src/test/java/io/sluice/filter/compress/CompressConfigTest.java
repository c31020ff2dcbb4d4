package io.sluice.filter.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.sluice.config.Config;
import io.sluice.config.ConfigError;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.FilterConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code compress} filter's arguments: defaults, every setting, and mistakes at their line:column. */
class CompressConfigTest {

    private static String yaml(String filter) {
        return """
                listeners:
                  - name: web
                    bind: 127.0.0.1:8080
                    routes:
                      - pool: p
                        filters:
                %s
                pools:
                  - name: p
                    backends: [ { address: "127.0.0.1:9000" } ]
                """.formatted(filter);
    }

    private static FilterConfig only(String filter) throws ConfigException {
        Config c = ConfigLoader.parse(yaml(filter), "test.yaml", name -> null);
        List<FilterConfig> filters = c.listeners().get(0).routes().get(0).filters();
        assertThat(filters).hasSize(1);
        return filters.get(0);
    }

    private static List<ConfigError> errors(String filter) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse(yaml(filter), "test.yaml", name -> null));
        assertThat(e).as("expected the config to be rejected").isNotNull();
        return e.errors();
    }

    @Test
    void noArgumentsMeansTheDefaults() throws Exception {
        FilterConfig f = only("          - compress");
        assertThat(f.name()).isEqualTo("compress");
        assertThat(f.settings()).isEqualTo(CompressSettings.defaults());
        CompressSettings s = (CompressSettings) f.settings();
        assertThat(s.algorithms()).containsExactly(Encoding.BR, Encoding.ZSTD, Encoding.GZIP);
        assertThat(s.minSize()).isEqualTo(1024);
        assertThat(s.level(Encoding.GZIP)).isEqualTo(6);
        assertThat(s.level(Encoding.BR)).isEqualTo(4);
        assertThat(s.level(Encoding.ZSTD)).isEqualTo(3);
    }

    @Test
    void everySettingIsRead() throws Exception {
        CompressSettings s = (CompressSettings) only("""
                          - compress:
                              algorithms: [gzip, deflate, zstd]
                              min_size: 2KiB
                              types: [text/html, application/*]
                              level: { gzip: 9, zstd: 19 }
                """.stripTrailing()).settings();
        assertThat(s.algorithms()).containsExactly(Encoding.GZIP, Encoding.DEFLATE, Encoding.ZSTD);
        assertThat(s.minSize()).isEqualTo(2048);
        assertThat(s.types()).containsExactly("text/html", "application/*");
        assertThat(s.levels()).isEqualTo(Map.of(Encoding.GZIP, 9, Encoding.ZSTD, 19));
        assertThat(s.level(Encoding.DEFLATE)).isEqualTo(6);
        assertThat(s.compressible("text/html; charset=utf-8")).isTrue();
        assertThat(s.compressible("Application/JSON")).isTrue();
        assertThat(s.compressible("text/plain")).isFalse();
        assertThat(s.compressible("image/png")).isFalse();
        assertThat(s.compressible(null)).isFalse();
    }

    @Test
    void mistakesAreReportedAtTheirLineAndColumn() {
        List<ConfigError> errors = errors("""
                          - compress:
                              algorithms: [gzip, lzma]
                              min_size: lots
                              types: [json]
                              level: { gzip: 12, snappy: 1 }
                              quality: 3
                """.stripTrailing());
        String base = "listeners[0].routes[0].filters[0].compress";
        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column)
                .containsExactly(tuple(base + ".algorithms[1]", 8, 34),
                        tuple(base + ".min_size", 9, 25),
                        tuple(base + ".types", 10, 22),
                        tuple(base + ".level.gzip", 11, 30),
                        tuple(base + ".level.snappy", 11, 42),
                        tuple(base + ".quality", 12, 15));
        assertThat(errors).extracting(ConfigError::message).anySatisfy(m -> assertThat(m)
                .contains("unknown compression algorithm `lzma`", "br, zstd, gzip, deflate"));
        assertThat(errors).extracting(ConfigError::message).anySatisfy(m -> assertThat(m)
                .contains("unknown compression algorithm `snappy`"));
        assertThat(errors).extracting(ConfigError::message).anySatisfy(m -> assertThat(m)
                .contains("`json` is not a media type"));
    }
}

package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The top-level access_log, tracing and metrics keys: values, defaults, shorthands, both config forms, and
 * each mistake reported at its path and line:column, all together.
 */
class ObserveConfigTest {

    /** A short-form file of two lines; the text under test starts on line 3. */
    private static final String SHORT = """
            listen: "127.0.0.1:8080"
            backends: [ "127.0.0.1:3001" ]
            %s""";

    /** A full-form file of two lines; the text under test starts on line 3. */
    private static final String FULL = """
            listeners: [ { name: web, bind: "127.0.0.1:8080", routes: [ { pool: web } ] } ]
            pools: [ { name: web, backends: [ "127.0.0.1:3001" ] } ]
            %s""";

    private static Config shortForm(String body) throws ConfigException {
        return ConfigLoader.parse(SHORT.formatted(body), "test.yaml", name -> null);
    }

    private static Config fullForm(String body) throws ConfigException {
        return ConfigLoader.parse(FULL.formatted(body), "test.yaml", name -> null);
    }

    private static List<ConfigError> errors(String body) {
        return ConfigErrorsTest.errors(SHORT.formatted(body));
    }

    @Test
    void defaultsAreNoAccessLogNoTracingAndMetricsOn() throws ConfigException {
        for (Config c : List.of(shortForm(""), fullForm(""))) {
            assertThat(c.accessLog()).isEqualTo(AccessLogConfig.OFF);
            assertThat(c.tracing()).isEqualTo(TracingConfig.OFF);
            assertThat(c.tracing().enabled()).isFalse();
            assertThat(c.metrics()).isEqualTo(MetricsConfig.ON);
        }
    }

    @Test
    void everyValueIsReadInBothForms() throws ConfigException {
        String body = """
                access_log: { enabled: true, format: json, target: /var/log/sluice/access.log }
                tracing: { otlp_endpoint: "https://otel.example:4318/", sample_ratio: 0.25, service_name: edge }
                metrics: { enabled: false }
                """;
        for (Config c : List.of(shortForm(body), fullForm(body))) {
            assertThat(c.accessLog()).isEqualTo(new AccessLogConfig(true, AccessLogConfig.Format.JSON,
                    "/var/log/sluice/access.log"));
            assertThat(c.tracing()).isEqualTo(new TracingConfig("https://otel.example:4318", 0.25, "edge"));
            assertThat(c.metrics()).isEqualTo(MetricsConfig.OFF);
        }
    }

    @Test
    void booleanShorthandsAndPartialMaps() throws ConfigException {
        Config on = shortForm("access_log: true\nmetrics: false\ntracing: false\n");
        assertThat(on.accessLog()).isEqualTo(AccessLogConfig.STDOUT);
        assertThat(on.metrics()).isEqualTo(MetricsConfig.OFF);
        assertThat(on.tracing()).isEqualTo(TracingConfig.OFF);

        Config off = shortForm("access_log: false\nmetrics: true\n");
        assertThat(off.accessLog().enabled()).isFalse();
        assertThat(off.metrics()).isEqualTo(MetricsConfig.ON);

        Config map = shortForm("access_log: { format: JSON }\ntracing: { otlp_endpoint: \"http://127.0.0.1:4318\" }\n");
        assertThat(map.accessLog()).isEqualTo(new AccessLogConfig(true, AccessLogConfig.Format.JSON, "stdout"));
        assertThat(map.tracing()).isEqualTo(new TracingConfig("http://127.0.0.1:4318", 0.1, "sluice"));

        Config disabledMap = shortForm("access_log: { enabled: false, target: a.log }\n");
        assertThat(disabledMap.accessLog().enabled()).isFalse();
    }

    @Test
    void sampleRatioMayBeAWholeNumberOrADecimal() throws ConfigException {
        assertThat(shortForm("tracing: { otlp_endpoint: \"http://h:4318\", sample_ratio: 1 }\n").tracing().sampleRatio())
                .isEqualTo(1.0);
        assertThat(shortForm("tracing: { otlp_endpoint: \"http://h:4318\", sample_ratio: 0 }\n").tracing().sampleRatio())
                .isEqualTo(0.0);
        assertThat(shortForm("tracing: { otlp_endpoint: \"http://h:4318\", sample_ratio: .5 }\n").tracing().sampleRatio())
                .isEqualTo(0.5);
    }

    @Test
    void everyMistakeIsReportedTogetherAtItsPlace() {
        List<ConfigError> errors = errors("""
                access_log: { enabled: maybe, format: jsn, target: "", colour: red }
                tracing: { otlp_endpoint: "ftp://collector:4318", sample_ratio: 1.5, service_name: "", sample_rato: 1 }
                metrics: { enabld: true }
                """);

        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("access_log.enabled", 3, 24),
                tuple("access_log.format", 3, 39),
                tuple("access_log.target", 3, 52),
                tuple("access_log.colour", 3, 56),
                tuple("tracing.otlp_endpoint", 4, 27),
                tuple("tracing.sample_ratio", 4, 65),
                tuple("tracing.service_name", 4, 84),
                tuple("tracing.sample_rato", 4, 88),
                tuple("metrics.enabld", 5, 12));
        assertThat(errors).extracting(ConfigError::message).satisfiesExactly(
                m -> assertThat(m).contains("expected true or false"),
                m -> assertThat(m).contains("unknown access log format `jsn`", "did you mean `json`"),
                m -> assertThat(m).contains("`target` is empty"),
                m -> assertThat(m).contains("unknown key `colour`", "enabled, format, target"),
                m -> assertThat(m).contains("ftp://collector:4318", "http:// or https://"),
                m -> assertThat(m).contains("from 0 to 1", "1.5"),
                m -> assertThat(m).contains("`service_name` is empty"),
                m -> assertThat(m).contains("unknown key `sample_rato`", "did you mean `sample_ratio`"),
                m -> assertThat(m).contains("unknown key `enabld`", "did you mean `enabled`"));
    }

    @Test
    void endpointNeedsAHostAndTracingNeedsAnEndpoint() {
        assertThat(ConfigErrorsTest.onlyError(SHORT.formatted("tracing: { otlp_endpoint: \"http:///v1\" }\n")))
                .satisfies(e -> {
                    assertThat(e.path()).isEqualTo("tracing.otlp_endpoint");
                    assertThat(e.message()).contains("no host");
                });
        assertThat(ConfigErrorsTest.onlyError(SHORT.formatted("tracing: { sample_ratio: 0.5 }\n")))
                .satisfies(e -> {
                    assertThat(e.path()).isEqualTo("tracing.otlp_endpoint");
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.message()).contains("missing required key `otlp_endpoint`");
                });
        assertThat(ConfigErrorsTest.onlyError(SHORT.formatted("tracing: true\n")))
                .satisfies(e -> {
                    assertThat(e.path()).isEqualTo("tracing");
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.column()).isEqualTo(10);
                    assertThat(e.message()).contains("otlp_endpoint");
                });
        assertThat(ConfigErrorsTest.onlyError(SHORT.formatted("tracing: { otlp_endpoint: 4318 }\n")).path())
                .isEqualTo("tracing.otlp_endpoint");
    }

    @Test
    void wrongShapesAreTypeErrors() {
        List<ConfigError> errors = errors("""
                access_log: [ stdout ]
                tracing: "http://127.0.0.1:4318"
                metrics: 3
                """);
        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("access_log", 3, 13),
                tuple("tracing", 4, 10),
                tuple("metrics", 5, 10));
        assertThat(errors.get(0).message()).contains("got a list");
        assertThat(errors.get(1).message()).contains("expected a map");
        assertThat(errors.get(2).message()).contains("expected true or false");
    }

    @Test
    void aSampleRatioThatIsNotANumberIsReported() {
        ConfigError e = ConfigErrorsTest.onlyError(SHORT.formatted(
                "tracing: { otlp_endpoint: \"http://h:4318\", sample_ratio: lots }\n"));
        assertThat(e.path()).isEqualTo("tracing.sample_ratio");
        assertThat(e.message()).contains("a number from 0 to 1", "lots");
    }
}

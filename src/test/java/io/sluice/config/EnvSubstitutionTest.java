package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ${NAME}} and {@code ${NAME:-default}} in values, with a fake environment. */
class EnvSubstitutionTest {
    private static final Map<String, String> ENV = Map.of("PORT", "9090", "HOST", "10.0.0.5", "WORKERS", "6",
            "EMPTY", "", "TOKEN", "from-env");

    private static Config parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "env.yaml", ENV::get);
    }

    @Test
    void variablesAreReplacedBeforeValuesAreTyped() throws ConfigException {
        Config c = parse("""
                listen: "${HOST}:${PORT}"
                backends: [ "127.0.0.1:${BACKEND_PORT:-3001}" ]
                workers: ${WORKERS}
                admin: { token: "${TOKEN}", enabled: "${ADMIN_ON:-false}" }
                limits:
                  max_connections: ${MAX_CONN:-123}
                """);

        assertThat(c.listeners().get(0).bind()).isEqualTo(new HostPort("10.0.0.5", 9090));
        assertThat(c.pool("default").backends().get(0).address()).isEqualTo(new HostPort("127.0.0.1", 3001));
        assertThat(c.workers()).isEqualTo(6);
        assertThat(c.admin().token()).isEqualTo("from-env");
        assertThat(c.admin().enabled()).isFalse();
        assertThat(c.limits().maxConnections()).isEqualTo(123);
    }

    @Test
    void defaultIsUsedWhenTheVariableIsUnsetOrEmpty() {
        assertThat(EnvSubstitution.expand("${MISSING:-fallback}", ENV::get)).isEqualTo("fallback");
        assertThat(EnvSubstitution.expand("${EMPTY:-fallback}", ENV::get)).isEqualTo("fallback");
        assertThat(EnvSubstitution.expand("${EMPTY}", ENV::get)).isEmpty();
        assertThat(EnvSubstitution.expand("${PORT:-1}", ENV::get)).isEqualTo("9090");
        assertThat(EnvSubstitution.expand("${MISSING:-}", ENV::get)).isEmpty();
    }

    @Test
    void dollarDollarBraceStaysLiteralAndOtherDollarsAreLeftAlone() {
        assertThat(EnvSubstitution.expand("$${PORT} costs $5 and ${PORT}", ENV::get)).isEqualTo("${PORT} costs $5 and 9090");
        assertThat(EnvSubstitution.expand("${HOST}${PORT}", ENV::get)).isEqualTo("10.0.0.59090");
    }

    @Test
    void substitutedTextIsNotExpandedAgain() {
        assertThat(EnvSubstitution.expand("${X}", Map.of("X", "${PORT}")::get)).isEqualTo("${PORT}");
    }

    @Test
    void unsetVariableWithoutDefaultIsAnErrorNamingIt() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse("""
                listen: "127.0.0.1:8080"
                backends:
                  - "${BACKEND_ADDR}"
                admin: { token: "${ADMIN_TOKEN}" }
                """));

        assertThat(e.errors()).extracting(ConfigError::path, ConfigError::line, ConfigError::column)
                .containsExactly(tuple("backends[0]", 3, 5),
                        tuple("admin.token", 4, 17));
        assertThat(e.errors().get(0).message()).contains("BACKEND_ADDR is not set", "${BACKEND_ADDR:-value}");
        assertThat(e.errors().get(1).message()).contains("ADMIN_TOKEN");
    }

    @Test
    void malformedReferencesAreErrors() {
        assertThatThrownBy(() -> EnvSubstitution.expand("${PORT", ENV::get)).hasMessageContaining("unclosed");
        assertThatThrownBy(() -> EnvSubstitution.expand("${1BAD}", ENV::get)).hasMessageContaining("\"1BAD\"");
        assertThatThrownBy(() -> EnvSubstitution.expand("${}", ENV::get)).hasMessageContaining("bad environment");
    }

    @Test
    void substitutedValueIsStillValidated() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> parse("listen: \"127.0.0.1:8080\"\nworkers: ${HOST}\n"));

        assertThat(e.errors()).extracting(ConfigError::toString)
                .isEqualTo(List.of("workers (2:10): expected a number, got the text \"10.0.0.5\""));
    }

    @Test
    void keysAreNotSubstituted() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> parse("listen: \"127.0.0.1:8080\"\n\"${PORT}\": 1\n"));

        assertThat(e.errors()).singleElement().satisfies(err -> assertThat(err.message()).contains("unknown key `${PORT}`"));
    }
}

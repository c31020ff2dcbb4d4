package io.sluice.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Fuzz target for the config pipeline read as TOML: any text in gives a {@link Config} or a
 * {@link ConfigException}, never another exception and never a hang. It covers Jackson's TOML parser and the
 * second pass that finds locations ({@link TomlLocations}), which sees only text the parser accepted but must
 * not fail on any of it. Each {@link ConfigError} must have a sane place.
 *
 * <p>Without JAZZER_FUZZ it replays {@code TomlConfigFuzzTestInputs/}; the {@code fuzz} execution of
 * {@code ./mvnw verify} fuzzes it for {@code fuzz.seconds}.
 */
class TomlConfigFuzzTest {
    /** A few variables for {@code ${NAME}} references; every other name is unset. */
    private static final Map<String, String> ENV = Map.of("PORT", "8080", "BACKEND", "127.0.0.1:3001",
            "TOKEN", "s3cret", "EMPTY", "");

    @FuzzTest(maxDuration = "30s")
    void tomlTextGivesConfigOrConfigException(byte[] input) {
        String toml = new String(input, StandardCharsets.UTF_8);
        try {
            Config config = ConfigLoader.parse(toml, "fuzz.toml", ENV::get, Path.of("/etc/sluice"), ConfigFormat.TOML);
            Objects.requireNonNull(config, "parse returned null instead of throwing");
            if (!config.equals(config) || config.toString().isEmpty()) {
                throw new AssertionError("config is not a well-behaved value");
            }
        } catch (ConfigException e) {
            if (e.errors().isEmpty()) {
                throw new AssertionError("ConfigException without errors", e);
            }
            long lines = toml.lines().count() + 1;
            for (ConfigError err : e.errors()) {
                if (err.line() > lines) {
                    throw new AssertionError("error past the end of the text: " + err);
                }
            }
            Objects.requireNonNull(e.getMessage(), "message");
        }
    }
}

package io.sluice.config;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Fuzz target for the config pipeline: any text in gives a {@link Config} or a {@link ConfigException}, never
 * another exception and never a hang. The input is the file's bytes read as UTF-8, as {@link ConfigLoader#load}
 * reads a file, so the inputs directory holds plain YAML files. A hang is caught by libFuzzer's {@code -timeout}
 * (set by the {@code fuzz} execution), not by a JUnit timeout, which would cover the whole fuzzing run.
 *
 * <p>Without JAZZER_FUZZ it replays {@code ConfigLoaderFuzzTestInputs/} (seeds and fixed findings); the
 * {@code fuzz} execution of {@code ./mvnw verify} fuzzes it for {@code fuzz.seconds}.
 */
class ConfigLoaderFuzzTest {
    /** A few variables for {@code ${NAME}} references; every other name is unset. */
    private static final Map<String, String> ENV = Map.of("PORT", "8080", "BACKEND", "127.0.0.1:3001",
            "TOKEN", "s3cret", "EMPTY", "");

    @FuzzTest(maxDuration = "30s")
    void configTextGivesConfigOrConfigException(byte[] input) {
        String yaml = new String(input, StandardCharsets.UTF_8);
        try {
            Config config = ConfigLoader.parse(yaml, "fuzz.yaml", ENV::get, Path.of("/etc/sluice"));
            Objects.requireNonNull(config, "parse returned null instead of throwing");
            // A loaded config is a value: it must compare equal to itself and print without failing.
            if (!config.equals(config) || config.toString().isEmpty()) {
                throw new AssertionError("config is not a well-behaved value");
            }
        } catch (ConfigException e) {
            if (e.errors().isEmpty()) {
                throw new AssertionError("ConfigException without errors", e);
            }
            Objects.requireNonNull(e.getMessage(), "message");
        }
    }
}

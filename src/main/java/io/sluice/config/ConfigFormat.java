package io.sluice.config;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * The language a configuration file is written in. Both have the same keys and give the same {@link Config};
 * TOML writes mappings as tables and lists of mappings as arrays of tables. Immutable; thread-safe.
 */
public enum ConfigFormat {
    /** YAML, the default. */
    YAML,
    /** TOML (v1.0). */
    TOML;

    /** TOML for a name ending in {@code .toml} (any case), else YAML. */
    public static ConfigFormat of(Path file) {
        Objects.requireNonNull(file, "file");
        Path name = file.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".toml") ? TOML : YAML;
    }

    /**
     * The format named {@code name}, ignoring case: {@code yaml} (or {@code yml}) or {@code toml}.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static ConfigFormat parse(String name) {
        Objects.requireNonNull(name, "name");
        switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "yaml":
            case "yml":
                return YAML;
            case "toml":
                return TOML;
            default:
                throw new IllegalArgumentException("unknown config format \"" + name + "\"; use yaml or toml");
        }
    }
}

package io.sluice.cli;

import io.sluice.config.ConfigFormat;
import picocli.CommandLine.ITypeConverter;

/**
 * Reads {@code --format yaml|toml}, ignoring case, for every command that takes {@code -c FILE}. Stateless;
 * thread-safe.
 */
final class FormatConverter implements ITypeConverter<ConfigFormat> {
    /** The {@code --format} help text, shared so that every command says the same. */
    static final String HELP = "Language of the config file: yaml or toml (default: by its name, .toml is TOML,"
            + " anything else YAML).";

    @Override
    public ConfigFormat convert(String value) {
        return ConfigFormat.parse(value);
    }
}

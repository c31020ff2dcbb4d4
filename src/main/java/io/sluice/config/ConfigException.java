package io.sluice.config;

import java.util.List;
import java.util.Objects;

/**
 * Thrown when a configuration cannot be loaded; carries every {@link ConfigError} found, not only the first,
 * in file order. {@link #getMessage()} lists them one per line, each prefixed with the source name.
 * Immutable once thrown; safe to read from any thread.
 */
public final class ConfigException extends Exception {
    private final String source;
    private final List<ConfigError> errors;

    /**
     * @param source where the configuration came from (a file name), used in the message; may be null
     * @param errors the problems found; at least one
     */
    public ConfigException(String source, List<ConfigError> errors) {
        super();
        this.errors = List.copyOf(Objects.requireNonNull(errors, "errors"));
        if (this.errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.source = source;
    }

    /** The problems, in the order they appear in the file; never empty. */
    public List<ConfigError> errors() {
        return errors;
    }

    /** Where the configuration came from, as given to {@link ConfigLoader}; may be null. */
    public String source() {
        return source;
    }

    /** Every error, one per line, as {@code source: path (line:column): message}. */
    @Override
    public String getMessage() {
        StringBuilder sb = new StringBuilder();
        for (ConfigError e : errors) {
            if (sb.length() > 0) {
                sb.append('\n');
            }
            if (source != null && !source.isEmpty()) {
                sb.append(source).append(": ");
            }
            sb.append(e);
        }
        return sb.toString();
    }
}

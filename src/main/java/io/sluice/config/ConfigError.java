package io.sluice.config;

import java.io.Serializable;
import java.util.Objects;

/**
 * One problem found in a configuration file: where it is (YAML path and 1-based line:column) and what is
 * wrong. Produced by {@link ConfigLoader}; carried by {@link ConfigException}. Immutable value; thread-safe.
 *
 * @param path    YAML path of the offending value, e.g. {@code pools[1].backends[0].address}; empty for the
 *                top level of the file
 * @param line    1-based line, or 0 when the problem has no place in the file (e.g. it cannot be read)
 * @param column  1-based column, or 0 when unknown
 * @param message what is wrong, written for the person editing the file
 */
public record ConfigError(String path, int line, int column, String message) implements Serializable {

    public ConfigError {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
        if (line < 0 || column < 0) {
            throw new IllegalArgumentException("line and column must be >= 0");
        }
    }

    /** True when {@link #line()} and {@link #column()} point into the file. */
    public boolean hasLocation() {
        return line > 0;
    }

    /** For example {@code listeners[0].bind (3:11): bad port in "127.0.0.1:http"}. */
    @Override
    public String toString() {
        String where = path.isEmpty() ? "top level" : path;
        return hasLocation() ? where + " (" + line + ":" + column + "): " + message : where + ": " + message;
    }
}

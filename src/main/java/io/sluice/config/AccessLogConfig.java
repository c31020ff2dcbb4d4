package io.sluice.config;

import java.util.Objects;

/**
 * The access log: one line per client request, written off the event loops. Immutable; thread-safe.
 *
 * @param enabled whether lines are written (default false in {@code run}, true in {@code demo})
 * @param format  {@link Format#COMBINED} (the Apache/nginx combined format plus a few fields) or
 *                {@link Format#JSON} (one JSON object a line)
 * @param target  "stdout", or a file path the lines are appended to
 */
public record AccessLogConfig(boolean enabled, Format format, String target) {
    /** How a line looks. */
    public enum Format {
        COMBINED,
        JSON
    }

    /** Off; combined format to stdout when turned on. */
    public static final AccessLogConfig OFF = new AccessLogConfig(false, Format.COMBINED, "stdout");

    /** On, combined format, to stdout. */
    public static final AccessLogConfig STDOUT = new AccessLogConfig(true, Format.COMBINED, "stdout");

    public AccessLogConfig {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(target, "target");
    }

    /** True when lines go to standard output rather than a file. */
    public boolean toStdout() {
        return target.equals("stdout");
    }
}

package io.sluice.config;

import java.util.Objects;

/**
 * One filter of a listener or route: the name a {@link io.sluice.filter.FilterFactory} is registered under and
 * the settings its {@code configure} returned (or that code passed in). Immutable; thread-safe as long as the
 * settings are.
 *
 * @param name     the filter's name, e.g. {@code rate_limit}
 * @param settings the filter's settings; null when it takes none
 */
public record FilterConfig(String name, Object settings) {
    public FilterConfig {
        Objects.requireNonNull(name, "name");
    }

    /** A filter with these settings. */
    public static FilterConfig of(String name, Object settings) {
        return new FilterConfig(name, settings);
    }
}

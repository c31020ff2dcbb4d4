package io.sluice.filter;

/**
 * Makes one kind of {@link Filter} and names it for configuration files: {@code filters: [ { NAME: ARGS } ]},
 * or just {@code NAME} when it needs no arguments. Register one with {@code Sluice.builder().filter(...)} or
 * {@link Filters#register}, or list the class in {@code META-INF/services/io.sluice.filter.FilterFactory} for
 * {@link java.util.ServiceLoader}. Implementations must be thread-safe and have a public no-argument
 * constructor when loaded as a service.
 */
public interface FilterFactory {
    /** The name configurations use, in {@code snake_case}. */
    String name();

    /**
     * Reads and checks this filter's arguments, reporting each mistake through {@code args} (with its line
     * and column), and returns the settings: an immutable value with a meaningful {@code equals}, so that
     * configurations compare. Return null after reporting errors. Called when a configuration is loaded.
     */
    Object configure(FilterArgs args);

    /**
     * A filter for one route with the settings {@link #configure} returned (or a library user passed in code).
     * Called when a configuration is put to use, off the event loops; may be slow (open files, compile patterns).
     */
    Filter create(Object settings, FilterEnv env);
}

package io.sluice.filter;

import io.sluice.config.Config;
import java.util.Objects;

/**
 * What a filter is made with: where it sits (listener, route), the whole configuration it belongs to, and
 * the counters it reports on {@code /metrics}. Immutable apart from the counters; thread-safe.
 */
public final class FilterEnv {
    private final Config config;
    private final String listener;
    private final int route;
    private final String filter;
    private final FilterMetrics metrics;

    public FilterEnv(Config config, String listener, int route, String filter, FilterMetrics metrics) {
        this.config = Objects.requireNonNull(config, "config");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.route = route;
        this.filter = Objects.requireNonNull(filter, "filter");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** The configuration the filter belongs to (its {@code geoip} database, limits, ...). */
    public Config config() {
        return config;
    }

    /** The listener's name. */
    public String listener() {
        return listener;
    }

    /** The route's index within the listener, from 0; -1 for a filter of the listener itself. */
    public int route() {
        return route;
    }

    /** The filter's name as configured. */
    public String filter() {
        return filter;
    }

    /**
     * A counter shown on {@code /metrics} as {@code sluice_filter_NAME_total{listener, route, filter}} and on the
     * dashboard; cheap to add to from any event loop. Asking twice for one name gives the same counter.
     *
     * @param name what it counts, {@code snake_case}, e.g. {@code rejected} or {@code bytes_in}
     * @param help one line saying what it counts
     */
    public FilterCounter counter(String name, String help) {
        return metrics.counter(name, help, listener, route, filter);
    }

    /**
     * State that should outlive a reload which leaves this filter as it was (a rate limit's buckets): the
     * previous snapshot's value when this filter, at the same place, had equal {@code settings}; else a new one.
     *
     * @param what     names the state among the filter's own, e.g. {@code buckets}
     * @param settings what the state was made for; compared with {@code equals}
     */
    public <T> T kept(String what, Object settings, java.util.function.Supplier<T> make) {
        return metrics.keep(listener + '\0' + route + '\0' + filter + '\0' + what, settings, make);
    }
}

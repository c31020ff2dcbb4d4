package io.sluice.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The counters of every filter of one runtime snapshot, for {@code /metrics} and the dashboard. Counters are
 * made when filters are built, never on the data path. Thread-safe.
 */
public final class FilterMetrics {
    private final Map<String, FilterCounter> counters = new ConcurrentHashMap<>();
    private final List<FilterCounter> ordered = new ArrayList<>();

    FilterCounter counter(String name, String help, String listener, int route, String filter) {
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("counter name must be snake_case: " + name);
        }
        String key = name + '\0' + listener + '\0' + route + '\0' + filter;
        return counters.computeIfAbsent(key, k -> {
            FilterCounter c = new FilterCounter(name, help, listener, route, filter);
            synchronized (ordered) {
                ordered.add(c);
            }
            return c;
        });
    }

    /** Every counter, in the order they were made. */
    public List<FilterCounter> counters() {
        synchronized (ordered) {
            return List.copyOf(ordered);
        }
    }
}

package io.sluice.filter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The counters of every filter of one runtime snapshot, for {@code /metrics} and the dashboard, and the state
 * filters and routes keep across a reload (rate-limit buckets, traffic-split weights set at run time). A
 * snapshot built from a previous one takes over its counters (so they keep counting) and the state whose
 * settings did not change. Counters and state are made when filters are built, never on the data path.
 * Thread-safe.
 */
public final class FilterMetrics {
    /** A value kept for the next snapshot, with the settings it was made for. */
    private record Kept(Object settings, Object value) {
    }

    private final Map<String, FilterCounter> counters = new ConcurrentHashMap<>();
    private final List<FilterCounter> ordered = new ArrayList<>();
    private final Map<String, Kept> kept = new ConcurrentHashMap<>();
    /** The previous snapshot's counters and kept state, while this one is built from it. */
    private final Map<String, FilterCounter> carriedCounters;
    private final Map<String, Kept> carried;

    /** Counters and state of a first snapshot. */
    public FilterMetrics() {
        this(null);
    }

    /** Counters and state of a snapshot that replaces {@code previous} (null for none). */
    public FilterMetrics(FilterMetrics previous) {
        this.carriedCounters = previous == null ? Map.of() : Map.copyOf(previous.counters);
        this.carried = previous == null ? Map.of() : Map.copyOf(previous.kept);
    }

    /**
     * What the previous snapshot kept under {@code key} for the same {@code settings} (equal by
     * {@code equals}), else a new value from {@code make}; kept under {@code key} for the next snapshot too.
     */
    @SuppressWarnings("unchecked")
    public <T> T keep(String key, Object settings, java.util.function.Supplier<T> make) {
        return (T) kept.computeIfAbsent(key, k -> {
            Kept old = carried.get(k);
            return old != null && java.util.Objects.equals(old.settings(), settings) ? old
                    : new Kept(settings, make.get());
        }).value();
    }

    /** Keeps {@code value} under {@code key} for the next snapshot, made for {@code settings}. */
    public void put(String key, Object settings, Object value) {
        kept.put(key, new Kept(settings, value));
    }

    /** What the previous snapshot kept under {@code key} for equal {@code settings}, or null. */
    @SuppressWarnings("unchecked")
    public <T> T carried(String key, Object settings) {
        Kept old = carried.get(key);
        return old != null && java.util.Objects.equals(old.settings(), settings) ? (T) old.value() : null;
    }

    FilterCounter counter(String name, String help, String listener, int route, String filter) {
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("counter name must be snake_case: " + name);
        }
        String key = name + '\0' + listener + '\0' + route + '\0' + filter;
        return counters.computeIfAbsent(key, k -> {
            FilterCounter before = carriedCounters.get(k);
            FilterCounter c = before != null ? before : new FilterCounter(name, help, listener, route, filter);
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

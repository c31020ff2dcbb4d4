package io.sluice.filter;

import java.util.List;

/**
 * The filters of one route in the order they run (the listener's first). Immutable; thread-safe. A route
 * without filters has no chain at all ({@link #of} returns null) and pays nothing.
 */
public final class FilterChain {
    final Filter[] filters;

    private FilterChain(List<Filter> list) {
        filters = list.toArray(new Filter[0]);
    }

    /** The chain of these filters, or null when there are none. */
    public static FilterChain of(List<Filter> filters) {
        return filters.isEmpty() ? null : new FilterChain(filters);
    }

    /** How many filters. */
    public int size() {
        return filters.length;
    }

    /** The filters in order. */
    public List<Filter> filters() {
        return List.of(filters);
    }

}

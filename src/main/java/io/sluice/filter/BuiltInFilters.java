package io.sluice.filter;

import java.util.List;

/** The filters Sluice ships with. */
final class BuiltInFilters {
    private BuiltInFilters() {
    }

    static List<FilterFactory> all() {
        return List.of(
                AccessList.ALLOW,
                AccessList.DENY);
    }
}

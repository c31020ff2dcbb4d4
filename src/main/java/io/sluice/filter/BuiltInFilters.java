package io.sluice.filter;

import java.util.List;

/** The filters Sluice ships with. */
final class BuiltInFilters {
    private BuiltInFilters() {
    }

    static List<FilterFactory> all() {
        return List.of(
                new io.sluice.filter.ratelimit.RateLimitFactory(),
                new io.sluice.filter.compress.CompressFactory(),
                HeadersFilterFactory.REQUEST,
                HeadersFilterFactory.RESPONSE,
                new SecurityHeadersFactory(),
                new RewriteFactory(),
                new RedirectFactory(),
                new StickyFactory(),
                AccessList.ALLOW,
                AccessList.DENY);
    }
}

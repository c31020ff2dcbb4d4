package io.sluice.filter.compress;

import io.netty.handler.codec.http.HttpRequest;
import io.sluice.config.ConfigLoader;
import io.sluice.filter.FilterEnv;
import io.sluice.filter.FilterMetrics;
import io.sluice.testing.TestFilterContext;

/** A {@link io.sluice.filter.FilterContext} for one exchange without a proxy around it, for unit tests and benchmarks. Not thread-safe. */
final class FakeContext extends TestFilterContext {
    FakeContext(HttpRequest request) {
        super(request, null, "127.0.0.1:9000");
    }

    /** An environment for a filter of route 0 of listener {@code web}, counting into {@code metrics}. */
    static FilterEnv env(FilterMetrics metrics) {
        try {
            return new FilterEnv(ConfigLoader.parse("""
                    listeners: [ { name: web, bind: "127.0.0.1:8080", routes: [ { pool: p } ] } ]
                    pools: [ { name: p, backends: [ { address: "127.0.0.1:9000" } ] } ]
                    """, "bench.yaml", name -> null), "web", 0, "compress", metrics);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

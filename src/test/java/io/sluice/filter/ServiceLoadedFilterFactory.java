package io.sluice.filter;

import io.netty.handler.codec.http.HttpResponse;

/**
 * A filter found by {@link java.util.ServiceLoader} (listed in this test tree's
 * {@code META-INF/services/io.sluice.filter.FilterFactory}): {@code found_by_service_loader} adds
 * {@code X-Loaded: yes} to responses. Takes no settings.
 */
public final class ServiceLoadedFilterFactory implements FilterFactory {
    @Override
    public String name() {
        return "found_by_service_loader";
    }

    @Override
    public Object configure(FilterArgs args) {
        if (!args.isEmpty()) {
            args.error("found_by_service_loader takes no settings");
        }
        return null;
    }

    @Override
    public Filter create(Object settings, FilterEnv env) {
        return new Filter() {
            @Override
            public void onResponse(FilterContext ctx, HttpResponse response) {
                response.headers().set("X-Loaded", "yes");
            }
        };
    }
}

package io.sluice.config;

import static io.sluice.config.Binder.or;
import static io.sluice.config.Binder.value;

import java.time.Duration;
import java.util.List;

/**
 * Binds the short single-pool form ({@code listen}, {@code algorithm}, {@code backends},
 * {@code max_request_body_mb}, {@code health_check_interval}, the {@code health_check} and {@code retry}
 * blocks a pool takes, {@code rate_limit}, {@code sticky}, {@code filters} and {@code status_endpoints}) into
 * the full form: one listener and one pool, both named {@value #NAME}, and one route that sends everything to
 * the pool. The listener answers the status endpoints unless {@code status_endpoints: false}. Stateless;
 * thread-safe.
 */
final class ShortForm {
    /** The name of the listener and of the pool the short form makes. */
    static final String NAME = "default";
    /** The top-level keys that belong to the short form, with their types for the JSON Schema. */
    static final List<Section.Key> SCHEMA_KEYS = List.of(
            Section.required("listen", SchemaType.address(), "The address to listen on, e.g. \"127.0.0.1:8080\"."),
            Section.key("algorithm", new SchemaType.Spellings(io.sluice.balance.Strategies::names,
                    io.sluice.balance.Strategies::aliases), "The strategy, also in other tools' spellings such as Weighted"
                    + " (default round_robin)."),
            Section.key("backends", PoolBinder.BACKENDS, "The servers: \"host:port\" or { address, url, weight }."),
            Section.key("max_request_body_mb", SchemaType.integer(0, 1024 * 1024), "Largest request body, MiB."),
            Section.key("health_check_interval", SchemaType.anyOf(SchemaType.integer(1, 86_400),
                    SchemaType.duration()), "Health checks with the defaults, this often (seconds or a duration)."),
            Section.key("health_check", SchemaType.flagOr(ResilienceBinder.HEALTH_CHECK), "Active health checks."),
            Section.key("retry", SchemaType.flagOr(ResilienceBinder.RETRY), "Retries; false turns them off."),
            Section.key("filters", SchemaType.list(SchemaType.filter()), "Filters for every request."),
            Section.key("rate_limit", SchemaType.settings(), "The settings of the rate_limit filter."),
            Section.key("sticky", SchemaType.settings(), "The settings of the sticky filter."),
            Section.key("status_endpoints", SchemaType.bool(), "Answer /lb-health, /lb-stats, /_health and /_metrics"
                    + " on the listener itself (default true in the short form)."));
    /** The top-level keys that belong to the short form. */
    static final List<String> KEYS = Section.names(SCHEMA_KEYS);
    private static final long MIB = 1024L * 1024;

    /**
     * What the short form becomes.
     *
     * @param maxBodySize from {@code max_request_body_mb}, in bytes, or null when not given
     */
    record Result(ListenerConfig listener, PoolConfig pool, Long maxBodySize) {
    }

    private ShortForm() {
    }

    /** The desugared listener and pool, or null after recording errors. */
    static Result bind(Binder b, YamlNode.Mapping top, Refs refs) {
        int before = b.errorCount();
        YamlNode listen = b.require(top, "listen", "", "the address to listen on, e.g. \"127.0.0.1:8080\"");
        HostPort bind = b.address(listen, "listen", true);
        if (bind != null) {
            refs.bind(bind, "listen", listen);
        }
        String strategy = PoolBinder.strategy(b, value(top, "algorithm"), "algorithm");
        PoolBinder.Backends backends = PoolBinder.backends(b, value(top, "backends"), "backends");
        Duration interval = interval(b, value(top, "health_check_interval"), "health_check_interval");
        YamlNode checkBlock = value(top, "health_check");
        HealthCheckConfig check = ResilienceBinder.healthCheck(b, checkBlock, "health_check");
        YamlNode.Entry intervalKey = top.entry("health_check_interval");
        if (intervalKey != null && checkBlock != null) {
            b.error(intervalKey.key(), intervalKey.line(), intervalKey.column(), "`health_check_interval` and"
                    + " `health_check` both set up health checks; keep one (`interval` goes inside `health_check`)");
        }
        RetryConfig retry = ResilienceBinder.retry(b, value(top, "retry"), "retry");
        Integer mb = b.integer(value(top, "max_request_body_mb"), "max_request_body_mb", 0, 1024 * 1024);
        boolean status = or(b.bool(value(top, "status_endpoints"), "status_endpoints"), true);
        List<FilterConfig> filters = new java.util.ArrayList<>();
        for (String key : List.of("sticky", "rate_limit")) {
            YamlNode.Entry e = top.entry(key);
            if (e != null) {
                FilterConfig f = FilterBinder.named(b, key, value(top, key), e.value() == null ? top : e.value(), key,
                        refs.presets());
                if (f != null) {
                    filters.add(f);
                }
            }
        }
        filters.addAll(FilterBinder.filters(b, value(top, "filters"), "filters", refs.presets()));
        if (b.errorCount() != before) {
            return null;
        }
        PoolConfig pool = PoolConfig.builder(NAME).strategy(strategy).backends(backends.list())
                .healthCheck(interval == null ? check : HealthCheckConfig.every(interval)).retry(retry)
                .tls(backends.https() != null ? UpstreamTlsConfig.DEFAULTS : null).build();
        ListenerConfig listener = new ListenerConfig(NAME, bind, ListenerBinder.PROTOCOL,
                List.of(new RouteConfig(MatchConfig.ANY, NAME, List.of(), filters)));
        listener = listener.withPolicy(listener.policy().withStatusEndpoints(status));
        return new Result(listener, pool, mb == null ? null : mb * MIB);
    }

    /** Whole seconds ({@code 30}) or a duration ({@code 30s}). */
    private static Duration interval(Binder b, YamlNode n, String path) {
        if (n instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.INT) {
            Integer seconds = b.integer(n, path, 1, 86_400);
            return seconds == null ? null : Duration.ofSeconds(seconds);
        }
        return b.duration(n, path, false);
    }
}

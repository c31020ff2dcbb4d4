package io.sluice.runtime;

import io.sluice.l4.DetectorSet;
import io.sluice.l4.L4Router;

import io.sluice.config.Config;
import io.sluice.filter.FilterMetrics;
import io.sluice.config.ListenerConfig;
import io.sluice.config.PoolConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the data path reads, built from one {@link Config}: pools with their pickers and a router per
 * listener. Built off the event loops and published with one reference swap. Immutable; thread-safe.
 */
public final class RuntimeSnapshot {
    private final Config config;
    private final Map<String, PoolRuntime> pools;
    private final Map<String, Router> routers;
    private final Map<String, L4Router> l4Routers;
    private final FilterMetrics filterMetrics;

    private RuntimeSnapshot(Config config, Map<String, PoolRuntime> pools, Map<String, Router> routers,
                            Map<String, L4Router> l4Routers, FilterMetrics filterMetrics) {
        this.config = config;
        this.filterMetrics = filterMetrics;
        this.pools = pools;
        this.routers = routers;
        this.l4Routers = l4Routers;
    }

    /**
     * Builds a snapshot. Backend state comes from {@code registry}; strategies that keep a position carry it
     * over from {@code previous} (may be null).
     */
    public static RuntimeSnapshot build(Config config, BackendRegistry registry, RuntimeSnapshot previous) {
        return build(config, registry, previous, DetectorSet.standard());
    }

    /** {@link #build(Config, BackendRegistry, RuntimeSnapshot)} with these detectors for L4 routes. */
    public static RuntimeSnapshot build(Config config, BackendRegistry registry, RuntimeSnapshot previous,
                                        DetectorSet detectors) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        Map<String, PoolRuntime> pools = new LinkedHashMap<>();
        for (PoolConfig pc : config.pools()) {
            pools.put(pc.name(), new PoolRuntime(pc, registry, previous == null ? null : previous.pool(pc.name())));
        }
        Map<String, Router> routers = new LinkedHashMap<>();
        Map<String, L4Router> l4 = new LinkedHashMap<>();
        // counters go on counting, and filter state whose settings stay is kept (rate-limit buckets, split weights)
        FilterMetrics filterMetrics = new FilterMetrics(previous == null ? null : previous.filterMetrics());
        boolean geoRoutes = config.listeners().stream().flatMap(l -> l.routes().stream()).anyMatch(r -> r.match().geo());
        GeoIp geo = geoRoutes && config.geoip() != null ? GeoIp.open(config.geoip()) : null;
        for (ListenerConfig lc : config.listeners()) {
            if (lc.layer4()) {
                l4.put(lc.name(), L4Router.compile(lc.l4(), pools, detectors::get));
            } else if (!lc.stunServer()) {
                routers.put(lc.name(), Router.compile(lc, pools, config, filterMetrics, geo));
            }
        }
        return new RuntimeSnapshot(config, Map.copyOf(pools), Map.copyOf(routers), Map.copyOf(l4), filterMetrics);
    }

    /** The counters of every filter of this snapshot. */
    public FilterMetrics filterMetrics() {
        return filterMetrics;
    }

    public Config config() {
        return config;
    }

    /** The pool with this name, or null. */
    public PoolRuntime pool(String name) {
        return pools.get(name);
    }

    /** The pools in configuration order. */
    public Iterable<PoolRuntime> pools() {
        return config.pools().stream().map(p -> pools.get(p.name())).toList();
    }

    /** Every listener's router, by listener name. */
    public Map<String, Router> routers() {
        return routers;
    }

    /** The L4 router of the named tcp or udp listener, or null. */
    public L4Router l4Router(String listener) {
        return l4Routers.get(listener);
    }

    /** Every tcp and udp listener's router, by listener name. */
    public Map<String, L4Router> l4Routers() {
        return l4Routers;
    }

    /** The router of the named listener, or null. */
    public Router router(String listener) {
        return routers.get(listener);
    }
}

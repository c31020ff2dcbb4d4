package io.sluice.runtime;

import io.sluice.config.Config;
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

    private RuntimeSnapshot(Config config, Map<String, PoolRuntime> pools, Map<String, Router> routers) {
        this.config = config;
        this.pools = pools;
        this.routers = routers;
    }

    /**
     * Builds a snapshot. Backend state comes from {@code registry}; strategies that keep a position carry it
     * over from {@code previous} (may be null).
     */
    public static RuntimeSnapshot build(Config config, BackendRegistry registry, RuntimeSnapshot previous) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        Map<String, PoolRuntime> pools = new LinkedHashMap<>();
        for (PoolConfig pc : config.pools()) {
            pools.put(pc.name(), new PoolRuntime(pc, registry, previous == null ? null : previous.pool(pc.name())));
        }
        Map<String, Router> routers = new LinkedHashMap<>();
        for (ListenerConfig lc : config.listeners()) {
            routers.put(lc.name(), Router.compile(lc.routes(), pools));
        }
        return new RuntimeSnapshot(config, Map.copyOf(pools), Map.copyOf(routers));
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

    /** The router of the named listener, or null. */
    public Router router(String listener) {
        return routers.get(listener);
    }
}

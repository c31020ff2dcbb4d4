package io.sluice.runtime;

import io.sluice.balance.Backend;
import io.sluice.balance.Endpoint;
import io.sluice.balance.Picker;
import io.sluice.balance.Strategies;
import io.sluice.balance.Strategy;
import io.sluice.config.BackendConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.TimeoutsConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A pool as the data path sees it: its backends with live state, the picker of its strategy and its
 * timeouts. Immutable; thread-safe.
 */
public final class PoolRuntime {
    private final PoolConfig config;
    private final List<Backend> backends;
    private final Picker picker;
    private final long connectTimeoutMillis;
    private final long responseTimeoutNanos;
    private final long idleTimeoutNanos;

    PoolRuntime(PoolConfig config, BackendRegistry registry, PoolRuntime previous) {
        this.config = Objects.requireNonNull(config, "config");
        List<Backend> list = new ArrayList<>();
        for (BackendConfig bc : config.backends()) {
            Endpoint e = new Endpoint(config.name(), bc.address(), bc.weight());
            list.add(new Backend(e, registry.state(config.name(), bc.address())));
        }
        this.backends = List.copyOf(list);
        Strategy strategy = Strategies.create(config.strategy());
        Picker old = previous != null && previous.config.strategy().equals(config.strategy()) ? previous.picker : null;
        this.picker = strategy.newPicker(old, backends);
        TimeoutsConfig t = config.timeouts();
        this.connectTimeoutMillis = Math.max(1, t.connect().toMillis());
        this.responseTimeoutNanos = t.response().toNanos();
        this.idleTimeoutNanos = t.idle().toNanos();
    }

    public String name() {
        return config.name();
    }

    public PoolConfig config() {
        return config;
    }

    public List<Backend> backends() {
        return backends;
    }

    public Picker picker() {
        return picker;
    }

    public long connectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    public long responseTimeoutNanos() {
        return responseTimeoutNanos;
    }

    public long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }
}

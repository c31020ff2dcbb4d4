package io.sluice.config;

import java.util.List;
import java.util.Objects;

/**
 * The whole configuration after parsing and validation: what the YAML said, with every default filled in.
 * Immutable; thread-safe. Build one with {@link ConfigLoader}, or directly in code for the library API.
 *
 * @param listeners the listeners, at least one
 * @param pools     the backend pools, names unique
 * @param admin     the admin listener
 * @param limits    limits applied to every client connection
 * @param headers   which informational headers to add
 * @param workers   event-loop threads; 0 means one per core
 */
public record Config(List<ListenerConfig> listeners, List<PoolConfig> pools, AdminConfig admin,
                     LimitsConfig limits, HeadersConfig headers, int workers) {

    public Config {
        listeners = List.copyOf(Objects.requireNonNull(listeners, "listeners"));
        pools = List.copyOf(Objects.requireNonNull(pools, "pools"));
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(headers, "headers");
        if (workers < 0) {
            throw new IllegalArgumentException("workers must be >= 0");
        }
    }

    /** The pool with this name, or null. */
    public PoolConfig pool(String name) {
        for (PoolConfig p : pools) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        return null;
    }
}

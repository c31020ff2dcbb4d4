package io.sluice.config;

import java.util.Objects;

/**
 * One backend server. Immutable; thread-safe.
 *
 * @param address where to connect
 * @param weight  relative weight, 1 or more (default 1)
 */
public record BackendConfig(HostPort address, int weight) {
    public BackendConfig {
        Objects.requireNonNull(address, "address");
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be >= 1");
        }
    }
}

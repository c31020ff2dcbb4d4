package io.sluice.balance;

import io.sluice.config.HostPort;
import java.util.Objects;

/**
 * A backend as configured: where it is and how much traffic it should get relative to its pool peers.
 * Immutable value; thread-safe. Live numbers are kept beside it in {@link BackendState}.
 *
 * @param pool    name of the pool the backend belongs to
 * @param address where to connect
 * @param weight  relative weight, at least 1
 */
public record Endpoint(String pool, HostPort address, int weight) {
    public Endpoint {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(address, "address");
        if (weight < 1) {
            throw new IllegalArgumentException("weight must be >= 1");
        }
    }
}

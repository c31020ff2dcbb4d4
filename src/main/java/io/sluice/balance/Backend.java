package io.sluice.balance;

import java.util.Objects;

/**
 * A configured endpoint together with its live state: what strategies choose among.
 * Thread-safe: the endpoint is immutable and the state is lock-free.
 */
public final class Backend {
    private final Endpoint endpoint;
    private final BackendState state;

    public Backend(Endpoint endpoint, BackendState state) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.state = Objects.requireNonNull(state, "state");
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public BackendState state() {
        return state;
    }

    /** Shorthand for {@code state().available()}. */
    public boolean available() {
        return state.available();
    }

    @Override
    public String toString() {
        return endpoint.pool() + "/" + endpoint.address();
    }
}

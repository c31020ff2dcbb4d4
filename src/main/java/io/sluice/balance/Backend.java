package io.sluice.balance;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A configured endpoint together with its live state: what strategies choose among.
 * Thread-safe: the endpoint is immutable and the state is lock-free.
 */
public final class Backend {
    private final Endpoint endpoint;
    private final BackendState state;
    private final InetSocketAddress socketAddress;
    private final String addressText;
    private final int weight;

    /** Resolves the endpoint's host now, so that connecting never resolves names on an event loop. */
    public Backend(Endpoint endpoint, BackendState state) {
        this(endpoint, state, endpoint.address().resolve());
    }

    private Backend(Endpoint endpoint, BackendState state, InetSocketAddress resolved) {
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.state = Objects.requireNonNull(state, "state");
        this.socketAddress = resolved;
        this.addressText = endpoint.address().toString();
        this.weight = endpoint.weight();
    }

    /** The same backend, state and resolved address with another weight (no name lookup). */
    public Backend withWeight(int newWeight) {
        return new Backend(new Endpoint(endpoint.pool(), endpoint.address(), newWeight), state, socketAddress);
    }

    /** The address to connect to, resolved when this backend was built (unresolved if the name was unknown). */
    public InetSocketAddress socketAddress() {
        return socketAddress;
    }

    /** "host:port", as configured. */
    public String addressText() {
        return addressText;
    }

    /** The configured weight (same as {@code endpoint().weight()}, one reference closer for strategies). */
    public int weight() {
        return weight;
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

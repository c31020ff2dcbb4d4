package io.sluice.balance;

import java.net.InetSocketAddress;

/**
 * What a strategy may look at when choosing a backend for one request, plus a cursor it may keep
 * between the candidates of that request. One instance per request (or per exchange, reused);
 * not thread-safe: it lives on the event loop that handles the request.
 */
public final class PickContext {
    private InetSocketAddress client;
    private long cursor;

    /** Resets this context for a new request. */
    public PickContext reset(InetSocketAddress client) {
        this.client = client;
        this.cursor = 0;
        return this;
    }

    /** The client's address, or null when unknown. */
    public InetSocketAddress client() {
        return client;
    }

    /** Strategy-owned position, set on the first candidate and read on later ones. */
    public long cursor() {
        return cursor;
    }

    public void cursor(long value) {
        this.cursor = value;
    }
}

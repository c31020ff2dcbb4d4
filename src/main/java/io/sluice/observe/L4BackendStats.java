package io.sluice.observe;

import java.util.concurrent.atomic.LongAdder;

/**
 * One backend's L4 traffic as {@link L4Stats} counts it: TCP connections (or UDP sessions) opened to it, connects
 * that failed, and bytes each way. Requests in flight, health and breaker state are the backend's shared
 * {@code BackendState}, not kept here. Thread-safe and lock-free.
 */
public final class L4BackendStats {
    private final LongAdder opened = new LongAdder();
    private final LongAdder connectErrors = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();

    L4BackendStats() {
    }

    void open() {
        opened.increment();
    }

    void connectFailed() {
        connectErrors.increment();
    }

    void bytes(long sent, long received) {
        if (sent > 0) {
            bytesSent.add(sent);
        }
        if (received > 0) {
            bytesReceived.add(received);
        }
    }

    /** TCP connections (UDP sessions) that reached this backend. */
    public long opened() {
        return opened.sum();
    }

    /** Connects to this backend that failed (each retry counts). */
    public long connectErrors() {
        return connectErrors.sum();
    }

    /** Client bytes passed on to this backend, counted when each connection ends. */
    public long bytesSent() {
        return bytesSent.sum();
    }

    /** Bytes this backend sent back towards clients, counted when each connection ends. */
    public long bytesReceived() {
        return bytesReceived.sum();
    }
}

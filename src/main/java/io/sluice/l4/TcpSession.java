package io.sluice.l4;

import io.sluice.balance.Backend;
import io.sluice.runtime.PoolRuntime;
import java.net.InetSocketAddress;

/**
 * The book-keeping of one L4 TCP connection: what was detected, where it went, bytes each way and how it
 * ended, reported once to {@link L4Events#ended}. Confined to the connection's event loop.
 */
final class TcpSession {
    private final String listener;
    private InetSocketAddress client;
    private final long startNanos;
    private final L4Events events;
    String protocol;
    String sni;
    PoolRuntime pool;
    Backend backend;
    /** Set when a byte moves, cleared by the {@link IdleSweeper}; with its slot and quiet count there. */
    boolean active;
    int idleSlot = -1;
    int quietTicks;
    private Runnable onIdle;
    private long bytesIn;
    private long bytesOut;
    private String end;
    private boolean reported;

    TcpSession(String listener, InetSocketAddress client, long startNanos, L4Events events) {
        this.listener = listener;
        this.client = client;
        this.startNanos = startNanos;
        this.events = events;
    }

    InetSocketAddress client() {
        return client;
    }

    /** The client's address once known (after a PROXY header, if any). */
    void client(InetSocketAddress value) {
        this.client = value;
    }

    void bytes(boolean fromClient, int n) {
        active = true;
        if (fromClient) {
            bytesIn += n;
        } else {
            bytesOut += n;
        }
    }

    /** What closes the connection when the {@link IdleSweeper} finds it idle. */
    void onIdle(Runnable close) {
        this.onIdle = close;
    }

    /** Closes the connection for having moved nothing for the idle timeout. */
    void idle() {
        end("idle_timeout");
        if (onIdle != null) {
            onIdle.run();
        }
    }

    /** Records why the connection ends; the first reason given wins. */
    void end(String why) {
        if (end == null) {
            end = why;
        }
    }

    /** Reports the connection once; call when the client connection has closed. */
    void report() {
        if (reported) {
            return;
        }
        reported = true;
        events.ended(new L4Record(listener, "tcp", client, protocol, sni, pool == null ? null : pool.name(),
                backend == null ? null : backend.addressText(), bytesIn, bytesOut, System.nanoTime() - startNanos,
                end == null ? "closed" : end));
    }
}

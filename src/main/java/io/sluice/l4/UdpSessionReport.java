package io.sluice.l4;

import io.sluice.balance.Backend;
import io.sluice.runtime.PoolRuntime;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What one UDP session came to, told to {@link UdpListener.Events#sessionClosed} when it ends: who talked to
 * which backend, how much went each way, for how long, and why it ended. Counts are of datagrams forwarded
 * (dropped ones are not counted). Immutable; thread-safe.
 *
 * @param listener          the udp listener's name
 * @param route             the route the session's first datagram took
 * @param pool              the pool of the backend
 * @param backend           the backend the session went to
 * @param client            the client's address and port
 * @param fromClientDatagrams datagrams sent on from the client to the backend
 * @param fromClientBytes   their payload bytes
 * @param toClientDatagrams datagrams sent back from the backend to the client
 * @param toClientBytes     their payload bytes
 * @param durationNanos     from the first datagram to the end, on the listener's clock
 * @param firstReplyNanos   from the first datagram to the backend's first reply; -1 when it never replied
 * @param reason            why the session ended
 */
public record UdpSessionReport(String listener, L4Router.Route route, PoolRuntime pool, Backend backend,
                               InetSocketAddress client, long fromClientDatagrams, long fromClientBytes,
                               long toClientDatagrams, long toClientBytes, long durationNanos, long firstReplyNanos,
                               UdpListener.CloseReason reason) {
    public UdpSessionReport {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(reason, "reason");
    }

    /** True when the session ended on an error that counts against the backend. */
    public boolean failed() {
        return reason == UdpListener.CloseReason.UNREACHABLE || reason == UdpListener.CloseReason.ERROR;
    }
}

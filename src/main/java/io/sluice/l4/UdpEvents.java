package io.sluice.l4;

import io.sluice.balance.Backend;
import io.sluice.runtime.PoolRuntime;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * Passes a {@link UdpListener}'s events on to the {@link L4Events} that TCP listeners report to, so metrics and
 * access logs treat a UDP session like a TCP connection (transport "udp"). Stateless; thread-safe.
 */
public final class UdpEvents implements UdpListener.Events {
    private final L4Events events;

    public UdpEvents(L4Events events) {
        this.events = events;
    }

    @Override
    public void sessionOpened(String listener, L4Router.Route route, PoolRuntime pool, Backend backend,
                              InetSocketAddress client) {
        events.routed(listener, route.result());
        events.opened(listener, "udp", pool.name(), backend.addressText());
    }

    @Override
    public void sessionClosed(UdpSessionReport r) {
        events.ended(new L4Record(r.listener(), "udp", r.client(), r.route().result(), null, r.pool().name(),
                r.backend().addressText(), r.fromClientBytes(), r.toClientBytes(), r.durationNanos(),
                r.reason().name().toLowerCase(Locale.ROOT)));
    }

    @Override
    public void datagramDropped(String listener, UdpListener.DropReason reason) {
        switch (reason) {
            case NO_ROUTE, NO_BACKEND -> events.routed(listener, "closed");
            case SESSION_LIMIT -> events.routed(listener, "rejected");
            default -> {
            }
        }
    }
}

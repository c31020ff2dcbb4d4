package io.sluice.l4;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.sluice.balance.Backend;
import io.sluice.balance.PickContext;
import io.sluice.balance.Selection;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RuntimeSnapshot;
import io.sluice.runtime.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listener socket's handler and its session table: a datagram from a known client goes to that client's
 * session; the first datagram of an unknown one is routed, a backend picked for the client, and a session
 * opened for it. Confined to the socket's event loop; not thread-safe.
 */
final class UdpSessions extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UdpSessions.class);
    /** How many fallback pools one session may go through (pool a falls back to b, b to c, ...). */
    private static final int MAX_FALLBACKS = 4;
    private static final Backend[] NONE = new Backend[0];

    private final UdpListener listener;
    private final Map<InetSocketAddress, UdpSession> byClient = new HashMap<>();
    private final PickContext pick = new PickContext();
    private final ChannelFactory<? extends Channel> upstreams = new ReflectiveChannelFactory<>(Transport.datagramChannel());
    private Channel socket;

    /** Where a new session goes. */
    private record Target(L4Router.Route route, PoolRuntime pool, Backend backend) {
    }

    UdpSessions(UdpListener listener) {
        this.listener = listener;
    }

    UdpListener listener() {
        return listener;
    }

    /** The listener socket: what replies to clients are sent from. */
    Channel socket() {
        return socket;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        socket = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        InetSocketAddress client = packet.sender();
        ByteBuf data = packet.content(); // from here on this method owns the buffer
        UdpSession session = byClient.get(client);
        if (session != null) {
            session.fromClient(data);
        } else {
            open(client, data);
        }
    }

    /** Routes a new client's first datagram, opens its session and sends the datagram on; or drops it. */
    private void open(InetSocketAddress client, ByteBuf data) {
        RuntimeSnapshot snap = listener.snapshot();
        L4Router router = snap == null ? null : snap.l4Router(listener.name());
        L4Router.Decision decision = router == null ? null
                : router.detects() ? router.decide(data, true, true) : router.withoutBytes();
        if (decision == null || decision.route() == null) {
            drop(data, UdpListener.DropReason.NO_ROUTE);
            return;
        }
        if (!listener.reserveSession()) { // before picking: a pick may take a half-open breaker's trial
            drop(data, UdpListener.DropReason.SESSION_LIMIT);
            return;
        }
        Channel upstream;
        try {
            upstream = upstreams.newChannel(); // before the pick: a failure here says nothing about a backend
        } catch (RuntimeException e) {
            listener.releaseSession();
            log.debug("udp listener {}: no socket for a new session: {}", listener.name(), e.toString());
            drop(data, UdpListener.DropReason.ERROR);
            return;
        }
        long now = listener.now();
        String sni = decision.detection() == null ? null : decision.detection().sni();
        Target target = target(snap, decision.route(), client, sni, now);
        L4Router.Route fallback = router.fallback();
        if (target == null && fallback != null && fallback != decision.route()) {
            target = target(snap, fallback, client, sni, now);
        }
        if (target == null) {
            upstream.unsafe().closeForcibly();
            listener.releaseSession();
            drop(data, UdpListener.DropReason.NO_BACKEND);
            return;
        }
        UdpSession session = new UdpSession(this, client, target.route(), target.pool(), target.backend(), now);
        byClient.put(client, session);
        listener.opened(target.route(), target.pool(), target.backend(), client);
        session.start(upstream);
        session.fromClient(data);
    }

    /** The backend the strategy picks for this client in the route's pool or its fallback pools; null if none. */
    private Target target(RuntimeSnapshot snap, L4Router.Route route, InetSocketAddress client, String sni, long now) {
        PoolRuntime pool = route.pool();
        for (int hop = 0; pool != null && hop <= MAX_FALLBACKS; hop++) {
            pick.reset(client, null, now).sni(sni);
            Backend b = Selection.select(pool.picker(), pick, NONE, 0, pool.slowStartNanos(), pool.panic());
            if (b != null) {
                return new Target(route, pool, b);
            }
            pool = pool.fallbackPool() == null ? null : snap.pool(pool.fallbackPool());
        }
        return null;
    }

    private void drop(ByteBuf data, UdpListener.DropReason reason) {
        data.release();
        listener.dropped(reason);
    }

    /** Forgets an ended session: its client's next datagram opens a new one. */
    void remove(UdpSession session) {
        byClient.remove(session.client(), session);
        listener.releaseSession();
    }

    /** Ends every session of this socket (the listener stops or its socket closed). */
    void endAll() {
        for (UdpSession s : new ArrayList<>(byClient.values())) {
            s.end(UdpListener.CloseReason.STOPPED);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        endAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // An unconnected socket's errors concern one datagram (e.g. a reply the kernel could not send): the
        // socket and its other sessions carry on.
        log.debug("udp listener {}: {}", listener.name(), cause.toString());
    }
}

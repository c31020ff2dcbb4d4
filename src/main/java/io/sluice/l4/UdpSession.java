package io.sluice.l4;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.balance.Backend;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.Transport;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's UDP session: its own socket connected to the backend it was given (so the kernel lets only
 * that backend's datagrams in), the counts each way, and its idle timer. The session is one "attempt" on its
 * backend: started when it opens, finished when it ends, a failure only when the backend was unreachable or
 * the socket failed.
 *
 * <p>The idle timer is one task per session: a datagram only writes down the time, and the task, when it
 * comes due, either ends the session or schedules itself again for what is left of the timeout.
 *
 * <p>Confined to the event loop of the listener socket that owns it (its socket is registered there too);
 * not thread-safe.
 */
final class UdpSession extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UdpSession.class);
    /** Datagrams held while the session's socket is being set up; more are dropped. */
    static final int MAX_PENDING = 16;
    /** Unused receive-buffer bytes a held datagram may keep before it is copied into a buffer of its size. */
    private static final int SLACK = 1024;

    private final UdpSessions owner;
    private final UdpListener listener;
    private final InetSocketAddress client;
    private final L4Router.Route route;
    private final PoolRuntime pool;
    private final Backend backend;
    private final long openedAt;
    private final Runnable expiry = this::expire;
    private Channel upstream;
    private ArrayDeque<ByteBuf> pending = new ArrayDeque<>(4);
    private boolean connected;
    private boolean ended;
    /** When a datagram last went either way, in {@link System#nanoTime()} terms (the timer's clock). */
    private long lastActive;
    private long firstReplyNanos = -1;
    private long fromClientDatagrams;
    private long fromClientBytes;
    private long toClientDatagrams;
    private long toClientBytes;
    private ScheduledFuture<?> timer;

    UdpSession(UdpSessions owner, InetSocketAddress client, L4Router.Route route, PoolRuntime pool, Backend backend,
               long openedAt) {
        this.owner = owner;
        this.listener = owner.listener();
        this.client = client;
        this.route = route;
        this.pool = pool;
        this.backend = backend;
        this.openedAt = openedAt;
    }

    InetSocketAddress client() {
        return client;
    }

    /** Starts the attempt, the idle timer and the setup of {@code ch} (new, unregistered) towards the backend. */
    void start(Channel ch) {
        backend.state().requestStarted();
        upstream = ch;
        lastActive = System.nanoTime();
        Channel socket = owner.socket();
        timer = socket.eventLoop().schedule(expiry, listener.idleNanos(), TimeUnit.NANOSECONDS);
        ch.config().setAllocator(Transport.allocator());
        ch.config().setRecvByteBufAllocator(UdpListener.RECEIVE);
        ch.pipeline().addLast(this);
        socket.eventLoop().register(ch).addListener((ChannelFuture f) -> registered(f));
    }

    private void registered(ChannelFuture f) {
        if (!f.isSuccess()) {
            f.channel().unsafe().closeForcibly();
            end(UdpListener.CloseReason.ERROR, f.cause());
        } else if (ended) {
            f.channel().close();
        } else {
            f.channel().connect(backend.socketAddress()).addListener((ChannelFuture c) -> connected(c));
        }
    }

    private void connected(ChannelFuture f) {
        if (ended) {
            return;
        }
        if (!f.isSuccess()) {
            end(reasonFor(f.cause()), f.cause());
            return;
        }
        connected = true;
        ArrayDeque<ByteBuf> held = pending;
        pending = null;
        ByteBuf data;
        while ((data = held.poll()) != null) {
            send(data);
        }
    }

    /** Takes one datagram from the client (owning its buffer) and sends it on, or holds it until connected. */
    void fromClient(ByteBuf data) {
        if (ended) { // only the first datagram can find its session ended: its socket failed at registration
            data.release();
            listener.dropped(UdpListener.DropReason.ERROR);
            return;
        }
        lastActive = System.nanoTime();
        if (connected) {
            send(data);
        } else if (pending.size() < MAX_PENDING) {
            pending.add(compact(data));
        } else {
            drop(data);
        }
    }

    private void send(ByteBuf data) {
        Channel ch = upstream;
        if (!ch.isWritable()) {
            drop(data);
            return;
        }
        fromClientDatagrams++;
        fromClientBytes += data.readableBytes();
        ch.writeAndFlush(fit(data, ch), ch.voidPromise()); // a failed write reaches exceptionCaught
    }

    /** A reply from the backend: sent to the client from the listener's socket. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf data = msg instanceof DatagramPacket p ? p.content() : msg instanceof ByteBuf b ? b : null;
        if (data == null || ended) {
            ReferenceCountUtil.release(msg);
            return;
        }
        lastActive = System.nanoTime();
        if (firstReplyNanos < 0) {
            firstReplyNanos = Math.max(0L, listener.now() - openedAt);
        }
        Channel socket = owner.socket();
        if (!socket.isWritable()) {
            drop(data);
            return;
        }
        toClientDatagrams++;
        toClientBytes += data.readableBytes();
        socket.writeAndFlush(new DatagramPacket(fit(data, socket), client), socket.voidPromise());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        end(reasonFor(cause), cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end(UdpListener.CloseReason.ERROR, null); // does nothing when the session closed the socket itself
        ctx.fireChannelInactive();
    }

    /** The idle timer came due: ends the session, or waits again for what is left of the timeout. */
    private void expire() {
        if (ended) {
            return;
        }
        long left = listener.idleNanos() - (System.nanoTime() - lastActive);
        if (left <= 0) {
            end(UdpListener.CloseReason.IDLE);
        } else {
            timer = owner.socket().eventLoop().schedule(expiry, left, TimeUnit.NANOSECONDS);
        }
    }

    void end(UdpListener.CloseReason reason) {
        end(reason, null);
    }

    /** Ends the session once: closes its socket, reports the attempt and tells the listener's observers. */
    private void end(UdpListener.CloseReason reason, Throwable cause) {
        if (ended) {
            return;
        }
        ended = true;
        owner.remove(this);
        if (timer != null) {
            timer.cancel(false);
        }
        if (pending != null) {
            pending.forEach(ByteBuf::release);
            pending = null;
        }
        if (upstream.isRegistered()) {
            upstream.close();
        }
        long now = listener.now();
        long duration = Math.max(0L, now - openedAt);
        UdpSessionReport report = new UdpSessionReport(listener.name(), route, pool, backend, client,
                fromClientDatagrams, fromClientBytes, toClientDatagrams, toClientBytes, duration, firstReplyNanos,
                reason);
        boolean failed = report.failed();
        if (failed) {
            log.debug("udp session {} -> {} ended: {} ({})", client, backend, reason,
                    cause == null ? "closed" : cause.toString());
        }
        backend.state().requestFinished(firstReplyNanos >= 0 ? firstReplyNanos : duration, failed, now,
                pool.halfLifeNanos());
        if (reason != UdpListener.CloseReason.STOPPED) { // stopping says nothing about the backend
            backend.state().breaker().onOutcome(failed, now);
        }
        listener.closed(report);
    }

    private void drop(ByteBuf data) {
        data.release();
        listener.dropped(UdpListener.DropReason.BACKLOG);
    }

    /** ICMP port unreachable surfaces on a connected socket as one of these; anything else is some other error. */
    private static UdpListener.CloseReason reasonFor(Throwable cause) {
        return cause instanceof PortUnreachableException || cause instanceof ConnectException
                ? UdpListener.CloseReason.UNREACHABLE : UdpListener.CloseReason.ERROR;
    }

    /**
     * The datagram as it is when {@code to} has nothing queued (it leaves at once, and its receive buffer is
     * freed), else in a buffer of its own size, so that datagrams waiting in a queue do not each keep a
     * 64 KiB receive buffer.
     */
    private static ByteBuf fit(ByteBuf data, Channel to) {
        ChannelOutboundBuffer out = to.unsafe().outboundBuffer();
        return out != null && out.totalPendingWriteBytes() > 0 ? compact(data) : data;
    }

    /** The datagram in a buffer not much bigger than it; releases {@code data} when it copies. */
    private static ByteBuf compact(ByteBuf data) {
        int n = data.readableBytes();
        if (data.capacity() - n <= SLACK) {
            return data;
        }
        try {
            ByteBuf copy = data.alloc().directBuffer(n);
            copy.writeBytes(data, data.readerIndex(), n);
            return copy;
        } finally {
            data.release();
        }
    }
}

package io.sluice.l4;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.balance.Backend;
import io.sluice.balance.PickContext;
import io.sluice.balance.Selection;
import io.sluice.config.ProxyVersion;
import io.sluice.http.HttpListener;
import io.sluice.runtime.FailureKind;
import io.sluice.runtime.Outcome;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.Transport;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start of an L4 TCP connection: reads the client's first bytes into a bounded buffer until the listener's
 * routes can decide (or {@code detect_timeout} passes, or the buffer is full, or the client shuts its side),
 * then either hands the connection to an HTTP/HTTPS listener in-process, or connects to a backend of the
 * chosen pool on this event loop (another backend when a connect fails, before any byte was sent), replays
 * the bytes read so far exactly, and leaves the rest to a {@link Relay} on each side. A route whose pool has no
 * usable backend gives way to the fallback; with neither, the connection is closed. Confined to the
 * connection's event loop.
 */
final class TcpFront extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(TcpFront.class);

    /** The most fallback_pool hops followed, as for HTTP requests. */
    private static final int MAX_POOL_FALLBACKS = 4;

    private final TcpListener listener;
    private final L4Router router;
    private final TcpSession session;
    private final PickContext pick = new PickContext();
    private ChannelHandlerContext ctx;
    private ByteBuf seen;
    private java.util.ArrayDeque<ByteBuf> late;
    private RecvByteBufAllocator originalAllocator;
    private ScheduledFuture<?> detectTimer;
    private ChannelFuture connecting;
    private boolean begun;
    private boolean decided;
    private boolean inputShut;
    private boolean timedOut;
    private Backend[] tried = new Backend[2];
    private int triedCount;

    TcpFront(TcpListener listener, L4Router router, TcpSession session) {
        this.listener = listener;
        this.router = router;
        this.session = session;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx; // work starts with channelActive, which a PROXY header reader holds back until it is read
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        begin();
        ctx.fireChannelActive();
    }

    private void begin() {
        if (begun) {
            return;
        }
        begun = true;
        session.client(ClientAddress.source(ctx.channel()));
        ctx.channel().closeFuture().addListener(f -> closed());
        if (!router.detects()) {
            route(router.withoutBytes());
            return;
        }
        long timeout = router.config().detectTimeout().toNanos();
        detectTimer = ctx.executor().schedule(this::detectTimedOut, timeout, TimeUnit.NANOSECONDS);
        originalAllocator = ctx.channel().config().getRecvByteBufAllocator();
        readMore();
    }

    /** Asks for at most what the detect buffer has room for, so a flood never makes Sluice hold more. */
    private void readMore() {
        int room = router.config().detectBuffer() - (seen == null ? 0 : seen.readableBytes());
        ctx.channel().config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(Math.max(1, room))
                .maxMessagesPerRead(1));
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (decided) {
            // Not asked for, but delivered anyway: epoll reads what is left when the client half-closes
            // (EPOLLRDHUP). Kept, in order, for the backend; at most one read's worth.
            session.bytes(true, buf.readableBytes());
            if (late == null) {
                late = new java.util.ArrayDeque<>(2);
            }
            late.add(buf);
            return;
        }
        if (seen == null) {
            seen = ctx.alloc().buffer(Math.max(256, buf.readableBytes()), router.config().detectBuffer());
        }
        int n = Math.min(buf.readableBytes(), seen.maxWritableBytes());
        seen.writeBytes(buf, buf.readerIndex(), n);
        session.bytes(true, buf.readableBytes());
        if (n < buf.readableBytes()) {
            // More than the detect buffer has room for: io_uring may have asked the kernel for a larger read
            // before the smaller size was set. Detection looks at what fits; the rest goes on, in order, after it.
            buf.skipBytes(n);
            if (late == null) {
                late = new java.util.ArrayDeque<>(2);
            }
            late.add(buf);
        } else {
            buf.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!decided) {
            decide(false);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShut = true;
            if (!decided) {
                decide(true); // the client said all it will say
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void detectTimedOut() {
        if (!decided && ctx.channel().isActive()) {
            timedOut = true; // how the connection ends only if nothing takes it
            decide(true);
        }
    }

    private void decide(boolean last) {
        ByteBuf bytes = seen != null ? seen : io.netty.buffer.Unpooled.EMPTY_BUFFER;
        boolean full = seen != null && seen.readableBytes() >= router.config().detectBuffer();
        L4Router.Decision d = router.decide(bytes, last || full, false);
        if (d.needMore()) {
            readMore();
            return;
        }
        route(d);
    }

    private void route(L4Router.Decision d) {
        decided = true;
        if (detectTimer != null) {
            detectTimer.cancel(false);
        }
        if (originalAllocator != null) {
            ctx.channel().config().setRecvByteBufAllocator(originalAllocator);
        }
        L4Router.Route r = d.route();
        Detection found = d.detection();
        session.sni = found == null ? null : found.sni();
        session.protocol = r == null ? "closed" : r.result();
        if (r == null) {
            listener.events().routed(listener.name(), "closed");
            session.end(timedOut ? "detect_timeout" : "no_route");
            ctx.close();
            return;
        }
        go(r);
    }

    /**
     * Sends the connection where the route says, or to the fallback when the route's pool has no usable backend.
     * The routing result is counted here, once, for where the connection really goes: the fallback when it takes
     * over, "closed" when nothing does (as UDP listeners count it).
     */
    private void go(L4Router.Route r) {
        if (r.listener() != null) {
            handOver(r.listener());
            return;
        }
        PoolRuntime pool = r.pool();
        Backend b = pick(pool);
        // As for HTTP requests: a pool with no usable backend hands over to its fallback_pool chain first.
        for (int hops = 0; b == null && pool.fallbackPool() != null && hops < MAX_POOL_FALLBACKS; hops++) {
            PoolRuntime next = listener.proxy().snapshot().pool(pool.fallbackPool());
            if (next == null) {
                break;
            }
            pool = next;
            b = pick(pool);
        }
        if (b == null) {
            L4Router.Route fb = router.fallback();
            if (fb != null && fb != r) {
                session.protocol = "fallback";
                go(fb);
                return;
            }
            listener.events().routed(listener.name(), "closed");
            session.pool = pool;
            session.end("no_backend");
            ctx.close();
            return;
        }
        listener.events().routed(listener.name(), session.protocol);
        session.pool = pool;
        connect(pool, b);
    }

    /** The first pick in a pool: a fresh walk of its candidates. */
    private Backend pick(PoolRuntime pool) {
        pick.reset(session.client(), null, listener.proxy().nanoTime()).sni(session.sni);
        return Selection.select(pool.picker(), pick, tried, triedCount, pool.slowStartNanos(), pool.panic());
    }

    /** A retry after a failed connect: the same walk goes on, past the backends tried (as HTTP retries do). */
    private Backend next(PoolRuntime pool) {
        return Selection.select(pool.picker(), pick, tried, triedCount, pool.slowStartNanos(), pool.panic());
    }

    private void handOver(String name) {
        HttpListener h = listener.httpListener(name);
        Channel ch = ctx.channel();
        if (h == null) {
            listener.events().routed(listener.name(), "closed");
            session.end("no_route");
            ch.close();
            return;
        }
        listener.events().routed(listener.name(), session.protocol);
        session.end("handed_over");
        ChannelPipeline p = ch.pipeline();
        ByteBuf bytes = seen;
        seen = null;
        p.remove(this);
        if (!h.adopt(ch)) {
            ReferenceCountUtil.release(bytes);
            while (late != null && !late.isEmpty()) {
                late.poll().release();
            }
            return;
        }
        if (bytes != null) {
            p.fireChannelRead(bytes);
        }
        ByteBuf more;
        while (late != null && (more = late.poll()) != null) {
            p.fireChannelRead(more);
        }
        p.fireChannelReadComplete();
        if (inputShut) {
            p.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        }
    }

    private void connect(PoolRuntime pool, Backend b) {
        Channel client = ctx.channel();
        b.state().requestStarted();
        long t0 = listener.proxy().nanoTime();
        connecting = new Bootstrap()
                .group(client.eventLoop())
                .channel(Transport.clientChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                // TCP_NODELAY is Netty's default for socket channels; setting it again costs a system call
                .option(ChannelOption.ALLOCATOR, Transport.allocator())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, pool.connectTimeoutMillis()))
                .handler(new ChannelInboundHandlerAdapter())
                .connect(b.socketAddress());
        connecting.addListener((ChannelFutureListener) f -> connected(f, pool, b, t0));
    }

    private void connected(ChannelFuture f, PoolRuntime pool, Backend b, long t0) {
        connecting = null;
        long now = listener.proxy().nanoTime();
        long took = now - t0;
        Channel client = ctx.channel();
        if (!f.isSuccess() && !client.isActive()) {
            // The client left while connecting (and the connect was cancelled): nothing against the backend.
            b.state().released();
            listener.proxy().outcomes().onOutcome(new Outcome(b.endpoint(), 0, took, FailureKind.CLIENT_ABORT,
                    triedCount));
            return;
        }
        if (!f.isSuccess()) {
            FailureKind kind = f.cause() instanceof ConnectTimeoutException ? FailureKind.CONNECT_TIMEOUT
                    : FailureKind.CONNECT_REFUSED;
            b.state().requestFinished(took, true, now, pool.halfLifeNanos());
            b.state().breaker().onOutcome(true, now);
            listener.proxy().outcomes().onOutcome(new Outcome(b.endpoint(), 0, took, kind, triedCount));
            listener.events().connectFailed(listener.name(), pool.name(), b.addressText());
            log.debug("{}: connect to {} failed: {}", listener.name(), b.addressText(), f.cause().toString());
            if (triedCount == tried.length) {
                tried = Arrays.copyOf(tried, triedCount * 2);
            }
            tried[triedCount++] = b;
            Backend next = triedCount <= pool.retry().maxRetries() ? next(pool) : null;
            if (next != null) {
                connect(pool, next);
            } else {
                session.backend = b;
                session.end("connect_failed");
                client.close();
            }
            return;
        }
        Channel up = f.channel();
        b.state().sample(took, false, now, pool.halfLifeNanos());
        b.state().breaker().onOutcome(false, now);
        listener.proxy().outcomes().onOutcome(new Outcome(b.endpoint(), 0, took, FailureKind.NONE, triedCount));
        up.closeFuture().addListener(x -> b.state().released());
        if (!client.isActive()) {
            up.close();
            return;
        }
        session.backend = b;
        listener.events().opened(listener.name(), "tcp", pool.name(), b.addressText());
        IdleSweeper sweeper = listener.sweeper(client.eventLoop());
        session.onIdle(() -> {
            client.close();
            up.close();
        });
        sweeper.add(session);
        // The backend connection closes after what was read from the client has gone out to it: closing it with
        // the client connection dropped the bytes a slow backend had not taken yet. The session stays with the
        // sweeper until both are closed, so a backend that stops reading is still cut after the idle timeout.
        client.closeFuture().addListener(x -> {
            if (up.isActive()) {
                up.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            } else {
                sweeper.remove(session);
            }
        });
        up.closeFuture().addListener(x -> {
            if (!client.isActive()) {
                sweeper.remove(session);
            }
        });
        Relay fromClient = new Relay(up, session, true);
        Relay fromBackend = new Relay(client, session, false);
        Relay.pair(fromClient, fromBackend);
        up.pipeline().addLast("relay", fromBackend);
        ctx.pipeline().replace(this, "relay", fromClient);
        ProxyVersion pv = pool.config().sendProxyProtocol();
        if (pv != ProxyVersion.NONE) {
            up.write(ProxyHeaders.encode(up.alloc(), pv, ClientAddress.source(client), ClientAddress.destination(client)),
                    up.voidPromise());
        }
        ByteBuf bytes = seen;
        seen = null;
        if (bytes != null && bytes.isReadable()) {
            up.write(bytes, up.voidPromise());
        } else if (bytes != null) {
            bytes.release();
        }
        ByteBuf more;
        while (late != null && (more = late.poll()) != null) {
            up.write(more, up.voidPromise());
        }
        up.flush();
        fromBackend.start();
        if (inputShut) {
            client.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        } else {
            fromClient.start();
        }
    }

    private void closed() {
        if (detectTimer != null) {
            detectTimer.cancel(false);
        }
        ChannelFuture c = connecting; // cancelling runs its listener, which may clear the field at once
        if (c != null) {
            c.cancel(false);
            c.channel().close();
        }
        if (seen != null) {
            seen.release();
            seen = null;
        }
        ByteBuf more;
        while (late != null && (more = late.poll()) != null) {
            more.release();
        }
        session.end("client_closed");
        session.report();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: connection from {} failed: {}", listener.name(), session.client(), cause.toString());
        session.end("client_reset");
        ctx.close();
    }
}

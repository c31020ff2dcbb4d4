package io.sluice.l4;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.sluice.balance.Backend;
import io.sluice.config.ListenerConfig;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RuntimeSnapshot;
import io.sluice.runtime.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code udp} listener: datagrams from one client address and port make one session, routed once by its
 * first datagram (the listener's L4 routes, else its fallback) to a backend the pool's strategy picks for
 * that client. Each session has its own socket connected to its backend, on the event loop of the listener
 * socket that received the client; the backend's replies go back to the client from the listener socket, so
 * the client hears from the address it wrote to. A session ends after {@code session_idle_timeout} without a
 * datagram either way, when the backend turns out unreachable (an ICMP port unreachable), or on {@link #stop}.
 *
 * <p>Sockets: with the epoll transport, one socket per event loop of the group, all bound to the same port
 * with {@code SO_REUSEPORT}, so that the kernel spreads clients over the loops (it hashes the client's address
 * and port, so a client keeps its socket); with NIO, one socket on one loop. Each socket's sessions live in
 * a table confined to its loop: the data path takes no lock. The one shared counter is the number of open
 * sessions, changed once per session.
 *
 * <p>Memory: at most {@code max_sessions} sessions (datagrams that would open more are dropped); a session
 * holds at most {@value UdpSession#MAX_PENDING} datagrams while its socket connects, and a datagram for a
 * socket that cannot take more (its send buffer full) is dropped rather than queued without bound.
 *
 * <p>Thread-safe. {@link #bind} and {@link #stop} block and must be called off the event loops.
 */
public final class UdpListener {
    private static final Logger log = LoggerFactory.getLogger(UdpListener.class);
    /**
     * The largest datagram read, in bytes: the receive buffer is this big so that no datagram is ever cut
     * short (a UDP payload is at most 65,527 bytes over IPv6, 65,507 over IPv4).
     */
    static final int MAX_DATAGRAM = 65_535;
    static final RecvByteBufAllocator RECEIVE = new FixedRecvByteBufAllocator(MAX_DATAGRAM);

    /** Why a datagram was dropped. */
    public enum DropReason {
        /** The first datagram of a would-be session matched no route, and there is no fallback. */
        NO_ROUTE,
        /** The route's pool (and the fallback's) had no backend that could take a session. */
        NO_BACKEND,
        /** The listener already has {@code max_sessions} sessions. */
        SESSION_LIMIT,
        /** The socket it was for could take no more (its send buffer full, or still connecting with a full queue). */
        BACKLOG,
        /** No socket could be made for a new session (out of file descriptors, say). */
        ERROR
    }

    /** Why a session ended. */
    public enum CloseReason {
        /** No datagram either way for the session idle timeout. */
        IDLE,
        /** The backend's host answered "port unreachable": nothing listens there. Counts as a failure. */
        UNREACHABLE,
        /** The session's socket failed otherwise (could not connect, write or read). Counts as a failure. */
        ERROR,
        /** The listener stopped. */
        STOPPED
    }

    /**
     * What the listener tells observers (metrics, access logs). Methods are called on event loops: they must
     * be quick, must not block and must be thread-safe. An exception they throw is logged and ignored.
     */
    public interface Events {
        /** Observes nothing. */
        Events NONE = new Events() {
        };

        /**
         * A session opened.
         *
         * @param route the route its first datagram took (the fallback when the matched route's pool had no usable
         *              backend)
         * @param pool  the pool the backend belongs to: the route's, or a fallback pool of it
         */
        default void sessionOpened(String listener, L4Router.Route route, PoolRuntime pool, Backend backend,
                                   InetSocketAddress client) {
        }

        /** A session ended; {@code report} says how much went each way, for how long and why it ended. */
        default void sessionClosed(UdpSessionReport report) {
        }

        /** A datagram from a client or a backend was dropped. */
        default void datagramDropped(String listener, DropReason reason) {
        }
    }

    private final ListenerConfig config;
    private final Supplier<RuntimeSnapshot> snapshot;
    private final Events events;
    private final LongSupplier clock;
    private final int maxSessions;
    private final long idleNanos;
    private final AtomicInteger sessions = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    private volatile List<Bound> bound;

    /** One listener socket and the session table of its event loop. */
    private record Bound(Channel channel, UdpSessions sessions) {
    }

    /** A listener whose breakers and latency samples use {@link System#nanoTime()}. */
    public UdpListener(ListenerConfig config, Supplier<RuntimeSnapshot> snapshot, Events events) {
        this(config, snapshot, events, System::nanoTime);
    }

    /**
     * A listener; it binds nothing until {@link #bind}.
     *
     * @param snapshot the data path's current snapshot; read when a session opens (open sessions keep their backend
     *                 across a reload)
     * @param clock    the time, in {@link System#nanoTime()} terms, for picks, breakers and latency samples (Sluice's
     *                 clock); idle timers always run on real time
     */
    public UdpListener(ListenerConfig config, Supplier<RuntimeSnapshot> snapshot, Events events, LongSupplier clock) {
        this.config = Objects.requireNonNull(config, "config");
        if (!config.udp()) {
            throw new IllegalArgumentException("listener " + config.name() + " is not a udp listener");
        }
        this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxSessions = config.l4().maxConnections();
        this.idleNanos = Math.max(1_000_000L, config.l4().idleTimeout().toNanos());
    }

    /**
     * Binds the listener's socket(s) on {@code group}'s event loops and starts serving; blocks until bound. On
     * failure nothing stays bound.
     *
     * @throws IllegalStateException when already bound
     */
    public synchronized void bind(EventLoopGroup group) throws InterruptedException {
        Objects.requireNonNull(group, "group");
        if (bound != null) {
            throw new IllegalStateException("listener " + config.name() + " is already bound");
        }
        ChannelOption<Boolean> reusePortOption = Transport.reusePort();
        boolean reusePort = reusePortOption != null;
        List<EventLoop> loops = new ArrayList<>();
        if (reusePort) {
            for (EventExecutor e : group) {
                loops.add((EventLoop) e);
            }
        } else {
            loops.add(group.next());
        }
        InetSocketAddress address = config.bind().resolve();
        List<Bound> list = new ArrayList<>(loops.size());
        try {
            for (EventLoop loop : loops) {
                UdpSessions table = new UdpSessions(this);
                Bootstrap b = new Bootstrap()
                        .group(loop)
                        .channel(Transport.datagramChannel())
                        .option(ChannelOption.ALLOCATOR, Transport.allocator())
                        .option(ChannelOption.RCVBUF_ALLOCATOR, RECEIVE)
                        .handler(table);
                if (reusePort) {
                    b.option(reusePortOption, true);
                }
                Channel ch = b.bind(address).sync().channel();
                list.add(new Bound(ch, table));
                address = (InetSocketAddress) ch.localAddress(); // the others take the port the first was given
            }
        } catch (RuntimeException | InterruptedException e) {
            for (Bound x : list) {
                x.channel().close().syncUninterruptibly();
            }
            throw e;
        }
        bound = List.copyOf(list);
        log.debug("udp listener {} on {}: {} socket(s)", config.name(), address, list.size());
    }

    /**
     * Closes the listener's socket(s) and ends every session (reason {@link CloseReason#STOPPED}); blocks until
     * they are ended. Safe to call more than once, and before {@link #bind}.
     */
    public void stop() {
        List<Bound> list = bound;
        if (list == null) {
            return;
        }
        for (Bound b : list) {
            b.channel().close();
        }
        for (Bound b : list) {
            EventLoop loop = b.channel().eventLoop();
            if (loop.inEventLoop()) {
                b.sessions().endAll();
            } else {
                loop.submit(b.sessions()::endAll).syncUninterruptibly();
            }
        }
    }

    /** The address the listener is bound to (useful with port 0); null before {@link #bind}. */
    public InetSocketAddress localAddress() {
        List<Bound> list = bound;
        return list == null ? null : (InetSocketAddress) list.get(0).channel().localAddress();
    }

    /** How many sockets the listener bound: one per event loop with epoll, one with NIO; 0 before bind. */
    public int sockets() {
        List<Bound> list = bound;
        return list == null ? 0 : list.size();
    }

    /** Sessions open now. */
    public int openSessions() {
        return sessions.get();
    }

    /** Datagrams dropped since start, for every {@link DropReason}. */
    public long droppedDatagrams() {
        return dropped.sum();
    }

    public ListenerConfig config() {
        return config;
    }

    String name() {
        return config.name();
    }

    RuntimeSnapshot snapshot() {
        return snapshot.get();
    }

    long now() {
        return clock.getAsLong();
    }

    long idleNanos() {
        return idleNanos;
    }

    /** Takes a place for one more session; false when the listener is full. */
    boolean reserveSession() {
        for (;;) {
            int n = sessions.get();
            if (n >= maxSessions) {
                return false;
            }
            if (sessions.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives back a place taken by {@link #reserveSession}. */
    void releaseSession() {
        sessions.decrementAndGet();
    }

    void dropped(DropReason reason) {
        dropped.increment();
        try {
            events.datagramDropped(config.name(), reason);
        } catch (RuntimeException e) {
            log.warn("udp events: datagramDropped failed", e);
        }
    }

    void opened(L4Router.Route route, PoolRuntime pool, Backend backend, InetSocketAddress client) {
        try {
            events.sessionOpened(config.name(), route, pool, backend, client);
        } catch (RuntimeException e) {
            log.warn("udp events: sessionOpened failed", e);
        }
    }

    void closed(UdpSessionReport report) {
        try {
            events.sessionClosed(report);
        } catch (RuntimeException e) {
            log.warn("udp events: sessionClosed failed", e);
        }
    }
}

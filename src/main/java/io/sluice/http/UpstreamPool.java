package io.sluice.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.Promise;
import io.sluice.balance.Backend;
import io.sluice.config.ProxyVersion;
import io.sluice.config.UpstreamProtocol;
import io.sluice.l4.ClientAddress;
import io.sluice.l4.ProxyHeaderSender;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.Transport;
import io.sluice.tls.ClientTls;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;

/**
 * Keep-alive connections to backends for one event loop: idle connections per backend address, reused
 * last-in first-out, and new connections made on this loop. One sweep task closes connections idle past
 * their pool's idle timeout; it is scheduled for the earliest such deadline, so a busy pool schedules
 * nothing per request. HTTP/2 backends get one multiplexed connection per event loop instead
 * ({@link H2Upstream}).
 *
 * <p>A pool with {@code send_proxy_protocol} writes a PROXY header first on each new connection, naming the
 * client whose request made it. Such a connection speaks for that one client, so it is private to the client's
 * connection: it is kept idle under the backend address <em>and</em> that client connection, only a request
 * from the same client connection takes it again, and it closes when the client connection does. Confined to
 * its event loop; not thread-safe.
 */
final class UpstreamPool {
    static final int MAX_IDLE_PER_BACKEND = 256;
    private static final int MAX_STATUS_LINE = 4096;
    private static final int MAX_RESPONSE_HEADER_SIZE = HeadParser.MAX_SECTION;
    private static final int MAX_CHUNK = 64 * 1024;

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    /** Idle connections by {@link #idleKey}: a backend address, or a {@link Private} key. */
    private final Map<Object, ArrayDeque<Channel>> idle = new HashMap<>();
    private boolean sweepScheduled;
    private final AtomicInteger open;
    private final H2Upstream h2;
    private final ConnectionSlots slots;

    UpstreamPool(EventLoop loop, AtomicInteger open, AtomicInteger queued) {
        this.loop = loop;
        this.open = open;
        this.h2 = new H2Upstream(this);
        int loops = 0;
        for (var ignored : loop.parent()) {
            loops++;
        }
        this.slots = new ConnectionSlots(this, loop, loops, queued);
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(Transport.clientChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, Transport.allocator())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // Replaced with the pool's idle timeout once connected; see connect().
                    }
                });
    }

    /** Where connections that carry a PROXY header wait idle: their backend and the client connection they serve. */
    private record Private(InetSocketAddress address, Channel client) {
    }

    /**
     * The key idle connections to {@code address} are kept under for requests from {@code client}: the address,
     * or, when the pool sends PROXY headers, the address and the client's connection (the parent of an HTTP/2
     * stream), since the header named that client.
     */
    static Object idleKey(InetSocketAddress address, PoolRuntime pool, Channel client) {
        if (pool.config().sendProxyProtocol() == ProxyVersion.NONE) {
            return address;
        }
        return new Private(address, connectionOf(client));
    }

    /** The client's connection: the channel itself, or for an HTTP/2 stream the connection it is on. */
    static Channel connectionOf(Channel client) {
        return client instanceof Http2StreamChannel && client.parent() != null ? client.parent() : client;
    }

    /** An idle, open connection to the backend that may serve a request from {@code client}, or null. */
    Channel poll(Backend backend, PoolRuntime pool, Channel client) {
        ArrayDeque<Channel> q = idle.get(idleKey(backend.socketAddress(), pool, client));
        if (q == null) {
            return null;
        }
        Channel ch;
        while ((ch = q.pollLast()) != null) {
            if (ch.isActive()) {
                return ch;
            }
            ch.close();
        }
        return null;
    }

    /** Gives back a connection whose exchange ended cleanly; it waits idle for the next request. */
    void offer(Channel ch) {
        if (ch instanceof Http2StreamChannel) {
            ch.close(); // a stream serves one request; its connection stays with the HTTP/2 pool
            return;
        }
        UpstreamHandler h = ch.pipeline().get(UpstreamHandler.class);
        if (h == null) {
            ch.close();
            return;
        }
        ArrayDeque<Channel> q = idle.computeIfAbsent(h.idleKey(), a -> new ArrayDeque<>());
        if (!ch.isActive() || q.size() >= MAX_IDLE_PER_BACKEND) {
            ch.close();
            return;
        }
        q.addLast(ch);
        // Keep a read pending so that a backend closing the idle connection is noticed at once.
        ch.read();
        if (!sweepScheduled) {
            scheduleSweep(h.idleDeadline());
        }
        slots.idleAgain(h.address());
    }

    /** The connection limits and the requests waiting for a connection, on this loop. */
    ConnectionSlots slots() {
        return slots;
    }

    /** Whether a connection waits idle under this key (it may have closed without our knowing yet). */
    boolean hasIdle(Object idleKey) {
        ArrayDeque<Channel> q = idle.get(idleKey);
        return q != null && !q.isEmpty();
    }

    /**
     * Closes the connection to {@code address} that has been idle longest under a key other than {@code except}
     * (another client's, when the pool sends PROXY headers), to make room under the connection limit.
     */
    void closeOldestIdle(InetSocketAddress address, Object except) {
        for (Iterator<Map.Entry<Object, ArrayDeque<Channel>>> it = idle.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Object, ArrayDeque<Channel>> e = it.next();
            Object key = e.getKey();
            if (!key.equals(except) && key instanceof Private p && p.address().equals(address)) {
                Channel ch = e.getValue().pollFirst();
                if (e.getValue().isEmpty()) {
                    it.remove(); // one client's queue: gone with its last connection
                }
                if (ch != null) {
                    UpstreamHandler h = ch.pipeline().get(UpstreamHandler.class);
                    if (h != null) {
                        h.unbind(false);
                    }
                    ch.close();
                    return;
                }
            }
        }
    }

    private void scheduleSweep(long deadline) {
        sweepScheduled = true;
        loop.schedule(this::sweep, Math.max(0L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** Closes the connections whose idle time ran out and schedules itself for the next deadline. */
    private void sweep() {
        sweepScheduled = false;
        long now = System.nanoTime();
        long next = 0;
        boolean waiting = false;
        for (Iterator<ArrayDeque<Channel>> qs = idle.values().iterator(); qs.hasNext(); ) {
            ArrayDeque<Channel> q = qs.next();
            for (Iterator<Channel> it = q.iterator(); it.hasNext(); ) {
                Channel ch = it.next();
                UpstreamHandler h = ch.pipeline().get(UpstreamHandler.class);
                long deadline = h == null ? now : h.idleDeadline();
                if (deadline - now <= 0) {
                    it.remove();
                    if (h != null) {
                        h.unbind(false);
                    }
                    ch.close();
                } else if (!waiting || deadline - next < 0) {
                    next = deadline;
                    waiting = true;
                }
            }
            if (q.isEmpty()) {
                qs.remove();
            }
        }
        if (waiting) {
            scheduleSweep(next);
        }
    }

    /**
     * Closes the idle connections to these backend addresses (backends a reload removed); busy ones are not
     * kept when their exchange ends. Call on this pool's loop.
     */
    void closeIdleTo(Set<InetSocketAddress> gone) {
        for (Iterator<Map.Entry<Object, ArrayDeque<Channel>>> it = idle.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Object, ArrayDeque<Channel>> e = it.next();
            Object key = e.getKey();
            InetSocketAddress address = key instanceof Private p ? p.address() : (InetSocketAddress) key;
            if (gone.contains(address)) {
                it.remove();
                for (Channel ch : e.getValue()) {
                    UpstreamHandler h = ch.pipeline().get(UpstreamHandler.class);
                    if (h != null) {
                        h.unbind(false);
                    }
                    ch.close();
                }
            }
        }
    }

    /** Forgets a connection that closed while idle. */
    void remove(Object idleKey, Channel ch) {
        ArrayDeque<Channel> q = idle.get(idleKey);
        if (q != null) {
            q.remove(ch);
            if (q.isEmpty() && idleKey instanceof Private) {
                idle.remove(idleKey); // one client's queue: gone with its last connection
            }
        }
    }

    /**
     * A new connection to the backend on this loop, ready for a request: connected and, for a TLS pool, past
     * its handshake. For an HTTP/2 pool, a new stream on this loop's connection to the backend (made when
     * there is none). When the pool sends PROXY headers, the header names {@code client} and the connection is
     * that client's alone.
     */
    Future<Channel> connect(Backend backend, PoolRuntime pool, Channel client) {
        if (pool.protocol() != UpstreamProtocol.HTTP1) {
            return h2.stream(backend, pool, client);
        }
        InetSocketAddress address = backend.socketAddress();
        UpstreamPool self = this;
        long idleTimeoutNanos = pool.idleTimeoutNanos();
        SslContext tls = pool.upstreamTls();
        Object key = idleKey(address, pool, client);
        ChannelFuture cf = bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis(pool))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        sendProxyHeader(ch.pipeline(), pool, client);
                        if (tls != null) {
                            ch.pipeline().addLast("tls", ClientTls.newHandler(tls, pool.config().tls(), ch.alloc(),
                                    backend.endpoint().address().host(), address.getPort(), handshakeTimeout(pool)));
                        }
                        ch.pipeline().addLast("codec",
                                new Http1ClientCodec(MAX_STATUS_LINE, MAX_RESPONSE_HEADER_SIZE, MAX_CHUNK));
                        ch.pipeline().addLast("upstream", new UpstreamHandler(self, address, key, idleTimeoutNanos));
                    }
                })
                .connect(address);
        slots.opened(address, cf.channel());
        privateTo(cf.channel(), key);
        return ready(cf, address, null);
    }

    /** For a pool that sends PROXY headers: the header naming {@code client}, first on the new connection. */
    static void sendProxyHeader(ChannelPipeline p, PoolRuntime pool, Channel client) {
        ProxyVersion version = pool.config().sendProxyProtocol();
        if (version != ProxyVersion.NONE) {
            p.addFirst("proxy-header", ProxyHeaderSender.forClient(version, ClientAddress.source(client),
                    ClientAddress.destination(client)));
        }
    }

    /**
     * Ties a connection kept under a {@link Private} key to its client connection: it closes when the client
     * connection does (the listener goes when it closes first). Both are on this loop.
     */
    static void privateTo(Channel upstream, Object key) {
        if (key instanceof Private p) {
            GenericFutureListener<Future<Void>> closeUpstream = f -> upstream.close();
            p.client().closeFuture().addListener(closeUpstream);
            upstream.closeFuture().addListener(f -> p.client().closeFuture().removeListener(closeUpstream));
        }
    }

    /**
     * The connection once it can take a request: connected, counted as open, and past its TLS handshake if it
     * has one (with {@code alpn} agreed, when not null). A failed handshake closes it, is logged, and fails
     * the future like a failed connect.
     */
    Future<Channel> ready(ChannelFuture cf, InetSocketAddress address, String alpn) {
        Promise<Channel> ready = loop.newPromise();
        cf.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                ready.tryFailure(f.cause());
                return;
            }
            Channel ch = f.channel();
            counted(ch);
            SslHandler ssl = ch.pipeline().get(SslHandler.class);
            if (ssl == null) {
                ready.trySuccess(ch);
                return;
            }
            ssl.handshakeFuture().addListener(h -> {
                Throwable problem = h.cause();
                if (problem == null && alpn != null && !alpn.equals(ssl.applicationProtocol())) {
                    problem = new SSLHandshakeException("backend did not agree to " + alpn + " in ALPN");
                }
                if (problem == null) {
                    ready.trySuccess(ch);
                } else {
                    UpstreamTlsFailures.log(address, problem);
                    ch.close();
                    ready.tryFailure(problem);
                }
            });
        });
        return ready;
    }

    /** A TLS handshake with a backend is part of connecting: it gets the pool's connect timeout. */
    static Duration handshakeTimeout(PoolRuntime pool) {
        return Duration.ofMillis(pool.connectTimeoutMillis());
    }

    static int connectTimeoutMillis(PoolRuntime pool) {
        return (int) Math.min(Integer.MAX_VALUE, pool.connectTimeoutMillis());
    }

    /** Counts a new connection as open until it closes. */
    void counted(Channel ch) {
        open.incrementAndGet();
        ch.closeFuture().addListener(c -> open.decrementAndGet());
    }

    Bootstrap bootstrap() {
        return bootstrap;
    }

    EventLoop loop() {
        return loop;
    }
}

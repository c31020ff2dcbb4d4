package io.sluice.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.sluice.balance.Backend;
import io.sluice.runtime.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Keep-alive connections to backends for one event loop: idle connections per backend address, reused
 * last-in first-out, and new connections made on this loop. One sweep task closes connections idle past
 * their pool's idle timeout; it is scheduled for the earliest such deadline, so a busy pool schedules
 * nothing per request. Confined to its event loop; not thread-safe.
 */
final class UpstreamPool {
    static final int MAX_IDLE_PER_BACKEND = 256;
    private static final int MAX_RESPONSE_HEADER_SIZE = 64 * 1024;
    private static final int MAX_CHUNK = 64 * 1024;

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Map<InetSocketAddress, ArrayDeque<Channel>> idle = new HashMap<>();
    private boolean sweepScheduled;
    private final AtomicInteger open;

    UpstreamPool(EventLoop loop, AtomicInteger open) {
        this.loop = loop;
        this.open = open;
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

    /** An idle, open connection to this address, or null. */
    Channel poll(InetSocketAddress address) {
        ArrayDeque<Channel> q = idle.get(address);
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
    void offer(InetSocketAddress address, Channel ch) {
        ArrayDeque<Channel> q = idle.computeIfAbsent(address, a -> new ArrayDeque<>());
        if (!ch.isActive() || q.size() >= MAX_IDLE_PER_BACKEND) {
            ch.close();
            return;
        }
        UpstreamHandler h = ch.pipeline().get(UpstreamHandler.class);
        q.addLast(ch);
        // Keep a read pending so that a backend closing the idle connection is noticed at once.
        ch.read();
        if (!sweepScheduled) {
            scheduleSweep(h.idleDeadline());
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

    /** Forgets a connection that closed while idle. */
    void remove(InetSocketAddress address, Channel ch) {
        ArrayDeque<Channel> q = idle.get(address);
        if (q != null) {
            q.remove(ch);
        }
    }

    /** Opens a new connection to the backend on this loop. */
    ChannelFuture connect(Backend backend, int connectTimeoutMillis, long idleTimeoutNanos) {
        InetSocketAddress address = backend.socketAddress();
        UpstreamPool pool = this;
        return bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        HttpDecoderConfig dc = new HttpDecoderConfig()
                                .setMaxHeaderSize(MAX_RESPONSE_HEADER_SIZE)
                                .setMaxChunkSize(MAX_CHUNK);
                        ch.pipeline().addLast("codec", new HttpClientCodec(dc, false, false));
                        ch.pipeline().addLast("upstream", new UpstreamHandler(pool, address, idleTimeoutNanos));
                    }
                })
                .connect(address)
                .addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        open.incrementAndGet();
                        f.channel().closeFuture().addListener(c -> open.decrementAndGet());
                    }
                });
    }

    EventLoop loop() {
        return loop;
    }
}

package io.sluice.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.timeout.IdleStateHandler;
import io.sluice.balance.Backend;
import io.sluice.runtime.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to backends for one event loop: idle connections per backend address, reused
 * last-in first-out, and new connections made on this loop. Confined to its event loop; not thread-safe.
 */
final class UpstreamPool {
    static final int MAX_IDLE_PER_BACKEND = 256;
    private static final int MAX_RESPONSE_HEADER_SIZE = 64 * 1024;
    private static final int MAX_CHUNK = 64 * 1024;

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Map<InetSocketAddress, ArrayDeque<Channel>> idle = new HashMap<>();

    UpstreamPool(EventLoop loop) {
        this.loop = loop;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(Transport.clientChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
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
        q.addLast(ch);
        // Keep a read pending so that a backend closing the idle connection is noticed at once.
        ch.read();
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
                        ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleTimeoutNanos, TimeUnit.NANOSECONDS));
                        ch.pipeline().addLast("upstream", new UpstreamHandler(pool, address));
                    }
                })
                .connect(address);
    }

    EventLoop loop() {
        return loop;
    }
}

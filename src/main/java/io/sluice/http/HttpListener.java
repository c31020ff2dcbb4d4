package io.sluice.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.sluice.config.LimitsConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.runtime.Transport;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One HTTP/1.1 listening socket: accepts clients up to the connection limit and gives each a pipeline of
 * request timer, HTTP codec and {@link FrontendHandler}. Thread-safe.
 */
public final class HttpListener {
    private static final int MAX_CHUNK = 64 * 1024;
    private static final int MAX_PIPELINE_DEPTH = 1024;

    private final ListenerConfig config;
    private final ProxyContext proxy;
    private final AtomicInteger open = new AtomicInteger();
    private Channel serverChannel;

    public HttpListener(ListenerConfig config, ProxyContext proxy) {
        this.config = Objects.requireNonNull(config, "config");
        this.proxy = Objects.requireNonNull(proxy, "proxy");
    }

    /** Binds the socket; blocks until bound. Call off the event loops. */
    public void bind(EventLoopGroup boss, EventLoopGroup workers) throws InterruptedException {
        LimitsConfig limits = proxy.snapshot().config().limits();
        int maxHeader = (int) Math.min(Integer.MAX_VALUE, limits.maxHeaderSize());
        long headerNanos = limits.headerTimeout().toNanos();
        long idleNanos = limits.idleTimeout().toNanos();
        int maxConnections = limits.maxConnections();
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOCATOR, Transport.allocator())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (open.incrementAndGet() > maxConnections) {
                            open.decrementAndGet();
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        HttpDecoderConfig dc = new HttpDecoderConfig()
                                .setMaxInitialLineLength(maxHeader)
                                .setMaxHeaderSize(maxHeader)
                                .setMaxChunkSize(MAX_CHUNK)
                                .setAllowDuplicateContentLengths(true)
                                .setUseRfc9112TransferEncoding(true);
                        RequestTimer timer = new RequestTimer(headerNanos, idleNanos);
                        ch.pipeline().addLast("timer", timer);
                        ch.pipeline().addLast("codec", new HttpServerCodec(dc, MAX_PIPELINE_DEPTH));
                        ch.pipeline().addLast("frontend", new FrontendHandler(proxy, config.name(), timer));
                    }
                });
        serverChannel = b.bind(config.bind().resolve()).sync().channel();
    }

    /** The address actually bound (useful with port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    public ListenerConfig config() {
        return config;
    }

    /** Client connections open now. */
    public int openConnections() {
        return open.get();
    }

    /** Stops accepting; open connections are left to drain. */
    public void stopAccepting() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
    }
}

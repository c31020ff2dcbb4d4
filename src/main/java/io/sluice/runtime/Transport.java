package io.sluice.runtime;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The socket transport: native epoll when Netty's native library loads on this machine, NIO otherwise
 * (or when {@code -Dsluice.transport=nio}). Stateless; thread-safe.
 */
public final class Transport {
    private static final boolean EPOLL = Epoll.isAvailable() && !"nio".equals(System.getProperty("sluice.transport"));

    private Transport() {
    }

    /** "epoll" or "nio". */
    public static String name() {
        return EPOLL ? "epoll" : "nio";
    }

    /** Event-loop threads to use when the configuration says 0: one per available core. */
    public static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** A new event-loop group of {@code threads} daemon threads named {@code name-N}. */
    public static EventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory factory = EPOLL ? EpollZeroOpsGuard.factory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
    }

    /**
     * The buffer allocator for proxy connections: Netty's pooled allocator, whose per-thread caches suit
     * one connection pinned to one event loop and measured faster here than 4.2's adaptive default. Setting
     * {@code -Dio.netty.allocator.type} hands the choice back to Netty.
     */
    public static ByteBufAllocator allocator() {
        return System.getProperty("io.netty.allocator.type") == null
                ? PooledByteBufAllocator.DEFAULT : ByteBufAllocator.DEFAULT;
    }

    public static Class<? extends ServerSocketChannel> serverChannel() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public static Class<? extends SocketChannel> clientChannel() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** The UDP socket class: a listener's socket and each UDP session's socket towards its backend. */
    public static Class<? extends DatagramChannel> datagramChannel() {
        return EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /**
     * A server bootstrap with what every proxy listener uses: this transport, a backlog of 1024, address reuse,
     * and connections that read only when asked (AUTO_READ off), on the proxy's allocator. Nagle is off without
     * asking: Netty's socket configs turn TCP_NODELAY on when a channel is made, and setting it again would be
     * one more system call per connection.
     */
    public static ServerBootstrap proxyServer(EventLoopGroup boss, EventLoopGroup workers) {
        return new ServerBootstrap()
                .group(boss, workers)
                .channel(serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOCATOR, allocator());
    }
}

package io.sluice.runtime;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.channel.uring.PollResultGuard;
import java.util.List;

/**
 * The socket transport, one per process: io_uring when the kernel and Netty's native library allow it, then
 * native epoll, then NIO. Each native transport runs behind a guard for a Netty 4.2.18 defect that stalls a
 * half-closed connection ({@link io.netty.channel.uring.PollResultGuard}, {@link EpollZeroOpsGuard}).
 * {@code -Dsluice.transport} or {@code $SLUICE_TRANSPORT} ({@code io_uring}, {@code
 * epoll}, {@code nio} or {@code auto}; the CLI's {@code --transport} sets the property), or a configuration's
 * {@code transport:} through {@link #use}, forces one; a forced transport that cannot run here is an error, not a
 * silent fall back. The choice is fixed on first use, because every event loop and channel must share it.
 * Thread-safe.
 */
public final class Transport {
    /** A transport Netty offers. */
    public enum Kind {
        IO_URING("io_uring"), EPOLL("epoll"), NIO("nio");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The name the configuration, the CLI and the startup line use. */
        public String label() {
            return label;
        }

        /** Whether this machine can run it. */
        public boolean available() {
            return switch (this) {
                case IO_URING -> IoUring.isAvailable();
                case EPOLL -> Epoll.isAvailable();
                case NIO -> true;
            };
        }

        /** Why this machine cannot run it; null when it can. */
        public Throwable unavailabilityCause() {
            return switch (this) {
                case IO_URING -> IoUring.unavailabilityCause();
                case EPOLL -> Epoll.unavailabilityCause();
                case NIO -> null;
            };
        }
    }

    /** The names {@code transport:} and {@code --transport} accept. */
    public static final List<String> NAMES = List.of("auto", "io_uring", "epoll", "nio");

    private static volatile Kind chosen;

    private Transport() {
    }

    /**
     * The transport named {@code name} ({@code auto} or null: the best this machine runs).
     *
     * @throws IllegalArgumentException for an unknown name or one this machine cannot run (the message says why)
     */
    public static Kind resolve(String name) {
        if (name == null || name.isBlank() || name.equals("auto")) {
            for (Kind k : Kind.values()) {
                if (k.available()) {
                    return k;
                }
            }
            return Kind.NIO;
        }
        String n = name.trim().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
        for (Kind k : Kind.values()) {
            if (k.label.equals(n) || (k == Kind.IO_URING && n.equals("iouring"))) {
                if (!k.available()) {
                    Throwable cause = k.unavailabilityCause();
                    throw new IllegalArgumentException("transport " + k.label + " is not available on this machine"
                            + (cause == null ? "" : ": " + cause.getMessage()));
                }
                return k;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + name + "'; expected one of " + NAMES);
    }

    /** The process's transport, chosen now if nothing chose it yet (from the property, the variable, or auto). */
    public static Kind kind() {
        Kind k = chosen;
        if (k == null) {
            synchronized (Transport.class) {
                k = chosen;
                if (k == null) {
                    String p = System.getProperty("sluice.transport");
                    if (p == null) {
                        p = System.getenv("SLUICE_TRANSPORT");
                    }
                    k = resolve(p);
                    chosen = k;
                }
            }
        }
        return k;
    }

    /**
     * Asks for the transport a configuration names ({@code auto} or null asks for nothing). The first choice in a
     * process wins; asking for another one later is an error, since running event loops cannot change transport.
     *
     * @throws IllegalArgumentException when the name is unknown or cannot run here
     * @throws IllegalStateException    when the process already runs another transport
     */
    public static void use(String name) {
        if (name == null || name.equals("auto")) {
            return;
        }
        Kind wanted = resolve(name);
        synchronized (Transport.class) {
            if (chosen == null) {
                chosen = wanted;
            } else if (chosen != wanted) {
                throw new IllegalStateException("transport " + wanted.label + " asked for, but this process already"
                        + " runs " + chosen.label + " (the transport is fixed at start)");
            }
        }
    }

    /** "io_uring", "epoll" or "nio". */
    public static String name() {
        return kind().label;
    }

    /** Event-loop threads to use when the configuration says 0: one per available core. */
    public static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** A new event-loop group of {@code threads} daemon threads named {@code name-N}. */
    public static EventLoopGroup newGroup(int threads, String name) {
        IoHandlerFactory factory = switch (kind()) {
            case IO_URING -> PollResultGuard.factory();
            case EPOLL -> EpollZeroOpsGuard.factory();
            case NIO -> NioIoHandler.newFactory();
        };
        return new MultiThreadIoEventLoopGroup(threads, LoopThread.factory(name), factory);
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
        return switch (kind()) {
            case IO_URING -> IoUringServerSocketChannel.class;
            case EPOLL -> EpollServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }

    public static Class<? extends SocketChannel> clientChannel() {
        return switch (kind()) {
            case IO_URING -> IoUringSocketChannel.class;
            case EPOLL -> EpollSocketChannel.class;
            case NIO -> NioSocketChannel.class;
        };
    }

    /** The UDP socket class: a listener's socket and each UDP session's socket towards its backend. */
    public static Class<? extends DatagramChannel> datagramChannel() {
        return switch (kind()) {
            case IO_URING -> IoUringDatagramChannel.class;
            case EPOLL -> EpollDatagramChannel.class;
            case NIO -> NioDatagramChannel.class;
        };
    }

    /**
     * The SO_REUSEPORT option of the native transports (several sockets bound to one UDP port, the kernel
     * spreading datagrams over them); null on NIO, which cannot set it.
     */
    public static ChannelOption<Boolean> reusePort() {
        return switch (kind()) {
            case IO_URING -> IoUringChannelOption.SO_REUSEPORT;
            case EPOLL -> EpollChannelOption.SO_REUSEPORT;
            case NIO -> null;
        };
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

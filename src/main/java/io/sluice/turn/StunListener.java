package io.sluice.turn;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.sluice.config.ListenerConfig;
import io.sluice.config.StunConfig;
import io.sluice.runtime.Transport;
import io.sluice.tls.ServerTls;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code stun} listener, a STUN server (RFC 8489 Binding), or a {@code turn} one, which relays as well (RFC
 * 8656), on one port over UDP, TCP or both. Over UDP it binds
 * one socket per event loop with SO_REUSEPORT where the transport has it (the kernel spreads clients over them),
 * else one; over TCP one listening socket whose connections each get a {@link StunStreamHandler}, behind TLS
 * when the listener has certificates (stuns: and turns:, RFC 7443's ALPN names).
 *
 * <p>Thread-safe. {@link #bind} and {@link #stop} block and must be called off the event loops.
 */
public final class StunListener {
    private static final Logger log = LoggerFactory.getLogger(StunListener.class);
    /** The most bytes of a TLS ClientHello read while choosing the certificate by its SNI name. */
    private static final int MAX_CLIENT_HELLO = 16 * 1024;
    /**
     * The receive buffer asked for on a listener's UDP sockets, which every client of the listener shares: a
     * pause of the event loop (JIT, GC, a busy core) at 50,000 datagrams a second fills the kernel's 208 KiB
     * default in milliseconds. The kernel caps it at net.core.rmem_max; memory is used only while queued.
     */
    static final int LISTENER_RECEIVE_BUFFER = 4 * 1024 * 1024;
    /** Reads whole datagrams up to UDP's largest payload, for client and relay sockets alike. */
    static final RecvByteBufAllocator RECEIVE = new FixedRecvByteBufAllocator(65_535);

    private volatile ListenerConfig config;
    private volatile ServerTls tls;
    private volatile String tlsFiles;
    private final StunStats stats = new StunStats();
    private final String software;
    private final TurnService turn;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile List<Channel> channels;

    /**
     * A listener; it binds nothing until {@link #bind}.
     *
     * @param software the SOFTWARE attribute's text
     */
    public StunListener(ListenerConfig config, String software) {
        this.config = Objects.requireNonNull(config, "config");
        if (config.stun() == null) {
            throw new IllegalArgumentException("listener " + config.name() + " is not a stun or turn listener");
        }
        this.software = Objects.requireNonNull(software, "software");
        try {
            this.turn = config.stun().turn() == null ? null : new TurnService(config.name(), config.stun().turn(),
                    config.bind().resolve().getAddress(), System::nanoTime);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("listener " + config.name() + ": " + e.getMessage(), e);
        }
        this.tls = config.tls() == null ? null : ServerTls.build(config); // a TlsException names the file
        this.tlsFiles = config.tls() == null ? "" : ServerTls.fingerprint(config.tls());
    }

    /** A digest of the certificate and key files in use ("" without TLS), to see when they change on disk. */
    public String tlsFiles() {
        return tlsFiles;
    }

    /**
     * Whether {@code next} can be applied in place, keeping the sockets, connections and allocations: the same
     * name, address, protocol and transports, and TLS on or off as before.
     */
    public boolean canUpdate(ListenerConfig next) {
        ListenerConfig c = config;
        return next.stunServer() && c.name().equals(next.name()) && c.bind().equals(next.bind())
                && c.protocol().equals(next.protocol()) && c.stun().udp() == next.stun().udp()
                && c.stun().tcp() == next.stun().tcp() && (c.tls() == null) == (next.tls() == null);
    }

    /**
     * Applies {@code next} (see {@link #canUpdate}): new connections take its idle timeout and {@code nextTls}
     * (null to keep the certificates), and the relay its settings; allocations made stay as they are.
     */
    public void update(ListenerConfig next, ServerTls nextTls) {
        if (!canUpdate(next)) {
            throw new IllegalArgumentException("listener " + next.name() + " cannot take these settings in place");
        }
        if (nextTls != null) {
            tls = nextTls;
            tlsFiles = ServerTls.fingerprint(next.tls());
        }
        if (turn != null) {
            turn.update(next.stun().turn());
        }
        config = next;
    }

    /** The relay's state and statistics; null on a stun listener. */
    public TurnService turn() {
        return turn;
    }

    private TurnProcessor processor(Channel ch, boolean stream) {
        return new TurnProcessor(turn, new StunResponder(software, stats), software, ch, stream);
    }

    /** This listener's configuration. */
    public ListenerConfig config() {
        return config;
    }

    /** What it has answered and dropped. */
    public StunStats stats() {
        return stats;
    }

    /**
     * Binds the UDP socket(s) and the TCP listening socket as configured, on {@code workers}' event loops (TCP
     * accepts on {@code boss}); blocks until bound. On failure nothing stays bound.
     *
     * @throws IllegalStateException when already bound
     */
    public synchronized void bind(EventLoopGroup boss, EventLoopGroup workers) throws InterruptedException {
        if (channels != null) {
            throw new IllegalStateException("listener " + config.name() + " is already bound");
        }
        StunConfig stun = config.stun();
        InetSocketAddress address = config.bind().resolve();
        ListenerConfig config = this.config;
        List<Channel> list = new ArrayList<>();
        try {
            if (stun.tcp()) {
                Channel server = tcp(boss, workers, stun).bind(address).sync().channel();
                list.add(server);
                address = (InetSocketAddress) server.localAddress(); // UDP takes the port TCP was given
            }
            if (stun.udp()) {
                ChannelOption<Boolean> reusePort = Transport.reusePort();
                List<EventExecutor> loops = new ArrayList<>();
                if (reusePort != null) {
                    workers.forEach(loops::add);
                } else {
                    loops.add(workers.next());
                }
                for (EventExecutor loop : loops) {
                    Bootstrap b = new Bootstrap()
                            .group((io.netty.channel.EventLoop) loop)
                            .channel(Transport.datagramChannel())
                            .option(ChannelOption.ALLOCATOR, Transport.allocator())
                            .option(ChannelOption.RCVBUF_ALLOCATOR, RECEIVE)
                            .option(ChannelOption.SO_RCVBUF, LISTENER_RECEIVE_BUFFER)
                            .handler(new StunDatagramHandler(ch -> processor(ch, false)));
                    if (reusePort != null) {
                        b.option(reusePort, true);
                    }
                    Channel ch = b.bind(address).sync().channel();
                    list.add(ch);
                    address = (InetSocketAddress) ch.localAddress();
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            for (Channel ch : list) {
                ch.close().syncUninterruptibly();
            }
            throw e;
        }
        channels = List.copyOf(list);
        log.debug("stun listener {} on {}: {} socket(s)", config.name(), address, list.size());
    }

    private ServerBootstrap tcp(EventLoopGroup boss, EventLoopGroup workers, StunConfig stun) {
        return new ServerBootstrap()
                .group(boss, workers)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.ALLOCATOR, Transport.allocator())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        long idle = config.stun().idleTimeout().toMillis();
                        ServerTls t = tls;
                        if (t != null) {
                            // the handshake must finish within the idle timeout too
                            ch.pipeline().addLast(new SniHandler(t.sniMapping(), MAX_CLIENT_HELLO, idle));
                        }
                        ch.pipeline().addLast(new IdleStateHandler(idle, 0, 0, TimeUnit.MILLISECONDS),
                                new StunStreamHandler(c -> processor(c, true)));
                    }
                });
    }

    /** Closes every socket of the listener, its TCP connections and its relay sockets; blocks until they are closed. */
    public void stop() {
        List<Channel> list = channels;
        if (list == null) {
            return;
        }
        for (Channel ch : list) {
            ch.close().syncUninterruptibly();
        }
        connections.close().syncUninterruptibly();
        if (turn != null) {
            turn.endAll();
            turn.awaitRelaysClosed(5000);
        }
    }

    /** Open TCP connections. */
    public int openConnections() {
        return connections.size();
    }

    /** The address the listener is bound to (useful with port 0); null before {@link #bind}. */
    public InetSocketAddress localAddress() {
        List<Channel> list = channels;
        return list == null ? null : (InetSocketAddress) list.get(0).localAddress();
    }
}

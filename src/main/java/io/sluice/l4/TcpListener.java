package io.sluice.l4;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.sluice.config.ListenerConfig;
import io.sluice.http.HttpListener;
import io.sluice.http.ProxyContext;
import io.sluice.runtime.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A {@code tcp} listener: accepts connections up to {@code max_connections}, reads a PROXY header first when
 * the listener takes them, and hands each connection to a {@link TcpFront} that routes it by its first bytes.
 * Each connection is closed after {@code idle_timeout} with no byte moving either way. Thread-safe.
 */
public final class TcpListener {
    private final ListenerConfig config;
    private final ProxyContext proxy;
    private final Function<String, HttpListener> httpListeners;
    private final L4Events events;
    private final AtomicInteger open = new AtomicInteger();
    private final java.util.concurrent.atomic.LongAdder refused;
    private Channel serverChannel;
    /** One idle sweeper per event loop that has connections of this listener. */
    private final java.util.concurrent.ConcurrentHashMap<io.netty.channel.EventLoop, IdleSweeper> sweepers =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param httpListeners finds the HTTP/HTTPS listener a {@code listener:} route names (null when unknown)
     * @param events        where connections are reported, for metrics and access logs
     */
    public TcpListener(ListenerConfig config, ProxyContext proxy, Function<String, HttpListener> httpListeners,
                       L4Events events) {
        this.config = Objects.requireNonNull(config, "config");
        if (!config.layer4() || config.udp()) {
            throw new IllegalArgumentException("not a tcp listener: " + config.name());
        }
        this.proxy = Objects.requireNonNull(proxy, "proxy");
        this.httpListeners = Objects.requireNonNull(httpListeners, "httpListeners");
        this.events = Objects.requireNonNull(events, "events");
        this.refused = proxy.telemetry().listener(config.name()).proxyRefused();
    }

    /** Binds the socket; blocks until bound. Call off the event loops. */
    public void bind(EventLoopGroup boss, EventLoopGroup workers) throws InterruptedException {
        int max = config.l4().maxConnections();
        ServerBootstrap b = Transport.proxyServer(boss, workers)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (open.incrementAndGet() > max) {
                            open.decrementAndGet();
                            events.routed(config.name(), "rejected");
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        proxy.register(ch);
                        if (proxy.draining()) {
                            ch.close();
                            return;
                        }
                        ChannelPipeline p = ch.pipeline();
                        if (config.proxyProtocol().enabled()) {
                            p.addLast("proxy-protocol", new ProxyProtocolReader(config.proxyProtocol(),
                                    proxy.snapshot().config().limits().headerTimeout(), refused));
                        }
                        L4Router router = proxy.snapshot().l4Router(config.name());
                        TcpSession session = new TcpSession(config.name(), ClientAddress.source(ch), System.nanoTime(),
                                events);
                        p.addLast("l4", new TcpFront(TcpListener.this, router, session));
                    }
                });
        serverChannel = b.bind(config.bind().resolve()).sync().channel();
    }

    public ListenerConfig config() {
        return config;
    }

    String name() {
        return config.name();
    }

    ProxyContext proxy() {
        return proxy;
    }

    L4Events events() {
        return events;
    }

    HttpListener httpListener(String name) {
        return httpListeners.apply(name);
    }

    /** The idle sweeper of this listener's connections on {@code loop}; call on that loop. */
    IdleSweeper sweeper(io.netty.channel.EventLoop loop) {
        IdleSweeper s = sweepers.get(loop);
        if (s == null) {
            s = new IdleSweeper(loop, config.l4().idleTimeout().toNanos());
            sweepers.put(loop, s);
        }
        return s;
    }

    /** The address actually bound (useful with port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Client connections open now. */
    public int openConnections() {
        return open.get();
    }

    /** Stops accepting; open connections are left to drain. */
    /**
     * A reload removed or replaced this listener: stops accepting; its open connections go on for up to
     * {@code timeout} and are closed then. Returns at once.
     */
    public void retire(Duration timeout) {
        Channel server = serverChannel;
        if (server == null) {
            return;
        }
        server.close().syncUninterruptibly();
        List<Channel> mine = proxy.clients().stream().filter(ch -> ch.parent() == server).toList();
        server.eventLoop().schedule(() -> {
            mine.forEach(Channel::close);
            sweepers.values().forEach(IdleSweeper::stop);
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void stopAccepting() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        sweepers.values().forEach(IdleSweeper::stop);
    }
}

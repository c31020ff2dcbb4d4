package io.sluice.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SniHandler;
import io.sluice.config.LimitsConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.l4.ProxyProtocolReader;
import io.sluice.observe.ListenerStats;
import io.sluice.runtime.Transport;
import io.sluice.tls.ServerTls;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listening socket: accepts clients up to the connection limit and sets up each connection's protocol.
 * A clear-text connection speaks HTTP/1.1, or HTTP/2 when its first bytes are the HTTP/2 preface (prior
 * knowledge); a TLS connection picks its certificate by SNI and its protocol by ALPN. Either way every
 * request reaches a {@link FrontendHandler} (one per HTTP/2 stream). With {@code proxy_protocol} set, a
 * {@link ProxyProtocolReader} comes first and reads the PROXY header of a trusted proxy before any of that.
 * Thread-safe.
 */
public final class HttpListener {
    private static final int MAX_CHUNK = 64 * 1024;
    private static final Logger log = LoggerFactory.getLogger(HttpListener.class);
    /** At most one warning about refused connections every 10 s (all listeners): the rest are counted in it. */
    private static final LogThrottle REFUSED_WARNING = new LogThrottle(10_000_000_000L);
    private static final AtomicLong refusedSinceWarned = new AtomicLong();
    private static final int MAX_PIPELINE_DEPTH = 1024;
    /** The largest ClientHello accepted, as Netty's SNI handler counts it. */
    private static final int MAX_CLIENT_HELLO = 16 * 1024;

    /** Read when a connection is set up: a reload may change it ({@link #update}); open connections keep theirs. */
    private volatile ListenerConfig config;
    private final ProxyContext proxy;
    private final AtomicInteger open = new AtomicInteger();
    private final ListenerStats stats;
    /** max_connections_per_ip, or null without one. */
    private volatile PerIpLimit perIp;
    private volatile ServerTls tls;
    /** What the certificate and key files held when {@link #tls} was built; a reload compares. */
    private volatile String tlsFiles;
    private Channel serverChannel;
    private RedirectListener redirect;

    public HttpListener(ListenerConfig config, ProxyContext proxy) {
        this.config = Objects.requireNonNull(config, "config");
        this.proxy = Objects.requireNonNull(proxy, "proxy");
        this.stats = proxy.telemetry().listener(config.name()); // once, not per connection or stream
        this.perIp = perIpLimit(config, null);
    }

    private PerIpLimit perIpLimit(ListenerConfig c, PerIpLimit old) {
        int max = c.policy().maxConnectionsPerIp();
        if (max <= 0) {
            return null;
        }
        return old != null && old.max() == max ? old : new PerIpLimit(max, stats.perIpRefused());
    }

    /**
     * True when {@code next} can replace this listener's settings in place: same name, address, protocol and
     * redirect listener. Otherwise a reload binds a new listener and lets this one drain.
     */
    public boolean canUpdate(ListenerConfig next) {
        ListenerConfig c = config;
        return c.name().equals(next.name()) && c.bind().equals(next.bind()) && c.protocol().equals(next.protocol())
                && Objects.equals(c.redirectHttpFrom(), next.redirectHttpFrom())
                && c.proxyProtocol().equals(next.proxyProtocol());
    }

    /** Certificates built for a reload, with the digest of the files they were read from. */
    public record Certificates(ServerTls tls, String files) {
    }

    /**
     * The certificates {@code next} needs, built now (off the event loops) when its TLS settings or the files
     * changed since this listener's were built; null when the current ones stay.
     *
     * @throws io.sluice.tls.TlsException when a certificate or key cannot be used; nothing changed then
     */
    public Certificates prepareTls(ListenerConfig next) {
        if (!next.secure()) {
            return null;
        }
        String files = ServerTls.fingerprint(next.tls());
        if (next.tls().equals(config.tls()) && next.http2().equals(config.http2()) && files.equals(tlsFiles)) {
            return null;
        }
        return new Certificates(ServerTls.build(next), files);
    }

    /**
     * Takes new settings (see {@link #canUpdate}) for the connections accepted from now on, with the
     * certificates {@link #prepareTls} built, if any (null keeps the current ones). Open connections go on as
     * they were.
     */
    public void update(ListenerConfig next, Certificates certificates) {
        if (certificates != null) {
            tls = certificates.tls();
            tlsFiles = certificates.files();
        }
        perIp = perIpLimit(next, perIp);
        config = next;
    }

    /** Binds the socket (and its HTTP redirect listener, if any); blocks until bound. Call off the event loops. */
    public void bind(EventLoopGroup boss, EventLoopGroup workers) throws InterruptedException {
        if (config.secure()) {
            tlsFiles = ServerTls.fingerprint(config.tls());
            tls = ServerTls.build(config); // a TlsException names the file and the problem
        }
        LimitsConfig startLimits = proxy.snapshot().config().limits();
        ServerBootstrap b = Transport.proxyServer(boss, workers)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        LimitsConfig limits = proxy.snapshot().config().limits(); // a reload may change them
                        if (open.incrementAndGet() > limits.maxConnections()) {
                            open.decrementAndGet();
                            refused(limits.maxConnections());
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        proxy.register(ch);
                        if (proxy.draining()) {
                            ch.close();
                            return;
                        }
                        if (tls == null) {
                            // A client that sends its requests and shuts its side still gets the answers.
                            ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
                        }
                        ListenerConfig c = config;
                        if (c.proxyProtocol().enabled()) {
                            // First of all, before TLS: the proxy's header precedes the client's bytes.
                            ch.pipeline().addLast("proxy-protocol", new ProxyProtocolReader(c.proxyProtocol(),
                                    limits.headerTimeout(), stats.proxyRefused()));
                        }
                        PerIpLimit limit = perIp;
                        if (limit != null) {
                            // after the PROXY header, which may name another client than the socket's peer
                            ch.pipeline().addLast("per-ip", limit);
                        }
                        initConnection(ch.pipeline(), limits);
                    }
                });
        serverChannel = b.bind(config.bind().resolve()).sync().channel();
        if (config.redirectHttpFrom() != null) {
            redirect = new RedirectListener(config.redirectHttpFrom(), localAddress().getPort(), startLimits);
            try {
                redirect.bind(boss, workers);
            } catch (RuntimeException | InterruptedException e) {
                serverChannel.close().syncUninterruptibly();
                throw e;
            }
        }
    }

    /**
     * Takes over a connection that an L4 listener accepted and routed here ({@code listener:} routes): sets it up
     * exactly as if this listener had accepted it, with no second socket. The caller has removed its own handlers
     * and then fires the bytes it read while detecting ({@code pipeline.fireChannelRead(bytes)} and
     * {@code fireChannelReadComplete()}), which this listener's first handler reads as the connection's start.
     * No PROXY header is read here: the L4 listener read it already if its settings asked for one, and the
     * client's address is on the channel ({@link io.sluice.l4.ClientAddress}). Call on the channel's event loop.
     *
     * @return false when the connection was closed instead (this listener is full, stopping or draining, or its
     *         client has {@code max_connections_per_ip} open here already)
     */
    public boolean adopt(Channel ch) {
        if (serverChannel == null || !serverChannel.isOpen() || proxy.draining()) {
            ch.close();
            return false;
        }
        LimitsConfig limits = proxy.snapshot().config().limits();
        if (open.incrementAndGet() > limits.maxConnections()) {
            open.decrementAndGet();
            refused(limits.maxConnections());
            ch.close();
            return false;
        }
        ch.closeFuture().addListener(f -> open.decrementAndGet());
        PerIpLimit limit = perIp;
        if (limit != null && !limit.admit(ch)) { // active already: its client address is known
            return false;
        }
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, tls == null);
        initConnection(ch.pipeline(), limits);
        return true;
    }

    private void initConnection(ChannelPipeline p, LimitsConfig limits) {
        ServerTls t = tls;
        if (t != null) {
            long handshakeMillis = Math.max(1, limits.headerTimeout().toMillis());
            p.addLast("tls-sniff", new TlsSniffer());
            p.addLast("sni", new SniHandler(t.sniMapping(), MAX_CLIENT_HELLO, handshakeMillis));
            p.addLast("alpn", new AlpnSwitch(this));
        } else if (config.http2().enabled()) {
            p.addLast("timer", newTimer(limits));
            p.addLast("detect", new PriorKnowledgeDetector(this));
        } else {
            http1(p, newTimer(limits));
        }
    }

    private static RequestTimer newTimer(LimitsConfig limits) {
        return new RequestTimer(limits.headerTimeout().toNanos(), limits.idleTimeout().toNanos());
    }

    /** Makes the connection an HTTP/1.1 one: codec and front handler after what is already there. */
    void http1(ChannelPipeline p) {
        RequestTimer timer = p.get(RequestTimer.class);
        http1(p, timer != null ? timer : newTimer(proxy.snapshot().config().limits()));
    }

    private void http1(ChannelPipeline p, RequestTimer timer) {
        if (p.get(RequestTimer.class) == null) {
            p.addLast("timer", timer);
        }
        p.addLast("codec", newCodec(proxy.snapshot().config().limits().maxHeaderSize()));
        p.addLast("frontend", new FrontendHandler(proxy, config.name(), stats, timer, false, tls != null));
    }

    /**
     * The HTTP/1.1 server codec of a client connection ({@link Http1ServerCodec}: RFC 9112's request line, header
     * and framing rules, headers kept as bytes), the request line and the header lines each held to
     * {@code maxHeaderSize}. What it lets through, {@link RequestRules} checks next.
     */
    static Http1ServerCodec newCodec(long maxHeaderSize) {
        int maxHeader = (int) Math.min(Integer.MAX_VALUE, maxHeaderSize);
        return new Http1ServerCodec(maxHeader, maxHeader, MAX_CHUNK, MAX_PIPELINE_DEPTH);
    }

    /** Makes the connection an HTTP/2 one: frame codec, stream multiplexer, one front handler per stream. */
    void h2(ChannelPipeline p) {
        if (p.get(RequestTimer.class) != null) {
            p.remove(RequestTimer.class);
        }
        H2Front.install(p, proxy, config.name(), stats, config.http2().maxConcurrentStreams(), tls != null);
        p.addLast("input-shutdown", CloseOnInputShutdown.INSTANCE); // HTTP/2 has GOAWAY, not half-closure
    }

    /** The address actually bound (useful with port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The address of the HTTP listener that redirects to this one, or null. */
    public InetSocketAddress redirectAddress() {
        return redirect == null ? null : redirect.localAddress();
    }

    public ListenerConfig config() {
        return config;
    }

    /**
     * A connection was closed at accept because the listener had {@code limits.max_connections} open: an operator
     * must see that (clients get a closed connection), so WARN, at most once every 10 s with the count since.
     */
    private void refused(int max) {
        long count = refusedSinceWarned.incrementAndGet();
        if (REFUSED_WARNING.allow()) {
            refusedSinceWarned.addAndGet(-count);
            log.warn("listener {}: limits.max_connections ({}) reached; closed {} new connection(s) at accept",
                    config.name(), max, count);
        }
    }

    /** Client connections open now. */
    public int openConnections() {
        return open.get();
    }

    /**
     * A reload removed or replaced this listener: stops accepting, asks each of its connections to close after
     * its current request (an HTTP/2 one sends GOAWAY and lets its streams finish) and closes what is still
     * open after {@code timeout}. Returns at once.
     */
    public void retire(Duration timeout) {
        Channel server = serverChannel;
        stopAccepting();
        if (server == null) {
            return;
        }
        List<Channel> mine = proxy.clients().stream().filter(ch -> ch.parent() == server).toList();
        for (Channel ch : mine) {
            ch.eventLoop().execute(() -> {
                FrontendHandler fe = ch.pipeline().get(FrontendHandler.class);
                if (fe != null) {
                    fe.drain();
                } else {
                    ch.close(); // HTTP/2: a graceful close, GOAWAY first
                }
            });
        }
        if (!mine.isEmpty()) {
            server.eventLoop().schedule(() -> mine.forEach(Channel::close), timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Stops accepting; open connections are left to drain. */
    public void stopAccepting() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        if (redirect != null) {
            redirect.stop();
        }
    }
}

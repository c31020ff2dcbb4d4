package io.sluice.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.sluice.runtime.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 test backend, used by {@code sluice demo}, {@code sluice backend} and by tests that
 * need something real behind the proxy. It speaks HTTP/1.1 with keep-alive (and HTTP/1.0) and streams
 * every body, so it can source and sink bodies of any size. Endpoints:
 * <ul>
 *   <li>{@code /} and any unmatched path: 200 JSON {@code {"server","method","path","headers"}}, header
 *       names lower-cased, repeated headers joined with {@code ", "}; {@code path} is the request target
 *       as received, query included.</li>
 *   <li>{@code /health}: 200 {@code {"status":"ok"}}.</li>
 *   <li>{@code /status/{code}}: that status (200-599; anything else, 1xx included, gives 400), short text body.</li>
 *   <li>{@code /delay/{ms}}: the {@code /} JSON plus {@code "delayMs"}, sent after that many milliseconds
 *       (capped at 600000), timed on the event loop.</li>
 *   <li>{@code /echo}: the request body streamed back with the same Content-Type; Content-Length when the
 *       request had one, chunked otherwise.</li>
 *   <li>{@code /sha256}: 200 {@code {"bytes":N,"sha256":"<lower-case hex>"}} of the request body.</li>
 *   <li>{@code /bytes/{n}} ({@code n <= 2^40}): n bytes with Content-Length, or chunked with
 *       {@code ?chunked=1}; byte {@code i} is {@link #patternByte(long) (byte) (i % 251)}.</li>
 *   <li>{@code /drop}: closes the connection without answering, once the request has been read.</li>
 *   <li>{@code /close}: 200 with {@code Connection: close}, then closes.</li>
 *   <li>{@code /headers}: 200 JSON of the request headers as received: names in their case, lists of values.</li>
 * </ul>
 * Every response carries {@code X-Served-By: <name>}. A request with {@code X-Close-After: 1} is answered
 * normally, without {@code Connection: close}, and then the connection is closed (a backend dropping an
 * idle keep-alive connection). Nothing is logged per request.
 *
 * <p>Thread-safe: all methods may be called from any thread. {@link #close()} blocks until the sockets are
 * closed, except when called on one of the backend's own event-loop threads, where it only starts closing.
 */
public final class DemoBackend implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DemoBackend.class);

    private final String name;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final ChannelGroup children = new DefaultChannelGroup("demo-children", GlobalEventExecutor.INSTANCE);
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Channel serverChannel;
    private volatile int port;
    private volatile long delayMs;

    private DemoBackend(EventLoopGroup group, boolean ownsGroup, String name) {
        this.group = group;
        this.ownsGroup = ownsGroup;
        this.name = name;
    }

    /**
     * Starts a backend on its own one-thread event-loop group, shut down again by {@link #close()}.
     *
     * @param host address to bind, e.g. {@code 127.0.0.1}
     * @param port port to bind; 0 picks a free one (see {@link #port()})
     * @param name reported in {@code X-Served-By} and in the JSON bodies
     * @throws UncheckedIOException if the address cannot be bound (in use, not local, ...)
     */
    public static DemoBackend start(String host, int port, String name) throws InterruptedException {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(name, "name");
        EventLoopGroup group = Transport.newGroup(1, "demo-" + name);
        try {
            return new DemoBackend(group, true, name).bind(host, port);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /**
     * Starts a backend on a caller-owned event-loop group (which must match {@link Transport}'s channel
     * classes); {@link #close()} leaves the group running.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public static DemoBackend start(EventLoopGroup group, String host, int port, String name)
            throws InterruptedException {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(name, "name");
        return new DemoBackend(group, false, name).bind(host, port);
    }

    /**
     * Byte {@code index} of every {@code /bytes} body: {@code (byte) (index % 251)}. Handy for checking
     * a body, or computing its expected digest, without keeping a copy.
     */
    public static byte patternByte(long index) {
        return (byte) (index % PatternInput.PERIOD);
    }

    private DemoBackend bind(String host, int port) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        initChild(ch);
                    }
                });
        ChannelFuture f = b.bind(host, port).await();
        if (!f.isSuccess()) {
            Throwable cause = f.cause();
            String where = "demo backend '" + name + "' cannot listen on " + host + ":" + port + ": " + cause.getMessage();
            if (cause instanceof IOException io) {
                throw new UncheckedIOException(where, io);
            }
            throw new IllegalStateException(where, cause);
        }
        serverChannel = f.channel();
        this.port = ((InetSocketAddress) f.channel().localAddress()).getPort();
        log.info("demo backend '{}' listening on {}:{} ({})", name, host, this.port, Transport.name());
        return this;
    }

    private void initChild(Channel ch) {
        accepted.incrementAndGet();
        children.add(ch);
        if (closed.get()) { // accepted while close() ran: it may have missed this channel
            ch.close();
            return;
        }
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(16 * 1024)
                .setMaxHeaderSize(64 * 1024)
                .setMaxChunkSize(64 * 1024);
        ch.pipeline()
                .addLast("http", new HttpServerCodec(decoder))
                .addLast("chunked", new ChunkedWriteHandler())
                .addLast("demo", new DemoHandler(name, () -> delayMs));
    }

    /** The port actually bound (the chosen one when started with port 0). */
    /**
     * Makes every plain answer ({@code /}, {@code /health}, {@code /status}, {@code /headers}) wait this
     * long first: a backend with a given latency, for trying latency-aware balancing. Takes effect for
     * the next request; zero for none.
     */
    public DemoBackend delay(Duration delay) {
        this.delayMs = Math.max(0L, delay.toMillis());
        return this;
    }

    public int port() {
        return port;
    }

    /** The name given at start. */
    public String name() {
        return name;
    }

    /** TCP connections accepted so far, open or closed. */
    public long acceptedConnections() {
        return accepted.get();
    }

    /**
     * Stops listening, closes every open connection (responses in flight are cut off) and, if this backend
     * created its event-loop group, shuts that down. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean wait = !onOwnEventLoop();
        ChannelFuture serverClosed = serverChannel.close();
        if (wait) {
            serverClosed.awaitUninterruptibly();
        }
        if (wait) {
            children.close().awaitUninterruptibly();
        } else {
            children.close();
        }
        if (ownsGroup) {
            var done = group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            if (wait) {
                done.awaitUninterruptibly();
            }
        }
    }

    private boolean onOwnEventLoop() {
        for (EventExecutor e : group) {
            if (e.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "DemoBackend[" + name + " on port " + port + "]";
    }
}

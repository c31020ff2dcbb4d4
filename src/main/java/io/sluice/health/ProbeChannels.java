package io.sluice.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.balance.Backend;
import io.sluice.config.HealthCheckConfig;
import io.sluice.runtime.Transport;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What the built-in probes share: opening the probe connection with the check's timeout enforced twice (a
 * connect timeout, and a deadline over the whole probe that fails the promise), closing the connection
 * once the promise is complete whoever completed it, and turning exceptions into short reasons.
 * Stateless; thread-safe.
 */
final class ProbeChannels {
    private static final int MAX_REASON = 120;

    private ProbeChannels() {
    }

    /**
     * Connects to the backend on {@code loop}. A failed connect, an exception in the pipeline, the peer
     * closing early or the deadline fail {@code result}; completing {@code result} closes the channel.
     *
     * @param autoRead whether the channel reads by itself (a probe that reads nothing says false)
     * @param pipeline adds the probe's own handlers; a last handler that releases whatever reaches it and
     *                 fails the probe on exceptions follows them
     * @return the connect future, or null when the address could not even be tried (result is failed then)
     */
    static ChannelFuture connect(Backend backend, HealthCheckConfig check, EventLoop loop,
                                 Promise<Probe.Result> result, boolean autoRead, Consumer<ChannelPipeline> pipeline) {
        InetSocketAddress address = backend.socketAddress();
        if (address.isUnresolved()) {
            // Connecting would resolve the name on the event loop, which may block; the backend's address is
            // resolved again on the next reload.
            result.trySuccess(Probe.Result.fail("unknown host " + address.getHostString()));
            return null;
        }
        Duration timeout = check.timeout();
        ScheduledFuture<?> deadline = loop.schedule(
                () -> result.trySuccess(Probe.Result.fail("timed out after " + describe(timeout))),
                timeout.toNanos(), TimeUnit.NANOSECONDS);
        ChannelFuture connect = new Bootstrap()
                .group(loop)
                .channel(Transport.clientChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())))
                .option(ChannelOption.AUTO_READ, autoRead)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, Transport.allocator())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        pipeline.accept(ch.pipeline());
                        ch.pipeline().addLast("probe-tail", new Tail(result, timeout));
                    }
                })
                .connect(address);
        result.addListener(f -> {
            deadline.cancel(false);
            connect.channel().close();
        });
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.trySuccess(Probe.Result.fail(reason(f.cause(), timeout)));
            }
        });
        return connect;
    }

    /** A short reason for a failed probe, fit for a log line. */
    static String reason(Throwable cause, Duration timeout) {
        if (cause instanceof ConnectTimeoutException) {
            return "connect timed out after " + describe(timeout);
        }
        String message = cause.getMessage() == null ? "" : cause.getMessage();
        String lower = message.toLowerCase(Locale.ROOT);
        if (cause instanceof ConnectException && lower.contains("refused")) {
            return "connection refused";
        }
        if (lower.contains("no route to host")) {
            return "no route to host";
        }
        if (cause instanceof IOException && lower.contains("reset")) {
            return "connection reset";
        }
        if (cause instanceof ClosedChannelException) {
            return "connection closed";
        }
        if (cause instanceof ConnectException) {
            return shorten("cannot connect: " + message);
        }
        if (cause instanceof DecoderException) {
            Throwable inner = cause.getCause() != null ? cause.getCause() : cause;
            return shorten("bad response: " + (inner.getMessage() == null ? inner.getClass().getSimpleName()
                    : inner.getMessage()));
        }
        return shorten(message.isEmpty() ? cause.getClass().getSimpleName()
                : cause.getClass().getSimpleName() + ": " + message);
    }

    /** "2s", "500ms", "1500ms": how a timeout reads in a reason. */
    static String describe(Duration d) {
        long millis = d.toMillis();
        if (millis > 0 && millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis > 0 ? millis + "ms" : d.toNanos() / 1000 + "us";
    }

    private static String shorten(String s) {
        return s.length() <= MAX_REASON ? s : s.substring(0, MAX_REASON - 3) + "...";
    }

    /** The last handler of a probe's pipeline. Confined to its channel's event loop. */
    private static final class Tail extends ChannelInboundHandlerAdapter {
        private final Promise<Probe.Result> result;
        private final Duration timeout;

        Tail(Promise<Probe.Result> result, Duration timeout) {
            this.result = result;
            this.timeout = timeout;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.trySuccess(Probe.Result.fail("connection closed before the probe finished"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.trySuccess(Probe.Result.fail(reason(cause, timeout)));
            ctx.close();
        }
    }
}

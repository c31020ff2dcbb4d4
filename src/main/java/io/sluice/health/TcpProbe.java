package io.sluice.health;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import io.sluice.balance.Backend;
import io.sluice.config.HealthCheckConfig;
import io.sluice.config.ProxyVersion;
import io.sluice.l4.ProxyHeaders;
import java.util.Objects;

/**
 * The TCP health check: passes when a connection to the backend opens within the timeout, and closes it at
 * once without reading anything. It sends nothing either, except for a pool that sends PROXY headers: then it
 * sends the LOCAL header (v1: {@code PROXY UNKNOWN}) first, as HAProxy's {@code check-send-proxy} does, and
 * passes once that is written. Immutable; thread-safe.
 */
public final class TcpProbe implements Probe {
    private final ProxyVersion proxyHeader;

    /** A probe that sends nothing. */
    public TcpProbe() {
        this(ProxyVersion.NONE);
    }

    /** A probe that sends a LOCAL PROXY header of this version ({@link ProxyVersion#NONE}: nothing). */
    public TcpProbe(ProxyVersion proxyHeader) {
        this.proxyHeader = Objects.requireNonNull(proxyHeader, "proxyHeader");
    }

    @Override
    public void run(Backend backend, HealthCheckConfig check, EventLoop loop, Promise<Result> result) {
        ChannelFuture connect = ProbeChannels.connect(backend, check, loop, result, false, p -> {
        });
        if (connect != null) {
            connect.addListener(f -> {
                if (!f.isSuccess()) {
                    return;
                }
                if (proxyHeader == ProxyVersion.NONE) {
                    result.trySuccess(Result.pass());
                    return;
                }
                Channel ch = connect.channel();
                ch.writeAndFlush(ProxyHeaders.encodeLocal(ch.alloc(), proxyHeader)).addListener(w -> result.trySuccess(
                        w.isSuccess() ? Result.pass() : Result.fail(ProbeChannels.reason(w.cause(), check.timeout()))));
            });
        }
    }
}

package io.sluice.health;

import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Promise;
import io.sluice.balance.Backend;
import io.sluice.config.HealthCheckConfig;

/**
 * The TCP health check: passes when a connection to the backend opens within the timeout, and closes it at
 * once without sending or reading anything. Stateless; thread-safe.
 */
public final class TcpProbe implements Probe {

    @Override
    public void run(Backend backend, HealthCheckConfig check, EventLoop loop, Promise<Result> result) {
        ChannelFuture connect = ProbeChannels.connect(backend, check, loop, result, false, p -> {
        });
        if (connect != null) {
            connect.addListener(f -> {
                if (f.isSuccess()) {
                    result.trySuccess(Result.pass());
                }
            });
        }
    }
}

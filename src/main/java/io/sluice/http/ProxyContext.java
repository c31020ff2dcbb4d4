package io.sluice.http;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.sluice.observe.Telemetry;
import io.sluice.runtime.OutcomeListener;
import io.sluice.runtime.RuntimeSnapshot;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * What every connection of one running proxy shares: the current snapshot, the upstream connection pools,
 * the outcome listener, the set of open client connections and whether the proxy is draining.
 * Thread-safe.
 */
public final class ProxyContext {
    private final AtomicReference<RuntimeSnapshot> snapshot;
    private final OutcomeListener outcomes;
    private final UpstreamPools upstreams = new UpstreamPools();
    private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private final LongSupplier clock;
    private final Telemetry telemetry;
    private volatile boolean draining;

    public ProxyContext(AtomicReference<RuntimeSnapshot> snapshot, OutcomeListener outcomes) {
        this(snapshot, outcomes, System::nanoTime);
    }

    /**
     * @param clock the time the data path judges breakers, budgets and latencies by, in
     *              {@link System#nanoTime()} terms (a fake one in tests); timeouts run on real time
     */
    public ProxyContext(AtomicReference<RuntimeSnapshot> snapshot, OutcomeListener outcomes, LongSupplier clock) {
        this(snapshot, outcomes, clock, new Telemetry(snapshot.get().config()));
    }

    /** @param telemetry where requests are counted, logged and traced */
    public ProxyContext(AtomicReference<RuntimeSnapshot> snapshot, OutcomeListener outcomes, LongSupplier clock,
                        Telemetry telemetry) {
        this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
        this.outcomes = Objects.requireNonNull(outcomes, "outcomes");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
    }

    /** Where requests are counted, logged and traced. */
    public Telemetry telemetry() {
        return telemetry;
    }

    /** The data path's clock now. */
    public long nanoTime() {
        return clock.getAsLong();
    }

    /** The snapshot in force now. */
    public RuntimeSnapshot snapshot() {
        return snapshot.get();
    }

    public OutcomeListener outcomes() {
        return outcomes;
    }

    UpstreamPools upstreams() {
        return upstreams;
    }

    /**
     * After a reload removed these backends (their addresses): closes their idle pooled connections; busy ones
     * close when their exchange ends (their state says retired).
     */
    public void retireBackends(java.util.Set<java.net.InetSocketAddress> gone) {
        upstreams.closeIdleTo(gone);
    }

    /** Upstream connections open now, busy or idle in the pools. */
    public int upstreamConnections() {
        return upstreams.openConnections();
    }

    /** Requests waiting for an upstream connection under a pool's {@code connection_limit}. */
    public int upstreamQueued() {
        return upstreams.queuedRequests();
    }

    /** Open client connections across all listeners. */
    public ChannelGroup clients() {
        return clients;
    }

    public void register(Channel client) {
        clients.add(client);
    }

    /** True once shutdown began: responses close their connections and idle connections are closed. */
    public boolean draining() {
        return draining;
    }

    /**
     * Starts draining: every idle client connection closes now, every busy one after its current response.
     */
    public void startDraining() {
        draining = true;
        for (Channel ch : clients) {
            ch.eventLoop().execute(() -> {
                FrontendHandler fe = ch.pipeline().get(FrontendHandler.class);
                if (fe != null) {
                    fe.drain();
                } else {
                    ch.close();
                }
            });
        }
    }
}

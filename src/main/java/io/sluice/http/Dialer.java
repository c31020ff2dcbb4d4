package io.sluice.http;

import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Future;
import io.sluice.balance.Backend;
import io.sluice.config.UpstreamProtocol;
import io.sluice.runtime.FailureKind;
import io.sluice.runtime.PoolRuntime;

/**
 * How an {@link Exchange}'s attempt gets a new backend connection when no idle one is there: opened at once when
 * the pool allows, or after waiting in line under the pool's connection limit ({@link ConnectionSlots}). Made only
 * for exchanges that need it, so a request served on a kept-alive connection allocates nothing here. A connection
 * that arrives after its attempt was given up (the exchange ended, or a newer attempt started) is closed. One per
 * exchange; confined to the client connection's event loop.
 */
final class Dialer implements ConnectionSlots.Waiter {
    private final Exchange exchange;
    private final ProxyContext proxy;
    private final UpstreamPool upstreams;
    private final Channel client;
    private final boolean metrics;
    private Backend backend;
    private PoolRuntime pool;
    /** Numbers connects, so that only the newest one's result counts. */
    private int connectId;
    private long connectNanos;
    private ConnectionSlots.Ticket ticket;

    Dialer(Exchange exchange, ProxyContext proxy, UpstreamPool upstreams, Channel client, boolean metrics) {
        this.exchange = exchange;
        this.proxy = proxy;
        this.upstreams = upstreams;
        this.client = client;
        this.metrics = metrics;
    }

    /**
     * Opens a connection to {@code b} now, or lines up for one when the pool's connection limit for it is reached;
     * false when the line is full.
     */
    boolean openOrWait(Backend b, PoolRuntime p) {
        if (p.protocol() != UpstreamProtocol.HTTP1 || upstreams.slots().mayOpen(b.socketAddress(),
                p.config().connectionLimit())) {
            open(b, p);
            return true;
        }
        backend = b;
        pool = p;
        ticket = upstreams.slots().await(b.socketAddress(), UpstreamPool.idleKey(b.socketAddress(), p, client),
                p.config().connectionLimit(), this);
        return ticket != null;
    }

    /** Opens a connection to {@code b} now, whatever the limit (it replaces one that closed under the request). */
    void open(Backend b, PoolRuntime p) {
        backend = b;
        pool = p;
        Future<Channel> f = upstreams.connect(b, p, client);
        int id = ++connectId;
        connectNanos = metrics ? proxy.nanoTime() : 0;
        if (f.isDone()) {
            onConnected(f, id);
        } else {
            f.addListener(done -> onConnected(f, id));
        }
    }

    /** Whether the attempt waits in line for a connection. */
    boolean waiting() {
        return ticket != null;
    }

    /** The exchange ended: it leaves the line if it waits in it. */
    void cancel() {
        if (ticket != null) {
            ticket.cancel();
            ticket = null;
        }
    }

    @Override
    public void connectionFree() {
        ticket = null;
        if (exchange.done()) {
            return;
        }
        Channel ch = upstreams.poll(backend, pool, client);
        if (ch != null) {
            exchange.attach(ch, true);
        } else {
            open(backend, pool);
        }
    }

    @Override
    public void queueTimedOut() {
        ticket = null;
        if (!exchange.done()) {
            exchange.dialFailed(FailureKind.CONNECTION_LIMIT, HttpResponseStatus.SERVICE_UNAVAILABLE);
        }
    }

    private void onConnected(Future<Channel> f, int id) {
        if (exchange.done() || id != connectId) {
            if (f.isSuccess()) {
                f.getNow().close();
            }
            return;
        }
        if (f.isSuccess()) {
            if (metrics) {
                backend.state().connectTime().record(proxy.nanoTime() - connectNanos);
            }
            exchange.attach(f.getNow(), false);
        } else if (f.cause() instanceof ConnectTimeoutException) {
            exchange.dialFailed(FailureKind.CONNECT_TIMEOUT, HttpResponseStatus.GATEWAY_TIMEOUT);
        } else {
            exchange.dialFailed(FailureKind.CONNECT_REFUSED, HttpResponseStatus.BAD_GATEWAY);
        }
    }
}

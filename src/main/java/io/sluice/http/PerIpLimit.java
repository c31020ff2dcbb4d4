package io.sluice.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.sluice.l4.ClientAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A listener's {@code max_connections_per_ip}: counts the open client connections of each client address and
 * closes, at once and without an answer, a connection that would go over the limit. The address is the one
 * {@link ClientAddress} gives, so behind a PROXY-protocol proxy it is the real client's: the check is a
 * handler that acts on {@code channelActive}, which the PROXY reader passes on only once the header is read.
 * Closing without a response keeps a refused connection as cheap as can be (no TLS handshake, nothing read);
 * each is counted in {@code refused} ({@code sluice_listener_per_ip_refused_total}).
 *
 * <p>A count is added to per connection, never per request, and dropped when the connection closes; an
 * address with no connection left has no entry. Thread-safe: the map's per-key updates are the only
 * synchronisation, and connections of different addresses do not contend.
 */
@ChannelHandler.Sharable
final class PerIpLimit extends ChannelInboundHandlerAdapter {
    private final int max;
    private final LongAdder refused;
    private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

    /**
     * @param max     the most connections one address may have open, at least 1
     * @param refused counts the connections closed for being over it
     */
    /** The most connections one address may have open. */
    int max() {
        return max;
    }

    PerIpLimit(int max, LongAdder refused) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1");
        }
        this.max = max;
        this.refused = refused;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (admit(ctx.channel())) {
            ctx.fireChannelActive();
            ctx.pipeline().remove(this);
        }
    }

    /**
     * Counts {@code ch} against its client address (until it closes), or closes it when the address has the
     * most connections already. Call once per connection, when its client address is known.
     *
     * @return false when the connection was refused
     */
    boolean admit(Channel ch) {
        InetSocketAddress source = ClientAddress.source(ch);
        InetAddress a = source == null ? null : source.getAddress();
        if (a == null) {
            return true; // not an IP connection (never so for TCP listeners)
        }
        boolean[] over = new boolean[1];
        open.compute(a, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= max) {
                over[0] = true;
                return n;
            }
            return now + 1;
        });
        if (over[0]) {
            refused.increment();
            ch.close();
            return false;
        }
        ch.closeFuture().addListener(f -> open.computeIfPresent(a, (k, n) -> n <= 1 ? null : n - 1));
        return true;
    }

    /** Addresses with a connection open (for tests and the status page). */
    int addresses() {
        return open.size();
    }
}

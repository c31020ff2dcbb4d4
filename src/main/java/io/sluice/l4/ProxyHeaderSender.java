package io.sluice.l4;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.sluice.config.ProxyVersion;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * First handler of a connection to a backend that wants a PROXY header: the moment the connection is
 * established, before the connect future completes and before {@code channelActive}, it writes the header
 * (see {@link ProxyHeaders}) straight to the socket, then removes itself. So the header is the first thing
 * sent whatever the handlers after it do: a TLS handler's handshake and the first request both follow it, and
 * the header itself goes in clear, as HAProxy sends it. One per connection; confined to its event loop.
 */
public final class ProxyHeaderSender extends ChannelOutboundHandlerAdapter {
    private final ProxyVersion version;
    private final InetSocketAddress source;
    private final InetSocketAddress destination;
    private final boolean local;

    private ProxyHeaderSender(ProxyVersion version, InetSocketAddress source, InetSocketAddress destination,
                              boolean local) {
        if (Objects.requireNonNull(version, "version") == ProxyVersion.NONE) {
            throw new IllegalArgumentException("no PROXY header for version NONE");
        }
        this.version = version;
        this.source = source;
        this.destination = destination;
        this.local = local;
    }

    /** Sends a header naming a client: its address and the address it connected to (either may be null). */
    public static ProxyHeaderSender forClient(ProxyVersion version, InetSocketAddress source,
                                              InetSocketAddress destination) {
        return new ProxyHeaderSender(version, source, destination, false);
    }

    /** Sends the header of the proxy's own connection (a health probe): v2 LOCAL, or v1 UNKNOWN. */
    public static ProxyHeaderSender local(ProxyVersion version) {
        return new ProxyHeaderSender(version, null, null, true);
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remote, SocketAddress localAddress,
                        ChannelPromise promise) {
        ChannelPromise connected = ctx.newPromise();
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
                return;
            }
            // Written from this context, which sits first, so no handler after it sees or wraps the header.
            ctx.writeAndFlush(local ? ProxyHeaders.encodeLocal(ctx.alloc(), version)
                    : ProxyHeaders.encode(ctx.alloc(), version, source, destination), ctx.voidPromise());
            if (ctx.pipeline().context(this) != null) {
                ctx.pipeline().remove(this);
            }
            promise.trySuccess();
        });
        promise.addListener(f -> {
            if (f.isCancelled()) {
                connected.cancel(false);
            }
        });
        ctx.connect(remote, localAddress, connected);
    }
}

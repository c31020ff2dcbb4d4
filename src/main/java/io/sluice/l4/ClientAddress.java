package io.sluice.l4;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;

/**
 * Who a connection's client really is: the addresses a trusted PROXY header named, else the socket's own.
 * X-Forwarded-For, {@code ip_hash}, access logs and traces all ask here. Stateless; thread-safe.
 */
public final class ClientAddress {
    /** The client's address from a PROXY header; unset when none was read. */
    public static final AttributeKey<InetSocketAddress> SOURCE = AttributeKey.valueOf("sluice.proxy.source");
    /** The address the client connected to, from a PROXY header; unset when none was read. */
    public static final AttributeKey<InetSocketAddress> DESTINATION = AttributeKey.valueOf("sluice.proxy.destination");

    private ClientAddress() {
    }

    /** The client's address: from a PROXY header when one was read, else the peer's socket address. */
    public static InetSocketAddress source(Channel ch) {
        Channel c = connection(ch);
        InetSocketAddress a = c.attr(SOURCE).get();
        return a != null ? a : (InetSocketAddress) c.remoteAddress();
    }

    /** The address the client connected to: from a PROXY header when one was read, else the local socket address. */
    public static InetSocketAddress destination(Channel ch) {
        Channel c = connection(ch);
        InetSocketAddress a = c.attr(DESTINATION).get();
        return a != null ? a : (InetSocketAddress) c.localAddress();
    }

    /** The channel of the connection itself: an HTTP/2 stream's parent, else the channel given. */
    private static Channel connection(Channel ch) {
        return ch.parent() != null && !(ch.parent() instanceof io.netty.channel.ServerChannel) ? ch.parent() : ch;
    }
}

package io.sluice.http;

import io.netty.channel.Channel;
import io.sluice.l4.ClientAddress;
import java.net.InetSocketAddress;

/**
 * A client connection's address and the strings made from it, once per connection (an HTTP/2 connection's streams
 * share one): the client as a trusted PROXY header named it, else the socket's peer, and the local port.
 *
 * @param remote    the client's address
 * @param ip        its address as text
 * @param localPort the port it connected to, as text
 */
record ClientPeer(InetSocketAddress remote, String ip, String localPort) {
    static ClientPeer of(Channel connection) {
        InetSocketAddress remote = ClientAddress.source(connection);
        String ip = remote.getAddress() == null ? remote.getHostString() : remote.getAddress().getHostAddress();
        return new ClientPeer(remote, ip, Integer.toString(ClientAddress.destination(connection).getPort()));
    }
}

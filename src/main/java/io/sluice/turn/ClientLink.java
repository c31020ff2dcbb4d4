package io.sluice.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * The way back to one TURN client: over UDP a listener socket and the client's address, over TCP its connection.
 * Used on the event loop of that socket only.
 */
abstract class ClientLink {
    private final Channel channel;

    ClientLink(Channel channel) {
        this.channel = channel;
    }

    /** The socket the client's messages arrive on. */
    final Channel channel() {
        return channel;
    }

    final EventLoop loop() {
        return channel.eventLoop();
    }

    /** The listener address the client talks to. */
    final InetSocketAddress local() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** The client's address as this server sees it. */
    abstract InetSocketAddress client();

    /** True over TCP: ChannelData is padded, and a malformed request gets a 400. */
    abstract boolean stream();

    /** Whether the client can take more now (a TCP client that stops reading cannot). */
    boolean writable() {
        return channel.isWritable();
    }

    /** Queues {@code message} for the client (flushed by the caller at the end of its read batch). */
    abstract void write(ByteBuf message);

    final void flush() {
        channel.flush();
    }

    /** A client over UDP. */
    static final class Udp extends ClientLink {
        private final InetSocketAddress client;

        Udp(Channel socket, InetSocketAddress client) {
            super(socket);
            this.client = client;
        }

        @Override
        InetSocketAddress client() {
            return client;
        }

        @Override
        boolean stream() {
            return false;
        }

        @Override
        boolean writable() {
            return true; // a datagram socket's queue is the kernel's; a full one drops, as UDP may
        }

        @Override
        void write(ByteBuf message) {
            channel().write(new DatagramPacket(message, client), channel().voidPromise());
        }
    }

    /** A client over a TCP connection. */
    static final class Tcp extends ClientLink {
        Tcp(Channel connection) {
            super(connection);
        }

        @Override
        InetSocketAddress client() {
            return (InetSocketAddress) channel().remoteAddress();
        }

        @Override
        boolean stream() {
            return true;
        }

        @Override
        void write(ByteBuf message) {
            channel().write(message, channel().voidPromise());
        }
    }
}

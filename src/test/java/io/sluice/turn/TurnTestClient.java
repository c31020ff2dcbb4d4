package io.sluice.turn;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A minimal TURN client over UDP for tests in any package: authenticates with long-term credentials, allocates,
 * permits a peer, sends to it, and refreshes. Each call waits up to 10 s for its answer and throws
 * {@link AssertionError} on an error response. Not thread-safe.
 */
public final class TurnTestClient implements AutoCloseable {
    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final String user;
    private final String realm;
    private final byte[] key;
    private String nonce;

    /** A client on a fresh loopback port of {@code server}, as {@code user} with {@code password} in {@code realm}. */
    public TurnTestClient(InetSocketAddress server, String user, String password, String realm) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        this.socket.setSoTimeout(10_000);
        this.server = server;
        this.user = user;
        this.realm = realm;
        this.key = TurnAuth.key(user, realm, password);
    }

    /**
     * Waits (up to 10 s) until a UDP socket can be bound on {@code address}: a relay port is given back when its
     * socket closes, but the kernel can hold it a moment longer (CI saw the port still taken right after a
     * shutdown on io_uring, where a pending receive keeps a reference to the socket until it is cancelled).
     */
    public static void awaitFree(InetSocketAddress address) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (DatagramSocket s = new DatagramSocket(address)) {
                return s.getLocalPort() == address.getPort();
            }
        });
    }

    /** The client's own address. */
    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** Allocates a relay (after a 401 that gives the nonce); returns the relayed address. */
    public InetSocketAddress allocate() throws IOException {
        StunMessage first = exchange(request(Stun.ALLOCATE).transport(), false);
        if (first.messageClass() == Stun.ERROR) {
            nonce = first.buffer().toString(first.find(Stun.NONCE) + 4, first.attributeLength(first.find(Stun.NONCE)),
                    StandardCharsets.US_ASCII);
        }
        StunMessage ok = exchange(request(Stun.ALLOCATE).transport(), true);
        return TurnProcessor.xorAddress(ok, ok.find(Stun.XOR_RELAYED_ADDRESS));
    }

    /** Installs a permission for {@code peer}. */
    public void permit(InetSocketAddress peer) throws IOException {
        exchange(request(Stun.CREATE_PERMISSION).peer(peer), true);
    }

    /** Sends {@code data} to {@code peer} through the relay (a Send indication; no answer). */
    public void send(InetSocketAddress peer, byte[] data) throws IOException {
        Builder b = new Builder(Stun.SEND, Stun.INDICATION).peer(peer);
        StunWriter.attribute(b.buf, Stun.DATA_VALUE, data);
        byte[] bytes = b.bytes(false);
        socket.send(new DatagramPacket(bytes, bytes.length, server));
    }

    /** Refreshes the allocation for {@code seconds}; 0 deletes it. */
    public void refresh(int seconds) throws IOException {
        Builder b = request(Stun.REFRESH);
        StunWriter.attribute(b.buf, Stun.LIFETIME, new byte[] {(byte) (seconds >> 24), (byte) (seconds >> 16),
                (byte) (seconds >> 8), (byte) seconds});
        exchange(b, true);
    }

    private Builder request(int method) {
        return new Builder(method, Stun.REQUEST);
    }

    private StunMessage exchange(Builder b, boolean signed) throws IOException {
        byte[] bytes = b.bytes(signed);
        socket.send(new DatagramPacket(bytes, bytes.length, server));
        byte[] in = new byte[2048];
        while (true) {
            DatagramPacket p = new DatagramPacket(in, in.length);
            socket.receive(p);
            StunMessage m = new StunMessage();
            byte[] got = Arrays.copyOf(in, p.getLength());
            if (m.wrap(Unpooled.wrappedBuffer(got)) != null || !Arrays.equals(Arrays.copyOfRange(got, 8, 20), b.id)) {
                continue; // a Data indication or a late answer
            }
            if (signed && m.messageClass() == Stun.ERROR) {
                int at = m.find(Stun.ERROR_CODE);
                throw new AssertionError("TURN error " + ((m.buffer().getByte(at + 6) & 7) * 100
                        + m.buffer().getByte(at + 7)));
            }
            return m;
        }
    }

    private final class Builder {
        final ByteBuf buf = Unpooled.buffer();
        final byte[] id = new byte[12];

        Builder(int method, int cls) {
            ThreadLocalRandom.current().nextBytes(id);
            buf.writeShort(Stun.messageType(method, cls)).writeShort(0).writeInt(Stun.MAGIC_COOKIE).writeBytes(id);
        }

        Builder transport() {
            StunWriter.attribute(buf, Stun.REQUESTED_TRANSPORT, new byte[] {Stun.UDP, 0, 0, 0});
            return this;
        }

        Builder peer(InetSocketAddress peer) {
            StunWriter.xorAddress(buf, 0, Stun.XOR_PEER_ADDRESS, peer);
            return this;
        }

        byte[] bytes(boolean signed) {
            if (signed) {
                StunWriter.attribute(buf, Stun.USERNAME, user.getBytes(StandardCharsets.UTF_8));
                StunWriter.attribute(buf, Stun.REALM, realm.getBytes(StandardCharsets.UTF_8));
                StunWriter.attribute(buf, Stun.NONCE, nonce.getBytes(StandardCharsets.US_ASCII));
                TurnAuth.sign(buf, 0, key, false);
            }
            StunWriter.fingerprint(buf, 0);
            byte[] b = new byte[buf.readableBytes()];
            buf.getBytes(0, b);
            return b;
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}

package io.sluice.turn;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DatagramPacket;
import io.sluice.runtime.Transport;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntPredicate;

/**
 * Serves the messages of one listener socket (UDP) or one client connection (TCP): STUN Binding through a
 * {@link StunResponder}, and on a turn listener the TURN requests (Allocate, Refresh, CreatePermission,
 * ChannelBind), Send indications and ChannelData of RFC 8656, each request authenticated with long-term
 * credentials. Over UDP each client address has its own allocation; over TCP the connection has at most one,
 * and it ends with the connection. Confined to the socket's event loop.
 */
final class TurnProcessor {
    /** Attributes of TURN requests served here; anything else comprehension-required gets 420. */
    private static final IntPredicate KNOWN = t -> t == Stun.USERNAME || t == Stun.MESSAGE_INTEGRITY
            || t == Stun.MESSAGE_INTEGRITY_SHA256 || t == Stun.REALM || t == Stun.NONCE || t == Stun.USERHASH
            || t == Stun.PASSWORD_ALGORITHM || t == Stun.CHANNEL_NUMBER || t == Stun.LIFETIME
            || t == Stun.XOR_PEER_ADDRESS || t == Stun.DATA_VALUE || t == Stun.REQUESTED_ADDRESS_FAMILY
            || t == Stun.EVEN_PORT || t == Stun.REQUESTED_TRANSPORT || t == Stun.RESERVATION_TOKEN
            || t == Stun.ERROR_CODE || t == Stun.UNKNOWN_ATTRIBUTES || t == Stun.XOR_MAPPED_ADDRESS;
    private static final int BIND_ATTEMPTS = 16;

    private final TurnService service;
    private final StunResponder binding;
    private final Channel socket;
    private final boolean stream;
    private final byte[] software;
    private final StunMessage m = new StunMessage();
    private final int[] unknown = new int[16];
    private final Map<InetSocketAddress, Allocation> allocations = new HashMap<>();
    private boolean pending;

    /**
     * @param service the turn listener's shared state, or null on a stun listener (TURN requests then get 400)
     * @param socket  the UDP socket, or the TCP connection
     */
    TurnProcessor(TurnService service, StunResponder binding, String software, Channel socket, boolean stream) {
        this.service = service;
        this.binding = binding;
        this.software = software.getBytes(StandardCharsets.UTF_8);
        this.socket = socket;
        this.stream = stream;
    }

    /** Whether ChannelData is served (a turn listener), so a TCP stream frames it. */
    boolean relays() {
        return service != null;
    }

    /** Whether an allocation lives on this connection (TCP: the idle timeout then does not apply). */
    boolean allocated() {
        return !allocations.isEmpty();
    }

    /** Serves one message: a datagram's content, or one framed TCP message. {@code in} stays the caller's. */
    void handle(ByteBuf in, InetSocketAddress client) {
        if (service != null && in.readableBytes() >= 4 && (in.getByte(in.readerIndex()) & 0xC0) == 0x40) {
            channelData(in, client);
            return;
        }
        StunMessage.Problem problem = m.wrap(in);
        if (service == null || problem != null || m.classic() || m.method() == Stun.BINDING) {
            send(binding.answer(socket.alloc(), in, client, (InetSocketAddress) socket.localAddress(), stream), client);
            return;
        }
        int cls = m.messageClass();
        int method = m.method();
        if (cls == Stun.INDICATION && method == Stun.SEND) {
            sendIndication(in, client);
        } else if (cls == Stun.REQUEST && (method == Stun.ALLOCATE || method == Stun.REFRESH
                || method == Stun.CREATE_PERMISSION || method == Stun.CHANNEL_BIND)) {
            request(client);
        } else if (cls == Stun.REQUEST) {
            send(binding.answer(socket.alloc(), in, client, (InetSocketAddress) socket.localAddress(), stream), client);
        }
    }

    /** Flushes the answers of a read batch. */
    void flush() {
        if (pending) {
            pending = false;
            socket.flush();
        }
    }

    /** Ends every allocation of this socket or connection (it closed, or the listener stops). */
    void endAll() {
        for (Allocation a : new ArrayList<>(allocations.values())) {
            a.end();
        }
        allocations.clear();
    }

    private void send(ByteBuf out, InetSocketAddress client) {
        if (out == null) {
            return;
        }
        if (stream) {
            socket.write(out, socket.voidPromise());
        } else {
            socket.write(new DatagramPacket(out, client), socket.voidPromise());
        }
        pending = true;
    }

    // ---- requests -------------------------------------------------------------------------------------------

    private void request(InetSocketAddress client) {
        if (service.limited(client.getAddress())) {
            service.stats().countDropped();
            return;
        }
        Allocation a = allocations.get(client);
        if (m.integrity() < 0 && m.integritySha256() < 0) {
            challenge(client, 401, "Unauthorized");
            return;
        }
        String user = text(Stun.USERNAME);
        String realm = text(Stun.REALM);
        String nonce = text(Stun.NONCE);
        if (user == null || realm == null || nonce == null) {
            error(client, 400, "Bad Request: USERNAME, REALM and NONCE go with MESSAGE-INTEGRITY", null, false);
            return;
        }
        long seconds = System.currentTimeMillis() / 1000;
        TurnAuth.NonceCheck check = service.auth().checkNonce(nonce, seconds);
        if (check == TurnAuth.NonceCheck.STALE) {
            challenge(client, 438, "Stale Nonce");
            return;
        }
        if (check != TurnAuth.NonceCheck.GOOD || !realm.equals(service.auth().realm())) {
            challenge(client, 401, "Unauthorized");
            return;
        }
        byte[] key = service.auth().keyOf(user, seconds);
        if (key == null || !TurnAuth.verify(m, key)) {
            service.failed(client.getAddress());
            challenge(client, 401, "Unauthorized");
            return;
        }
        boolean sha256 = TurnAuth.usesSha256(m);
        if (a != null && !a.user.equals(user)) {
            error(client, 441, "Wrong Credentials", key, sha256); // a good user, but not the allocation's
            return;
        }
        int n = m.unknownComprehensionRequired(KNOWN, unknown, 0);
        if (n > 0) {
            ByteBuf out = answer(Stun.ERROR);
            StunWriter.errorCode(out, 420, "Unknown Attribute");
            StunWriter.unknownAttributes(out, unknown, n);
            signed(out, key, sha256, client);
            return;
        }
        switch (m.method()) {
            case Stun.ALLOCATE -> allocate(client, a, user, key, sha256);
            case Stun.REFRESH -> refresh(client, a, key, sha256);
            case Stun.CREATE_PERMISSION -> createPermission(client, a, key, sha256);
            default -> channelBind(client, a, key, sha256);
        }
    }

    private void allocate(InetSocketAddress client, Allocation a, String user, byte[] key, boolean sha256) {
        if (a != null) {
            if (Arrays.equals(a.transaction, transaction()) && a.relayed() != null) {
                allocated(a, client); // the same request again: its answer was lost
            } else if (a.relayed() != null) {
                error(client, 437, "Allocation Mismatch", key, sha256);
            }
            return;
        }
        int transport = m.find(Stun.REQUESTED_TRANSPORT);
        if (transport < 0 || m.attributeLength(transport) != 4) {
            error(client, 400, "Bad Request: REQUESTED-TRANSPORT is missing", key, sha256);
            return;
        }
        if ((m.buffer().getByte(StunMessage.valueIndex(transport)) & 0xff) != Stun.UDP) {
            error(client, 442, "Unsupported Transport Protocol", key, sha256);
            return;
        }
        int token = m.find(Stun.RESERVATION_TOKEN);
        int evenPort = m.find(Stun.EVEN_PORT);
        if (token >= 0 && (evenPort >= 0 || m.attributeLength(token) != 8)) {
            error(client, 400, "Bad Request: RESERVATION-TOKEN goes alone, with 8 bytes", key, sha256);
            return;
        }
        int port = -1;
        if (token >= 0) {
            port = service.claimPort(m.buffer().getLong(StunMessage.valueIndex(token)));
            if (port < 0) {
                error(client, 508, "Insufficient Capacity: no port is reserved for that token", key, sha256);
                return;
            }
        }
        int family = m.find(Stun.REQUESTED_ADDRESS_FAMILY);
        if (family >= 0) {
            int f = m.buffer().getByte(StunMessage.valueIndex(family)) & 0xff;
            if (f != (service.announced() instanceof Inet4Address ? Stun.FAMILY_IPV4 : Stun.FAMILY_IPV6)) {
                error(client, 440, "Address Family not Supported", key, sha256);
                return;
            }
        }
        boolean even = evenPort >= 0;
        boolean reserveNext = even && m.attributeLength(evenPort) >= 1
                && (m.buffer().getByte(StunMessage.valueIndex(evenPort)) & 0x80) != 0;
        long lifetime = Math.max(service.config().defaultLifetime().toSeconds(),
                Math.min(requestedLifetime(service.config().defaultLifetime().toSeconds()),
                        service.config().maxLifetime().toSeconds()));
        int quota = service.reserve(user);
        if (quota != 0) {
            error(client, quota, quota == 486 ? "Allocation Quota Reached" : "Insufficient Capacity", key, sha256);
            return;
        }
        ClientLink link = stream ? new ClientLink.Tcp(socket) : new ClientLink.Udp(socket, client);
        byte[] tx = transaction();
        Allocation made = service.register(id -> new Allocation(id, service, link, user, key, tx, sha256));
        allocations.put(client, made);
        made.onEnd(() -> allocations.remove(client, made)); // ended by expiry, the admin API or a failed relay
        bindRelay(made, client, port, even, reserveNext, lifetime, port < 0 ? BIND_ATTEMPTS : 1);
    }

    /**
     * Binds the relay socket of {@code a}: on {@code fixed} (a reserved port), else on a random free port of the
     * range (even when asked, with the next one kept when {@code reserveNext}); then answers the Allocate.
     */
    private void bindRelay(Allocation a, InetSocketAddress client, int fixed, boolean even, boolean reserveNext,
                           long lifetime, int attempts) {
        int min = service.config().relayPortMin();
        int max = service.config().relayPortMax();
        int port = fixed;
        if (port < 0) {
            port = min + ThreadLocalRandom.current().nextInt(max - min + 1);
            if (even && (port & 1) != 0) {
                port = port - 1 >= min ? port - 1 : port + 1;
            }
            if (service.portReserved(port) || (reserveNext && (port + 1 > max || service.portReserved(port + 1)))) {
                port = -1; // try another
            }
        }
        if (port < 0 || port > max || (even && (port & 1) != 0)) {
            if (attempts > 1) {
                bindRelay(a, client, fixed, even, reserveNext, lifetime, attempts - 1);
            } else {
                noRelay(a, client);
            }
            return;
        }
        int chosen = port;
        ChannelFuture f = new Bootstrap()
                .group(socket.eventLoop())
                .channel(Transport.datagramChannel())
                .option(ChannelOption.ALLOCATOR, socket.alloc())
                .option(ChannelOption.RCVBUF_ALLOCATOR, StunListener.RECEIVE)
                .handler(new RelayHandler(a))
                .bind(new InetSocketAddress(service.relayBind(), chosen));
        f.addListener(done -> {
            if (a.ended()) {
                f.channel().close();
            } else if (done.isSuccess()) {
                a.start(f.channel(), new InetSocketAddress(service.announced(), chosen), lifetime,
                        reserveNext ? service.reservePort(chosen + 1) : 0);
                service.stats().countAllocated();
                allocated(a, client);
                flush();
            } else if (attempts > 1) {
                bindRelay(a, client, fixed, even, reserveNext, lifetime, attempts - 1);
            } else {
                noRelay(a, client);
            }
        });
    }

    private void noRelay(Allocation a, InetSocketAddress client) {
        allocations.remove(client, a);
        a.end();
        ByteBuf out = socket.alloc().ioBuffer(128);
        int start = header(out, Stun.ALLOCATE, Stun.ERROR, a.transaction);
        StunWriter.errorCode(out, 508, "Insufficient Capacity: no relay port is free");
        finish(out, start, a.key, a.sha256);
        send(out, client);
        flush();
    }

    /** Answers the Allocate that made {@code a}. */
    private void allocated(Allocation a, InetSocketAddress client) {
        ByteBuf out = socket.alloc().ioBuffer(160);
        int start = header(out, Stun.ALLOCATE, Stun.SUCCESS, a.transaction);
        StunWriter.xorAddress(out, start, Stun.XOR_RELAYED_ADDRESS, a.relayed());
        lifetime(out, a.lifetimeSeconds());
        if (a.reservation() != 0) {
            out.writeShort(Stun.RESERVATION_TOKEN);
            out.writeShort(8);
            out.writeLong(a.reservation());
        }
        StunWriter.xorAddress(out, start, Stun.XOR_MAPPED_ADDRESS, client);
        finish(out, start, a.key, a.sha256);
        send(out, client);
    }

    private void refresh(InetSocketAddress client, Allocation a, byte[] key, boolean sha256) {
        if (a == null || a.relayed() == null) {
            error(client, 437, "Allocation Mismatch", key, sha256);
            return;
        }
        long asked = requestedLifetime(service.config().defaultLifetime().toSeconds());
        long lifetime = Math.min(asked, service.config().maxLifetime().toSeconds());
        if (lifetime == 0) {
            allocations.remove(client, a);
            a.end();
        } else {
            a.refresh(lifetime);
        }
        ByteBuf out = answer(Stun.SUCCESS);
        lifetime(out, lifetime);
        signed(out, key, sha256, client);
    }

    private void createPermission(InetSocketAddress client, Allocation a, byte[] key, boolean sha256) {
        if (a == null || a.relayed() == null) {
            error(client, 437, "Allocation Mismatch", key, sha256);
            return;
        }
        List<InetAddress> peers = new ArrayList<>(2);
        for (int at = m.firstAttribute(); at >= 0; at = m.nextAttribute(at)) {
            if (m.attributeType(at) != Stun.XOR_PEER_ADDRESS) {
                continue;
            }
            InetSocketAddress peer = peer(at, client, a, key, sha256);
            if (peer == null) {
                return;
            }
            peers.add(peer.getAddress());
        }
        if (peers.isEmpty()) {
            error(client, 400, "Bad Request: XOR-PEER-ADDRESS is missing", key, sha256);
            return;
        }
        peers.forEach(a::permit);
        signed(answer(Stun.SUCCESS), key, sha256, client);
    }

    private void channelBind(InetSocketAddress client, Allocation a, byte[] key, boolean sha256) {
        if (a == null || a.relayed() == null) {
            error(client, 437, "Allocation Mismatch", key, sha256);
            return;
        }
        int cn = m.find(Stun.CHANNEL_NUMBER);
        int number = cn < 0 || m.attributeLength(cn) != 4 ? -1
                : m.buffer().getUnsignedShort(StunMessage.valueIndex(cn));
        if (number < Stun.CHANNEL_MIN || number > Stun.CHANNEL_MAX) {
            error(client, 400, "Bad Request: CHANNEL-NUMBER must be 0x4000-0x7FFF", key, sha256);
            return;
        }
        int pa = m.find(Stun.XOR_PEER_ADDRESS);
        if (pa < 0) {
            error(client, 400, "Bad Request: XOR-PEER-ADDRESS is missing", key, sha256);
            return;
        }
        InetSocketAddress peer = peer(pa, client, a, key, sha256);
        if (peer == null) {
            return;
        }
        if (!a.bind(number, peer)) {
            error(client, 400, "Bad Request: the channel or the peer is bound to another", key, sha256);
            return;
        }
        signed(answer(Stun.SUCCESS), key, sha256, client);
    }

    /** The peer of XOR-PEER-ADDRESS at {@code at}, or null after answering why it cannot be used. */
    private InetSocketAddress peer(int at, InetSocketAddress client, Allocation a, byte[] key, boolean sha256) {
        InetSocketAddress peer = xorAddress(m, at);
        if (peer == null) {
            error(client, 400, "Bad Request: XOR-PEER-ADDRESS is malformed", key, sha256);
            return null;
        }
        if ((peer.getAddress() instanceof Inet4Address) != (a.relayed().getAddress() instanceof Inet4Address)) {
            error(client, 443, "Peer Address Family Mismatch", key, sha256);
            return null;
        }
        if (!service.peerAllowed(peer.getAddress())) {
            error(client, 403, "Forbidden", key, sha256);
            return null;
        }
        return peer;
    }

    // ---- data -------------------------------------------------------------------------------------------------

    private void sendIndication(ByteBuf in, InetSocketAddress client) {
        Allocation a = allocations.get(client);
        int pa = m.find(Stun.XOR_PEER_ADDRESS);
        int data = m.find(Stun.DATA_VALUE);
        InetSocketAddress peer = pa < 0 ? null : xorAddress(m, pa);
        if (a == null || a.relayed() == null || data < 0 || peer == null || !service.peerAllowed(peer.getAddress())) {
            service.stats().countDropped();
            return;
        }
        a.toPeer(peer, in.retainedSlice(StunMessage.valueIndex(data), m.attributeLength(data)));
    }

    private void channelData(ByteBuf in, InetSocketAddress client) {
        Allocation a = allocations.get(client);
        int from = in.readerIndex();
        int length = in.getUnsignedShort(from + 2);
        if (a == null || a.relayed() == null || 4 + length > in.readableBytes()) {
            service.stats().countDropped();
            return;
        }
        a.toChannel(in.getUnsignedShort(from), in.retainedSlice(from + 4, length));
    }

    // ---- answers ----------------------------------------------------------------------------------------------

    private ByteBuf answer(int cls) {
        ByteBuf out = socket.alloc().ioBuffer(160);
        StunWriter.answer(out, m, m.method(), cls);
        return out;
    }

    private void signed(ByteBuf out, byte[] key, boolean sha256, InetSocketAddress client) {
        finish(out, out.readerIndex(), key, sha256);
        send(out, client);
    }

    /** SOFTWARE, then MESSAGE-INTEGRITY when {@code key} is known, then FINGERPRINT. */
    private void finish(ByteBuf out, int start, byte[] key, boolean sha256) {
        StunWriter.attribute(out, Stun.SOFTWARE, software);
        if (key != null) {
            TurnAuth.sign(out, start, key, sha256);
        }
        StunWriter.fingerprint(out, start);
    }

    private void error(InetSocketAddress client, int code, String reason, byte[] key, boolean sha256) {
        ByteBuf out = answer(Stun.ERROR);
        StunWriter.errorCode(out, code, reason);
        signed(out, key, sha256, client);
    }

    /** 401 or 438: the realm and a fresh nonce, unsigned. */
    private void challenge(InetSocketAddress client, int code, String reason) {
        ByteBuf out = answer(Stun.ERROR);
        StunWriter.errorCode(out, code, reason);
        StunWriter.attribute(out, Stun.REALM, service.auth().realm().getBytes(StandardCharsets.UTF_8));
        StunWriter.attribute(out, Stun.NONCE, service.auth().nonce(System.currentTimeMillis() / 1000)
                .getBytes(StandardCharsets.US_ASCII));
        signed(out, null, false, client);
    }

    private static int header(ByteBuf out, int method, int cls, byte[] transaction) {
        int start = out.writerIndex();
        out.writeShort(Stun.messageType(method, cls));
        out.writeShort(0);
        out.writeBytes(transaction);
        return start;
    }

    private static void lifetime(ByteBuf out, long seconds) {
        out.writeShort(Stun.LIFETIME);
        out.writeShort(4);
        out.writeInt((int) Math.min(seconds, 0xFFFF_FFFFL));
    }

    private long requestedLifetime(long absent) {
        int at = m.find(Stun.LIFETIME);
        if (at < 0 || m.attributeLength(at) != 4) {
            return absent;
        }
        return m.buffer().getUnsignedInt(StunMessage.valueIndex(at));
    }

    /** Bytes 4-19 of the request: cookie and transaction id. */
    private byte[] transaction() {
        byte[] tx = new byte[16];
        m.buffer().getBytes(m.start() + 4, tx);
        return tx;
    }

    private String text(int type) {
        int at = m.find(type);
        if (at < 0) {
            return null;
        }
        return m.buffer().toString(StunMessage.valueIndex(at), m.attributeLength(at), StandardCharsets.UTF_8);
    }

    /** The address of an XOR-...-ADDRESS attribute at {@code at}, or null when it is malformed. */
    static InetSocketAddress xorAddress(StunMessage m, int at) {
        ByteBuf b = m.buffer();
        int v = StunMessage.valueIndex(at);
        int family = b.getByte(v + 1) & 0xff;
        int size = family == Stun.FAMILY_IPV4 ? 4 : family == Stun.FAMILY_IPV6 ? 16 : -1;
        if (size < 0 || m.attributeLength(at) != 4 + size) {
            return null;
        }
        byte[] ip = new byte[size];
        for (int i = 0; i < size; i++) {
            ip[i] = (byte) (b.getByte(v + 4 + i) ^ b.getByte(m.start() + 4 + i));
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), b.getUnsignedShort(v + 2) ^ (Stun.MAGIC_COOKIE >>> 16));
        } catch (UnknownHostException e) {
            return null; // cannot happen for 4 or 16 bytes
        }
    }
}

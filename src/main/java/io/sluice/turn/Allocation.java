package io.sluice.turn;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One TURN allocation (RFC 8656): a relay socket for one client, its permissions (peer IPs, 5 minutes each),
 * its channels (number to peer, 10 minutes each) and its lifetime. Data from the client goes out of the relay
 * socket to a permitted peer; data from a permitted peer comes back as ChannelData when the peer has a channel,
 * else as a Data indication. Expired permissions and channels stop passing data at once and are swept by the
 * allocation's timer, which also ends the allocation when its lifetime runs out.
 *
 * <p>Confined to the event loop of the client's socket (the relay socket is registered on the same loop), except
 * the counters and {@link #info()}, which other threads read.
 */
final class Allocation {
    static final long PERMISSION_NANOS = TimeUnit.SECONDS.toNanos(300);
    static final long CHANNEL_NANOS = TimeUnit.SECONDS.toNanos(600);
    private static final long SWEEP_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final VarHandle TO_PEER;
    private static final VarHandle FROM_PEER;

    static {
        try {
            TO_PEER = MethodHandles.lookup().findVarHandle(Allocation.class, "bytesToPeer", long.class);
            FROM_PEER = MethodHandles.lookup().findVarHandle(Allocation.class, "bytesFromPeer", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final long id;
    final TurnService service;
    final ClientLink link;
    final String user;
    final byte[] key;
    /** Bytes 4-19 of the Allocate request that made it: a retransmission of that request is answered again. */
    final byte[] transaction;
    final boolean sha256;
    final long createdMillis = System.currentTimeMillis();
    private Channel relay;
    private InetSocketAddress relayed;
    private long expires;
    private long lifetimeSeconds;
    private long reservation;
    private Runnable onEnd = () -> { };
    private ScheduledFuture<?> timer;
    private boolean ended;
    private final Map<InetAddress, Long> permissions = new HashMap<>();
    private final IntObjectHashMap<Bound> channels = new IntObjectHashMap<>(4); // no boxing per ChannelData
    private final Map<InetSocketAddress, Bound> channelsByPeer = new HashMap<>();
    // written by the loop and read by the admin API through opaque accesses, so a reader sees whole values
    @SuppressWarnings("unused")
    private long bytesToPeer;
    @SuppressWarnings("unused")
    private long bytesFromPeer;

    private final Bucket toPeers = new Bucket();
    private final Bucket fromPeers = new Bucket();

    /**
     * A token bucket for {@code bandwidth_per_allocation}: a second's worth of bytes at most, refilled at the
     * rate; a datagram that does not fit is dropped whole (UDP's own answer to congestion).
     */
    private static final class Bucket {
        private long tokens = -1;
        private long last;

        boolean take(long rate, int n, long now) {
            if (rate <= 0) {
                return true;
            }
            if (tokens < 0) {
                tokens = rate;
            } else {
                long refill = (now - last) * rate / 1_000_000_000L;
                tokens = Math.min(rate, tokens + Math.max(0, refill));
            }
            last = now;
            if (n > tokens) {
                return false;
            }
            tokens -= n;
            return true;
        }
    }

    /** A channel: its number, its peer and until when it holds. */
    private static final class Bound {
        final int number;
        final InetSocketAddress peer;
        long expires;

        Bound(int number, InetSocketAddress peer, long expires) {
            this.number = number;
            this.peer = peer;
            this.expires = expires;
        }
    }

    /** Makes an allocation once its id is known. */
    interface Factory {
        Allocation make(long id);
    }

    Allocation(long id, TurnService service, ClientLink link, String user, byte[] key, byte[] transaction,
               boolean sha256) {
        this.id = id;
        this.service = service;
        this.link = link;
        this.user = user;
        this.key = key;
        this.transaction = transaction;
        this.sha256 = sha256;
    }

    /**
     * Starts relaying through {@code socket}, announced as {@code address}, for {@code seconds}; {@code reservation}
     * is the RESERVATION-TOKEN of the port kept beside it, or 0.
     */
    void start(Channel socket, InetSocketAddress address, long seconds, long reservation) {
        this.relay = socket;
        service.relayOpened(socket);
        this.relayed = address;
        this.reservation = reservation;
        refresh(seconds);
        service.stats().allocations.incrementAndGet();
        socket.closeFuture().addListener(f -> end()); // a relay socket that fails ends its allocation
    }

    InetSocketAddress relayed() {
        return relayed;
    }

    /** The RESERVATION-TOKEN handed out with it, or 0. */
    long reservation() {
        return reservation;
    }

    long lifetimeSeconds() {
        return lifetimeSeconds;
    }

    boolean ended() {
        return ended;
    }

    /** Sets the time left to {@code seconds} from now. */
    void refresh(long seconds) {
        lifetimeSeconds = seconds;
        expires = service.now() + TimeUnit.SECONDS.toNanos(seconds);
        schedule();
    }

    private void schedule() {
        if (timer != null) {
            timer.cancel(false);
        }
        long wait = Math.max(0, Math.min(expires - service.now(), SWEEP_NANOS));
        timer = link.loop().schedule(this::tick, wait, TimeUnit.NANOSECONDS);
    }

    private void tick() {
        if (ended) {
            return;
        }
        long now = service.now();
        if (now - expires >= 0) {
            end();
            return;
        }
        sweep(now);
        schedule();
    }

    /** Drops the permissions and channels that have run out at {@code now}. */
    void sweep(long now) {
        for (Iterator<Map.Entry<InetAddress, Long>> i = permissions.entrySet().iterator(); i.hasNext(); ) {
            if (now - i.next().getValue() >= 0) {
                i.remove();
                service.stats().permissions.decrementAndGet();
            }
        }
        for (Iterator<Bound> i = channels.values().iterator(); i.hasNext(); ) {
            Bound b = i.next();
            if (now - b.expires >= 0) {
                i.remove();
                channelsByPeer.remove(b.peer);
                service.stats().channels.decrementAndGet();
            }
        }
    }

    /** Installs or refreshes the permission for {@code peer}'s IP address. */
    void permit(InetAddress peer) {
        if (permissions.put(peer, service.now() + PERMISSION_NANOS) == null) {
            service.stats().permissions.incrementAndGet();
        }
    }

    private boolean permitted(InetAddress peer, long now) {
        Long until = permissions.get(peer);
        return until != null && now - until < 0;
    }

    /**
     * Binds channel {@code number} to {@code peer}, or refreshes that binding, and refreshes the peer's permission.
     *
     * @return false when the number is bound to another peer or the peer to another number (nothing changes)
     */
    boolean bind(int number, InetSocketAddress peer) {
        long now = service.now();
        Bound byNumber = channels.get(number);
        Bound byPeer = channelsByPeer.get(peer);
        if (byNumber != byPeer) {
            return false;
        }
        if (byNumber == null) {
            Bound b = new Bound(number, peer, now + CHANNEL_NANOS);
            channels.put(number, b);
            channelsByPeer.put(peer, b);
            service.stats().channels.incrementAndGet();
        } else {
            byNumber.expires = now + CHANNEL_NANOS;
        }
        permit(peer.getAddress());
        return true;
    }

    /** Relays {@code data} (this takes it over) to {@code peer} if the peer is permitted; else drops it. */
    void toPeer(InetSocketAddress peer, ByteBuf data) {
        long now = service.now();
        int n = data.readableBytes();
        if (ended || !permitted(peer.getAddress(), now)
                || !toPeers.take(service.config().bandwidthPerAllocation(), n, now)) {
            data.release();
            service.stats().countDropped();
            return;
        }
        relay.writeAndFlush(new DatagramPacket(data, peer), relay.voidPromise());
        TO_PEER.setOpaque(this, (long) TO_PEER.getOpaque(this) + n);
        service.stats().countToPeer(n);
    }

    /** Relays {@code data} (this takes it over) to the peer of channel {@code number}; drops it if there is none. */
    void toChannel(int number, ByteBuf data) {
        Bound b = channels.get(number);
        if (b == null || service.now() - b.expires >= 0) {
            data.release();
            service.stats().countDropped();
            return;
        }
        toPeer(b.peer, data);
    }

    /** A datagram from {@code peer} to the relay: to the client if the peer is permitted (the packet stays the caller's). */
    void fromPeer(InetSocketAddress peer, ByteBuf content) {
        long now = service.now();
        int n = content.readableBytes();
        if (ended || !permitted(peer.getAddress(), now) || !link.writable()
                || !fromPeers.take(service.config().bandwidthPerAllocation(), n, now)) {
            service.stats().countDropped();
            return;
        }
        Bound b = channelsByPeer.get(peer);
        ByteBuf out;
        if (b != null && now - b.expires < 0) {
            out = link.channel().alloc().ioBuffer(4 + n + 3);
            out.writeShort(b.number);
            out.writeShort(n);
            out.writeBytes(content, content.readerIndex(), n);
            if (link.stream()) {
                out.writeZero((4 - (n & 3)) & 3); // over TCP a ChannelData message is padded (RFC 8656 12.5)
            }
        } else {
            out = link.channel().alloc().ioBuffer(Stun.HEADER + 24 + 4 + n + 3);
            int start = out.writerIndex();
            out.writeShort(Stun.messageType(Stun.DATA, Stun.INDICATION));
            out.writeShort(0);
            out.writeInt(Stun.MAGIC_COOKIE);
            ThreadLocalRandom r = ThreadLocalRandom.current();
            out.writeLong(r.nextLong());
            out.writeInt(r.nextInt());
            StunWriter.xorAddress(out, start, Stun.XOR_PEER_ADDRESS, peer);
            out.writeShort(Stun.DATA_VALUE);
            out.writeShort(n);
            out.writeBytes(content, content.readerIndex(), n);
            out.writeZero((4 - (n & 3)) & 3);
            StunWriter.finish(out, start);
        }
        link.write(out);
        FROM_PEER.setOpaque(this, (long) FROM_PEER.getOpaque(this) + n);
        service.stats().countFromPeer(n);
    }

    /** Runs {@code action} on the loop when the allocation ends, however it ends (its owner forgets it then). */
    void onEnd(Runnable action) {
        this.onEnd = action;
    }

    /** Ends the allocation: its relay socket closes, its permissions and channels go, its quota is given back. */
    void end() {
        if (!link.loop().inEventLoop()) {
            link.loop().execute(this::end);
            return;
        }
        if (ended) {
            return;
        }
        ended = true;
        if (timer != null) {
            timer.cancel(false);
        }
        service.stats().permissions.addAndGet(-permissions.size());
        service.stats().channels.addAndGet(-channels.size());
        permissions.clear();
        channels.clear();
        channelsByPeer.clear();
        if (relay != null) {
            service.stats().allocations.decrementAndGet();
            relay.close();
        }
        service.released(this);
        onEnd.run();
    }

    private static String text(InetSocketAddress a) {
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    AllocationInfo info() {
        InetSocketAddress r = relayed;
        return new AllocationInfo(id, user, (link.stream() ? "tcp/" : "udp/") + text(link.client()), r == null ? "" : text(r),
                (System.currentTimeMillis() - createdMillis) / 1000, (long) TO_PEER.getOpaque(this),
                (long) FROM_PEER.getOpaque(this));
    }
}

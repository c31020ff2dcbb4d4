package io.sluice.turn;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.sluice.config.CidrBlock;
import io.sluice.config.TurnConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What a turn listener's sockets share: its settings and credentials, its statistics, every allocation (for
 * quotas and the admin API), which peers may be reached, and who failed to authenticate too often this minute.
 * Thread-safe.
 */
public final class TurnService {
    /** Most source addresses whose failures are remembered within one minute. */
    private static final int MAX_TRACKED_SOURCES = 65_536;

    private final String listener;
    private volatile TurnConfig config;
    private volatile TurnAuth auth;
    private final TurnStats stats = new TurnStats();
    private final LongSupplier nanoClock;
    private final InetAddress relayBind;
    private volatile InetAddress announced;
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<Long, Allocation> allocations = new ConcurrentHashMap<>();
    /** Open relay sockets, so that stopping can wait until they are closed (and their ports free). */
    private final ChannelGroup relays = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ConcurrentHashMap<String, AtomicInteger> perUser = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> failures = new ConcurrentHashMap<>();
    /** RESERVATION-TOKEN to the reserved port and until when (nanos). */
    private final ConcurrentHashMap<Long, long[]> reservations = new ConcurrentHashMap<>();
    private volatile long failureMinute;

    /**
     * @param listener  the listener's name
     * @param relayBind the address relay sockets bind to (the listener's)
     * @param nanoClock {@link System#nanoTime()} or a test's clock
     */
    public TurnService(String listener, TurnConfig config, InetAddress relayBind, LongSupplier nanoClock)
            throws UnknownHostException {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.config = Objects.requireNonNull(config, "config");
        this.auth = new TurnAuth(config);
        this.relayBind = Objects.requireNonNull(relayBind, "relayBind");
        this.announced = config.relayAddress() == null ? relayBind : InetAddress.getByName(config.relayAddress());
        this.nanoClock = nanoClock;
    }

    public String listener() {
        return listener;
    }

    public TurnStats stats() {
        return stats;
    }

    TurnConfig config() {
        return config;
    }

    TurnAuth auth() {
        return auth;
    }

    long now() {
        return nanoClock.getAsLong();
    }

    InetAddress relayBind() {
        return relayBind;
    }

    InetAddress announced() {
        return announced;
    }

    /**
     * Takes reloaded settings: credentials, quotas, lifetimes, peer rules and relay ports and address apply to
     * what comes next; allocations made keep their relay sockets, permissions and channels. Nonces handed out
     * stay good.
     */
    void update(TurnConfig next) {
        try {
            announced = next.relayAddress() == null ? relayBind : InetAddress.getByName(next.relayAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage(), e); // a literal, checked by the binder
        }
        auth = auth.with(next);
        config = next;
    }

    /** Whether an allocation may send to {@code peer}: not in {@code denied_peers}, or in {@code allowed_peers}. */
    boolean peerAllowed(InetAddress peer) {
        for (CidrBlock b : config.allowedPeers()) {
            if (b.contains(peer)) {
                return true;
            }
        }
        for (CidrBlock b : config.deniedPeers()) {
            if (b.contains(peer)) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code source} has failed to authenticate too often this minute: its requests are dropped. */
    boolean limited(InetAddress source) {
        rollMinute();
        AtomicInteger n = failures.get(source);
        return n != null && n.get() >= config.authFailuresPerMinute();
    }

    /** Counts a failed authentication from {@code source}. */
    void failed(InetAddress source) {
        stats.countAuthFailure();
        rollMinute();
        if (failures.size() < MAX_TRACKED_SOURCES) {
            failures.computeIfAbsent(source, s -> new AtomicInteger()).incrementAndGet();
        }
    }

    private void rollMinute() {
        long minute = now() / 60_000_000_000L;
        if (minute != failureMinute) {
            failureMinute = minute;
            failures.clear();
        }
    }

    /**
     * Takes an allocation's place in the quotas of {@code user} and of the listener.
     *
     * @return 0 when taken, else the error code to answer: 486 (the user's quota) or 508 (the listener's)
     */
    int reserve(String user) {
        if (total.incrementAndGet() > config.maxAllocations()) {
            total.decrementAndGet();
            return 508;
        }
        AtomicInteger mine = perUser.computeIfAbsent(user, u -> new AtomicInteger());
        if (mine.incrementAndGet() > config.maxAllocationsPerUser()) {
            mine.decrementAndGet();
            total.decrementAndGet();
            return 486;
        }
        return 0;
    }

    /** Gives back a place {@link #reserve} took when the allocation was not made after all. */
    void unreserve(String user) {
        total.decrementAndGet();
        perUser.computeIfPresent(user, (u, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    /** A new allocation's id, and it is listed. */
    Allocation register(Allocation.Factory factory) {
        Allocation a = factory.make(ids.incrementAndGet());
        allocations.put(a.id, a);
        return a;
    }

    /** An allocation ended: it is unlisted and its quota given back. */
    void released(Allocation a) {
        if (allocations.remove(a.id) != null) {
            unreserve(a.user);
        }
    }

    /** Every allocation now, oldest first. */
    public List<AllocationInfo> allocations() {
        List<AllocationInfo> out = new ArrayList<>();
        allocations.values().forEach(a -> out.add(a.info()));
        out.sort(Comparator.comparingLong(AllocationInfo::id));
        return out;
    }

    /** Ends allocation {@code id}; false when there is none. */
    public boolean delete(long id) {
        Allocation a = allocations.get(id);
        if (a == null) {
            return false;
        }
        a.end();
        return true;
    }

    /** How long a port kept by EVEN-PORT's R bit waits for the Allocate that claims it (RFC 8656: 30 s). */
    static final long RESERVATION_NANOS = 30_000_000_000L;

    /** Keeps {@code port} for a later Allocate for 30 seconds; returns the token that claims it. */
    long reservePort(int port) {
        long now = now();
        reservations.values().removeIf(r -> now - r[1] >= 0);
        long token;
        do {
            token = java.util.concurrent.ThreadLocalRandom.current().nextLong();
        } while (token == 0 || reservations.putIfAbsent(token, new long[] {port, now + RESERVATION_NANOS}) != null);
        return token;
    }

    /** The port {@code token} kept, now given to its claimant, or -1 when the token is unknown or expired. */
    int claimPort(long token) {
        long[] r = reservations.remove(token);
        return r == null || now() - r[1] >= 0 ? -1 : (int) r[0];
    }

    /** Whether {@code port} is kept for a RESERVATION-TOKEN. */
    boolean portReserved(int port) {
        if (reservations.isEmpty()) {
            return false;
        }
        long now = now();
        for (long[] r : reservations.values()) {
            if (r[0] == port && now - r[1] < 0) {
                return true;
            }
        }
        return false;
    }

    /** Ends every allocation (the listener stops). */
    void endAll() {
        allocations.values().forEach(Allocation::end);
    }

    /** A relay socket opened; it is tracked until it closes. */
    void relayOpened(Channel relay) {
        relays.add(relay);
    }

    /**
     * Waits, up to {@code millis}, until the relay sockets open now are closed: ending an allocation only asks its
     * loop to close the socket, and the event loops must not shut down under a close still under way (on io_uring
     * the port would stay taken). Call off the event loops.
     */
    void awaitRelaysClosed(long millis) {
        relays.newCloseFuture().awaitUninterruptibly(millis);
    }
}

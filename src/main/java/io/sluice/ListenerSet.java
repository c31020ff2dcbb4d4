package io.sluice;

import io.netty.channel.EventLoopGroup;
import io.sluice.config.Config;
import io.sluice.config.L4Config;
import io.sluice.config.ListenerConfig;
import io.sluice.http.HttpListener;
import io.sluice.http.ProxyContext;
import io.sluice.l4.L4Events;
import io.sluice.l4.TcpListener;
import io.sluice.l4.UdpEvents;
import io.sluice.l4.UdpListener;
import io.sluice.runtime.RuntimeSnapshot;
import io.sluice.tls.ServerTls;
import io.sluice.turn.StunListener;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The proxy's listening sockets, HTTP, TCP and UDP, by name; binds them at start and reconciles them with a
 * reloaded configuration: a listener whose socket settings stay keeps its socket and its connections (an
 * HTTP one takes its new settings and certificates in place), a new one is bound, a removed one stops
 * accepting and drains, and one whose address or protocol changed is bound anew while the old drains.
 * Reads are thread-safe; {@link #bindAll} and {@link #reconcile} are called by one thread at a time.
 */
final class ListenerSet {
    /** The SOFTWARE attribute of STUN answers: the product and its version. */
    private static final String SOFTWARE = "Sluice " + Objects.requireNonNullElse(
            ListenerSet.class.getPackage().getImplementationVersion(), "dev");
    private final ProxyContext proxy;
    private final L4Events l4Events;
    private final Supplier<RuntimeSnapshot> snapshot;
    private final LongSupplier clock;
    private final List<HttpListener> http = new CopyOnWriteArrayList<>();
    private final List<TcpListener> tcp = new CopyOnWriteArrayList<>();
    private final List<UdpListener> udp = new CopyOnWriteArrayList<>();
    private final List<StunListener> stun = new CopyOnWriteArrayList<>();
    private EventLoopGroup boss;
    private EventLoopGroup workers;

    ListenerSet(ProxyContext proxy, L4Events l4Events, Supplier<RuntimeSnapshot> snapshot, LongSupplier clock) {
        this.proxy = proxy;
        this.l4Events = l4Events;
        this.snapshot = snapshot;
        this.clock = clock;
    }

    /** Something to bind that may fail; its failure names the address. */
    interface Bind {
        void run() throws InterruptedException;
    }

    /** Runs {@code bind}, turning any failure but an interrupt into an IllegalStateException naming the address. */
    static void bindOrExplain(Bind bind, String address) throws InterruptedException {
        try {
            bind.run();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    /** Binds every listener of {@code config}: HTTP ones first, since tcp listeners may hand connections to them. */
    void bindAll(Config config, EventLoopGroup bossGroup, EventLoopGroup workerGroup) throws InterruptedException {
        this.boss = bossGroup;
        this.workers = workerGroup;
        for (ListenerConfig lc : config.listeners()) {
            if (lc.stunServer()) {
                stun.add(bindStun(lc));
            } else if (!lc.layer4()) {
                http.add(bindHttp(lc));
            }
        }
        for (ListenerConfig lc : config.listeners()) {
            if (lc.layer4() && !lc.udp()) {
                tcp.add(bindTcp(lc));
            } else if (lc.udp()) {
                udp.add(bindUdp(lc));
            }
        }
    }

    private HttpListener bindHttp(ListenerConfig lc) throws InterruptedException {
        HttpListener l = new HttpListener(lc, proxy);
        bindOrExplain(() -> l.bind(boss, workers), lc.bind().toString());
        return l;
    }

    private TcpListener bindTcp(ListenerConfig lc) throws InterruptedException {
        TcpListener l = new TcpListener(lc, proxy, this::http, l4Events);
        bindOrExplain(() -> l.bind(boss, workers), lc.bind().toString());
        return l;
    }

    private StunListener bindStun(ListenerConfig lc) throws InterruptedException {
        StunListener l = new StunListener(lc, SOFTWARE);
        bindOrExplain(() -> l.bind(boss, workers), lc.bind().toString());
        return l;
    }

    private UdpListener bindUdp(ListenerConfig lc) throws InterruptedException {
        UdpListener l = new UdpListener(lc, snapshot, new UdpEvents(l4Events), clock);
        bindOrExplain(() -> l.bind(workers), lc.bind().toString());
        return l;
    }

    /** A stun or turn listener's new settings, and its new certificates when they changed (else null). */
    private record StunUpdate(ListenerConfig config, ServerTls tls) {
    }

    /**
     * What {@link #prepare} decided for a reload, before anything changed: the certificates to swap in, and
     * the listeners to add, update, replace and remove.
     */
    final class Plan {
        private final Map<HttpListener, ListenerConfig> updates = new HashMap<>();
        private final Map<HttpListener, HttpListener.Certificates> certificates = new HashMap<>();
        private final List<ListenerConfig> added = new ArrayList<>();
        private final List<Object> removed = new ArrayList<>();
        private final List<String> changes = new ArrayList<>();
        private final Map<StunListener, StunUpdate> stunUpdates = new HashMap<>();

        List<String> changes() {
            return changes;
        }
    }

    /**
     * Compares the listeners with {@code next} and builds any certificates it needs, changing nothing yet.
     *
     * @throws io.sluice.tls.TlsException when a certificate or key of {@code next} cannot be used
     */
    Plan prepare(Config next) {
        Plan plan = new Plan();
        Map<String, ListenerConfig> wanted = new HashMap<>();
        next.listeners().forEach(lc -> wanted.put(lc.name(), lc));
        for (HttpListener l : http) {
            ListenerConfig lc = wanted.remove(l.config().name());
            if (lc == null) {
                plan.removed.add(l);
                plan.changes.add("listener " + l.config().name() + " removed");
            } else if (!lc.layer4() && !lc.stunServer() && l.canUpdate(lc)) {
                HttpListener.Certificates certs = l.prepareTls(lc);
                if (certs != null) {
                    plan.certificates.put(l, certs);
                    plan.changes.add("listener " + lc.name() + ": certificates reloaded");
                }
                if (!lc.equals(l.config())) {
                    plan.updates.put(l, lc);
                }
            } else {
                plan.removed.add(l);
                plan.added.add(lc);
                plan.changes.add("listener " + lc.name() + " rebound on " + lc.bind());
            }
        }
        for (TcpListener l : tcp) {
            l4Plan(plan, wanted, l, l.config(), false);
        }
        for (UdpListener l : udp) {
            l4Plan(plan, wanted, l, l.config(), true);
        }
        for (StunListener l : stun) {
            ListenerConfig lc = wanted.remove(l.config().name());
            boolean newCerts = lc != null && lc.tls() != null && !ServerTls.fingerprint(lc.tls()).equals(l.tlsFiles());
            if (lc == null) {
                plan.removed.add(l);
                plan.changes.add("listener " + l.config().name() + " removed");
            } else if (lc.equals(l.config()) && !newCerts) {
                continue; // nothing to do: its sockets, connections and allocations stay
            } else if (l.canUpdate(lc)) {
                // in place: allocations and connections stay; a certificate that cannot be used fails the reload now
                ServerTls certs = newCerts || !java.util.Objects.equals(lc.tls(), l.config().tls())
                        ? ServerTls.build(lc) : null;
                plan.stunUpdates.put(l, new StunUpdate(lc, certs));
                plan.changes.add("listener " + lc.name() + ": settings updated in place"
                        + (certs != null ? ", certificates reloaded" : ""));
            } else {
                if (lc.secure()) {
                    ServerTls.build(lc);
                }
                plan.removed.add(l);
                plan.added.add(lc);
                plan.changes.add("listener " + lc.name() + " rebound on " + lc.bind());
            }
        }
        for (ListenerConfig lc : next.listeners()) {
            if (wanted.containsKey(lc.name())) {
                if (lc.secure()) {
                    ServerTls.build(lc); // fail the reload now, before anything changed, on a bad certificate
                }
                plan.added.add(lc);
                plan.changes.add("listener " + lc.name() + " added on " + lc.bind());
            }
        }
        return plan;
    }

    private static void l4Plan(Plan plan, Map<String, ListenerConfig> wanted, Object listener, ListenerConfig old,
                               boolean isUdp) {
        ListenerConfig lc = wanted.remove(old.name());
        if (lc == null) {
            plan.removed.add(listener);
            plan.changes.add("listener " + old.name() + " removed");
        } else if (lc.udp() != isUdp || !lc.layer4() || !sameL4Socket(old, lc)) {
            plan.removed.add(listener);
            plan.added.add(lc);
            plan.changes.add("listener " + lc.name() + " rebound on " + lc.bind());
        }
        // else: its routes live in the snapshot; the socket and its connections stay as they are
    }

    /** True when two tcp or udp listener configurations differ at most in routes and fallback. */
    private static boolean sameL4Socket(ListenerConfig a, ListenerConfig b) {
        L4Config x = a.l4();
        L4Config y = b.l4();
        return a.bind().equals(b.bind()) && a.protocol().equals(b.protocol())
                && a.proxyProtocol().equals(b.proxyProtocol())
                && x.detectTimeout().equals(y.detectTimeout()) && x.detectBuffer() == y.detectBuffer()
                && x.idleTimeout().equals(y.idleTimeout()) && x.maxConnections() == y.maxConnections();
    }

    /**
     * Applies a plan: retires removed and replaced listeners (stop accepting, drain for up to {@code drain}),
     * binds new ones, and hands kept HTTP listeners their new settings and certificates. Call after the new
     * snapshot is published, so that new connections route by it.
     *
     * @return problems met (a new address that cannot be bound); the rest of the plan is applied regardless
     */
    List<String> apply(Plan plan, Duration drain) throws InterruptedException {
        for (Map.Entry<HttpListener, HttpListener.Certificates> e : plan.certificates.entrySet()) {
            HttpListener l = e.getKey();
            l.update(plan.updates.getOrDefault(l, l.config()), e.getValue());
        }
        for (Map.Entry<HttpListener, ListenerConfig> e : plan.updates.entrySet()) {
            if (!plan.certificates.containsKey(e.getKey())) {
                e.getKey().update(e.getValue(), null);
            }
        }
        plan.stunUpdates.forEach((l, u) -> l.update(u.config(), u.tls()));
        for (Object l : plan.removed) {
            if (l instanceof HttpListener h) {
                http.remove(h);
                h.retire(drain);
            } else if (l instanceof TcpListener t) {
                tcp.remove(t);
                t.retire(drain);
            } else if (l instanceof UdpListener u) {
                udp.remove(u);
                u.stop();
            } else if (l instanceof StunListener t) {
                stun.remove(t);
                t.stop();
            }
        }
        List<String> problems = new ArrayList<>();
        List<ListenerConfig> order = new ArrayList<>(plan.added.stream().filter(lc -> !lc.layer4()).toList());
        order.addAll(plan.added.stream().filter(ListenerConfig::layer4).toList());
        for (ListenerConfig lc : order) {
            try {
                if (lc.stunServer()) {
                    stun.add(bindStun(lc));
                } else if (!lc.layer4()) {
                    http.add(bindHttp(lc));
                } else if (lc.udp()) {
                    udp.add(bindUdp(lc));
                } else {
                    tcp.add(bindTcp(lc));
                }
            } catch (RuntimeException e) {
                problems.add("listener " + lc.name() + ": " + e.getMessage());
            }
        }
        return problems;
    }

    /** The HTTP or HTTPS listener with this name, or null. */
    HttpListener http(String name) {
        for (HttpListener l : http) {
            if (l.config().name().equals(name)) {
                return l;
            }
        }
        return null;
    }

    /** The bound address of the named listener. */
    InetSocketAddress address(String name) {
        HttpListener h = http(name);
        if (h != null) {
            return h.localAddress();
        }
        for (TcpListener l : tcp) {
            if (l.config().name().equals(name)) {
                return l.localAddress();
            }
        }
        for (UdpListener l : udp) {
            if (l.config().name().equals(name)) {
                return l.localAddress();
            }
        }
        for (StunListener l : stun) {
            if (l.config().name().equals(name)) {
                return l.localAddress();
            }
        }
        throw new IllegalArgumentException("no listener named " + name);
    }

    /** Open client connections (or UDP sessions) of the named listener; 0 for an unknown name. */
    int openConnections(String name) {
        HttpListener h = http(name);
        if (h != null) {
            return h.openConnections();
        }
        for (TcpListener l : tcp) {
            if (l.config().name().equals(name)) {
                return l.openConnections();
            }
        }
        for (UdpListener l : udp) {
            if (l.config().name().equals(name)) {
                return l.openSessions();
            }
        }
        for (StunListener l : stun) {
            if (l.config().name().equals(name)) {
                return l.openConnections();
            }
        }
        return 0;
    }

    /** "name@address" of every listener, for the startup line. */
    List<String> describe() {
        List<String> bound = new ArrayList<>();
        http.forEach(l -> bound.add(l.config().name() + "@" + l.localAddress()));
        tcp.forEach(l -> bound.add(l.config().name() + "@tcp/" + l.localAddress()));
        udp.forEach(l -> bound.add(l.config().name() + "@udp/" + l.localAddress()));
        stun.forEach(l -> bound.add(l.config().name() + "@" + l.config().protocol() + "/" + l.localAddress()));
        return bound;
    }

    /** Stops accepting everywhere (shutdown); open connections are left to the caller's drain. */
    void stopAll() {
        http.forEach(HttpListener::stopAccepting);
        tcp.forEach(TcpListener::stopAccepting);
        udp.forEach(UdpListener::stop);
        stun.forEach(StunListener::stop);
    }

    /** Every stun and turn listener now. */
    List<StunListener> stunListeners() {
        return List.copyOf(stun);
    }

    /** The stun listener with this name, or null. */
    StunListener stun(String name) {
        for (StunListener l : stun) {
            if (l.config().name().equals(name)) {
                return l;
            }
        }
        return null;
    }

    /** The redirect listener's address of the named https listener, or null. */
    InetSocketAddress redirectAddress(String name) {
        HttpListener h = http(name);
        if (h == null) {
            throw new IllegalArgumentException("no listener named " + name);
        }
        return h.redirectAddress();
    }
}

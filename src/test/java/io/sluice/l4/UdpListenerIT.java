package io.sluice.l4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.sluice.balance.Backend;
import io.sluice.config.AdminConfig;
import io.sluice.config.Config;
import io.sluice.config.HeadersConfig;
import io.sluice.config.HostPort;
import io.sluice.config.L4Config;
import io.sluice.config.L4MatchConfig;
import io.sluice.config.L4RouteConfig;
import io.sluice.config.LimitsConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.ProxyProtocolConfig;
import io.sluice.config.UpstreamProtocol;
import io.sluice.runtime.BackendRegistry;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RuntimeSnapshot;
import io.sluice.runtime.Transport;
import io.sluice.testing.TestConfigs;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The udp listener over real loopback sockets: echo backends that tag each reply with their name, clients
 * each on their own port. Checks that replies match requests and come from the listener's address, that
 * sessions spread (round_robin) or stick (ip_hash), expire when idle, are bounded by max_sessions, follow
 * prefix, detector and fallback routes, and that an unreachable backend counts as a failure.
 */
class UdpListenerIT {
    private static final Duration LONG_IDLE = Duration.ofSeconds(30);

    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private final Recorder events = new Recorder();
    private EventLoopGroup group;
    private UdpListener listener;
    private RuntimeSnapshot snapshot;

    @AfterEach
    void tearDown() throws Exception {
        if (listener != null) {
            listener.stop();
        }
        for (AutoCloseable c : closeLater) {
            c.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void hundredClientsGetTheirOwnRepliesFromBothBackendsUnderRoundRobin() throws Exception {
        Echo a = echo("a");
        Echo b = echo("b");
        start(l4(List.of(), toPool("main"), LONG_IDLE, 1000), List.of(udpPool("main", "round_robin", a, b)));
        int clients = 100;
        int rounds = 20;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> served = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                served.add(pool.submit(() -> {
                    try (Client c = client()) {
                        go.await();
                        String backend = null;
                        for (int j = 0; j < rounds; j++) {
                            String request = "client-" + id + "-datagram-" + j;
                            Reply r = c.exchange(request);
                            assertThat(r.payload()).isEqualTo(request);
                            assertThat(r.from()).as("the reply comes from the address the client wrote to")
                                    .isEqualTo(listener.localAddress());
                            if (backend == null) {
                                backend = r.backend();
                            }
                            assertThat(r.backend()).as("one client, one session, one backend").isEqualTo(backend);
                        }
                        return backend;
                    }
                }));
            }
            go.countDown();
            Map<String, Integer> perBackend = new HashMap<>();
            for (Future<String> f : served) {
                perBackend.merge(f.get(60, TimeUnit.SECONDS), 1, Integer::sum);
            }
            assertThat(perBackend.get("a")).as("sessions per backend: %s", perBackend).isBetween(40, 60);
            assertThat(perBackend.get("b")).as("sessions per backend: %s", perBackend).isBetween(40, 60);
        } finally {
            pool.shutdownNow();
        }
        assertThat(a.peers.size() + b.peers.size()).as("one upstream socket per session").isEqualTo(clients);
        assertThat(listener.openSessions()).isEqualTo(clients);
        assertThat(events.opened).hasSize(clients);
        assertThat(listener.droppedDatagrams()).isZero();
        assertThat(inFlight("main")).as("each open session is one attempt in flight").isEqualTo(clients);

        listener.stop();
        assertThat(listener.openSessions()).isZero();
        assertThat(events.closed).hasSize(clients).allSatisfy(r -> {
            assertThat(r.reason()).isEqualTo(UdpListener.CloseReason.STOPPED);
            assertThat(r.fromClientDatagrams()).isEqualTo(rounds);
            assertThat(r.toClientDatagrams()).isEqualTo(rounds);
            assertThat(r.toClientBytes()).isEqualTo(r.fromClientBytes() + 2L * rounds); // "a|" or "b|" each
            assertThat(r.firstReplyNanos()).isBetween(0L, r.durationNanos());
        });
        assertThat(inFlight("main")).isZero();
    }

    @Test
    void ipHashKeepsEveryClientOfOneAddressOnOneBackendAcrossSessions() throws Exception {
        Echo a = echo("a");
        Echo b = echo("b");
        start(l4(List.of(), toPool("main"), Duration.ofMillis(300), 1000), List.of(udpPool("main", "ip_hash", a, b)));
        List<String> backends = new ArrayList<>();
        for (int session = 0; session < 2; session++) {
            // The round's clients stay open together, so each has its own port: a client closed early could see
            // its port given to the next while its session is still open, and that one would open no session.
            List<Client> round = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    Client c = client();
                    round.add(c);
                    for (int j = 0; j < 5; j++) {
                        Reply r = c.exchange("ip-" + i + "-" + j);
                        assertThat(r.payload()).isEqualTo("ip-" + i + "-" + j);
                        backends.add(r.backend());
                    }
                }
            } finally {
                for (Client c : round) {
                    c.close();
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.openSessions() == 0);
        }
        assertThat(backends).hasSize(100).containsOnly(backends.get(0));
        assertThat(events.opened).hasSize(20);
    }

    @Test
    void sessionsEndAfterTheIdleTimeoutButNotWhileTrafficFlows() throws Exception {
        Echo a = echo("a");
        start(l4(List.of(), toPool("main"), Duration.ofMillis(500), 1000), List.of(udpPool("main", "round_robin", a)));
        try (Client busy = client(); Client quiet = client()) {
            quiet.exchange("once");
            long started = System.nanoTime();
            int n = 0;
            // Well past the timeout, never idle for more than ~50 ms: the session must carry on.
            while (System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(1500)) {
                assertThat(busy.exchange("tick-" + n).payload()).isEqualTo("tick-" + n);
                n++;
                Thread.sleep(50); // pacing the traffic, not waiting for anything
            }
            assertThat(events.opened).as("the busy client kept its session").hasSize(2);
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.openSessions() == 0);
            assertThat(events.closed).hasSize(2).allSatisfy(r ->
                    assertThat(r.reason()).isEqualTo(UdpListener.CloseReason.IDLE));
            UdpSessionReport busyReport = events.closed.stream()
                    .filter(r -> r.client().getPort() == busy.port()).findFirst().orElseThrow();
            assertThat(busyReport.fromClientDatagrams()).isEqualTo(n);
            assertThat(busyReport.durationNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1500));

            assertThat(busy.exchange("again").payload()).as("a new session after expiry").isEqualTo("again");
            assertThat(events.opened).hasSize(3);
        }
        assertThat(inFlight("main")).isEqualTo(1);
    }

    @Test
    void maxSessionsDropsTheDatagramsOfOneClientTooMany() throws Exception {
        Echo a = echo("a");
        start(l4(List.of(), toPool("main"), LONG_IDLE, 5), List.of(udpPool("main", "round_robin", a)));
        List<Client> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Client c = client();
            five.add(c);
            assertThat(c.exchange("hello " + i).payload()).isEqualTo("hello " + i);
        }
        assertThat(listener.openSessions()).isEqualTo(5);
        try (Client sixth = client()) {
            sixth.send("let me in");
            sixth.send("please");
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.droppedDatagrams() == 2);
            assertThat(events.dropped).containsOnly(UdpListener.DropReason.SESSION_LIMIT);
            sixth.socket.setSoTimeout(200);
            assertThatThrownBy(sixth::receive).isInstanceOf(SocketTimeoutException.class);
            assertThat(listener.openSessions()).isEqualTo(5);
            for (int i = 0; i < 5; i++) {
                assertThat(five.get(i).exchange("still " + i).payload()).as("open sessions carry on")
                        .isEqualTo("still " + i);
            }
        }
        assertThat(a.peers).hasSize(5);
    }

    @Test
    void routesByPrefixAndDetectorFallBackWhenUnmatchedOrNoBackendAndDropWithNeither() throws Exception {
        Echo a = echo("a");
        Echo b = echo("b");
        Detector hello = new Detector() {
            @Override
            public String protocol() {
                return "hello";
            }

            @Override
            public boolean datagram() {
                return true;
            }

            @Override
            public Detection detect(ByteBuf seen) {
                byte[] want = "HELLO".getBytes(StandardCharsets.US_ASCII);
                if (seen.readableBytes() < want.length) {
                    return Detection.NEED_MORE;
                }
                for (int i = 0; i < want.length; i++) {
                    if (seen.getByte(seen.readerIndex() + i) != want[i]) {
                        return Detection.NO_MATCH;
                    }
                }
                return Detection.MATCH;
            }
        };
        List<L4RouteConfig> routes = List.of(
                L4RouteConfig.toPool(new L4MatchConfig("hello", List.of(), List.of(), null), "b"),
                L4RouteConfig.toPool(prefix("A:"), "a"),
                L4RouteConfig.toPool(prefix("E:"), "empty"));
        start(l4(routes, toPool("b"), LONG_IDLE, 1000),
                List.of(udpPool("a", "round_robin", a), udpPool("b", "round_robin", b), udpPool("empty", "round_robin")),
                DetectorSet.of(List.of(hello)));
        try (Client byPrefix = client(); Client byDetector = client(); Client unmatched = client();
             Client emptyPool = client()) {
            assertThat(byPrefix.exchange("A:first").backend()).isEqualTo("a");
            assertThat(byPrefix.exchange("no prefix now").backend()).as("routed once, by the first datagram")
                    .isEqualTo("a");
            assertThat(byDetector.exchange("HELLO there").backend()).isEqualTo("b");
            assertThat(unmatched.exchange("something else").backend()).as("fallback").isEqualTo("b");
            assertThat(emptyPool.exchange("E:nobody home").backend()).as("no backend in the route's pool: fallback")
                    .isEqualTo("b");
        }
        assertThat(events.opened).extracting(o -> o.route().index() + ">" + o.pool().name())
                .containsExactlyInAnyOrder("1>a", "0>b", "-1>b", "-1>b");
        listener.stop();

        // The same routes without a fallback: unmatched datagrams and a route with no backend are dropped.
        events.clear();
        start(l4(routes, null, LONG_IDLE, 1000),
                List.of(udpPool("a", "round_robin", a), udpPool("b", "round_robin", b), udpPool("empty", "round_robin")),
                DetectorSet.of(List.of(hello)));
        try (Client unmatched = client(); Client emptyPool = client(); Client byPrefix = client()) {
            unmatched.send("no route for me");
            emptyPool.send("E:nobody home");
            assertThat(byPrefix.exchange("A:still fine").backend()).isEqualTo("a");
            await().atMost(Duration.ofSeconds(5)).until(() -> listener.droppedDatagrams() == 2);
            assertThat(events.dropped).containsExactlyInAnyOrder(UdpListener.DropReason.NO_ROUTE,
                    UdpListener.DropReason.NO_BACKEND);
            assertThat(listener.openSessions()).isEqualTo(1);
        }
    }

    @Test
    void anUnreachableBackendCountsAsAFailureAndEndsTheSession() throws Exception {
        int deadPort;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            deadPort = s.getLocalPort(); // bound and closed: nothing listens there now
        }
        start(l4(List.of(), toPool("dead"), LONG_IDLE, 1000),
                List.of(PoolConfig.builder("dead").protocol(UpstreamProtocol.UDP)
                        .backends(TestConfigs.backends(deadPort)).build()));
        Backend dead = snapshot.pool("dead").backends().get(0);
        try (Client c = client()) {
            c.send("anyone there?");
            await().atMost(Duration.ofSeconds(5)).until(() -> events.closed.size() == 1);
            UdpSessionReport r = events.closed.peek();
            assertThat(r.reason()).isEqualTo(UdpListener.CloseReason.UNREACHABLE);
            assertThat(r.failed()).isTrue();
            assertThat(r.toClientDatagrams()).isZero();
            assertThat(listener.openSessions()).isZero();
            assertThat(dead.state().failures()).isEqualTo(1);
            assertThat(dead.state().requests()).isEqualTo(1);
            assertThat(dead.state().inFlight()).isZero();
            assertThat(dead.state().breaker().windowFailures()).isEqualTo(1);

            c.send("and now?"); // a new session, which fails the same way
            await().atMost(Duration.ofSeconds(5)).until(() -> events.closed.size() == 2);
            assertThat(dead.state().failures()).isEqualTo(2);
            assertThat(dead.state().breaker().windowFailures()).isEqualTo(2);
        }
    }

    // ---- fixtures ----

    private void start(L4Config l4, List<PoolConfig> pools) throws InterruptedException {
        start(l4, pools, DetectorSet.standard());
    }

    private void start(L4Config l4, List<PoolConfig> pools, DetectorSet detectors) throws InterruptedException {
        ListenerConfig lc = ListenerConfig.l4("udp", new HostPort("127.0.0.1", 0), ListenerConfig.UDP, l4,
                ProxyProtocolConfig.OFF);
        Config config = new Config(List.of(lc), pools, new AdminConfig(false, new HostPort("127.0.0.1", 0), null),
                LimitsConfig.DEFAULTS, HeadersConfig.DEFAULTS, 2);
        snapshot = RuntimeSnapshot.build(config, new BackendRegistry(), null, detectors);
        if (group == null) {
            group = Transport.newGroup(2, "udp-it");
        }
        RuntimeSnapshot s = snapshot;
        listener = new UdpListener(lc, () -> s, events);
        listener.bind(group);
        assertThat(listener.sockets()).isEqualTo(Transport.name().equals("nio") ? 1 : 2);
    }

    private static L4Config l4(List<L4RouteConfig> routes, L4RouteConfig fallback, Duration idle, int maxSessions) {
        return new L4Config(routes, fallback, L4Config.DETECT_TIMEOUT, L4Config.DETECT_BUFFER, idle, maxSessions);
    }

    private static L4RouteConfig toPool(String pool) {
        return L4RouteConfig.toPool(L4MatchConfig.ANY, pool);
    }

    private static L4MatchConfig prefix(String text) {
        return new L4MatchConfig(null, List.of(), List.of(), text.getBytes(StandardCharsets.US_ASCII));
    }

    private static PoolConfig udpPool(String name, String strategy, Echo... backends) {
        int[] ports = new int[backends.length];
        for (int i = 0; i < ports.length; i++) {
            ports[i] = backends[i].port();
        }
        return PoolConfig.builder(name).strategy(strategy).protocol(UpstreamProtocol.UDP)
                .backends(TestConfigs.backends(ports)).build();
    }

    private int inFlight(String pool) {
        PoolRuntime p = snapshot.pool(pool);
        return p.backends().stream().mapToInt(b -> b.state().inFlight()).sum();
    }

    private Echo echo(String name) throws IOException {
        Echo e = new Echo(name);
        closeLater.add(e);
        return e;
    }

    private Client client() throws IOException {
        return new Client(listener.localAddress());
    }

    /** A reply: which backend sent it, what it echoed, and the address it came from. */
    private record Reply(String backend, String payload, InetSocketAddress from) {
    }

    /** A client on its own loopback port, talking to one address; a receive waits at most 5 s. */
    private static final class Client implements AutoCloseable {
        final DatagramSocket socket;
        private final InetSocketAddress to;
        private final byte[] buffer = new byte[65_535];

        Client(InetSocketAddress to) throws IOException {
            this.to = to;
            this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            socket.setSoTimeout(5_000);
        }

        int port() {
            return socket.getLocalPort();
        }

        void send(String text) throws IOException {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(b, b.length, to));
        }

        Reply receive() throws IOException {
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            socket.receive(p);
            String text = new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
            int bar = text.indexOf('|');
            return new Reply(text.substring(0, bar), text.substring(bar + 1), (InetSocketAddress) p.getSocketAddress());
        }

        Reply exchange(String text) throws IOException {
            send(text);
            return receive();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** A UDP echo server on loopback that prefixes each reply with "name|" and notes who wrote to it. */
    private static final class Echo implements AutoCloseable {
        final Set<InetSocketAddress> peers = ConcurrentHashMap.newKeySet();
        private final String name;
        private final DatagramSocket socket;
        private final Thread thread;

        Echo(String name) throws IOException {
            this.name = name;
            this.socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            this.thread = new Thread(this::serve, "echo-" + name);
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve() {
            byte[] in = new byte[65_535];
            byte[] tag = (name + "|").getBytes(StandardCharsets.UTF_8);
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(in, in.length);
                try {
                    socket.receive(p);
                    peers.add((InetSocketAddress) p.getSocketAddress());
                    byte[] out = new byte[tag.length + p.getLength()];
                    System.arraycopy(tag, 0, out, 0, tag.length);
                    System.arraycopy(in, 0, out, tag.length, p.getLength());
                    socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join(5_000);
        }
    }

    /** What the listener told its observers. */
    private static final class Recorder implements UdpListener.Events {
        record Opened(L4Router.Route route, PoolRuntime pool, Backend backend, InetSocketAddress client) {
        }

        final Queue<Opened> opened = new ConcurrentLinkedQueue<>();
        final Queue<UdpSessionReport> closed = new ConcurrentLinkedQueue<>();
        final Queue<UdpListener.DropReason> dropped = new ConcurrentLinkedQueue<>();

        @Override
        public void sessionOpened(String listener, L4Router.Route route, PoolRuntime pool, Backend backend,
                                  InetSocketAddress client) {
            opened.add(new Opened(route, pool, backend, client));
        }

        @Override
        public void sessionClosed(UdpSessionReport report) {
            closed.add(report);
        }

        @Override
        public void datagramDropped(String listener, UdpListener.DropReason reason) {
            dropped.add(reason);
        }

        void clear() {
            opened.clear();
            closed.clear();
            dropped.clear();
        }
    }
}

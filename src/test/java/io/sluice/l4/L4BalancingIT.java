package io.sluice.l4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sluice.Sluice;
import io.sluice.balance.BackendState;
import io.sluice.config.ConfigLoader;
import io.sluice.health.CircuitBreaker;
import io.sluice.testing.TcpBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12 point 7: the pools, strategies, health checks, breakers and drains that HTTP uses, over tcp listeners
 * and real loopback connections, one connection being one pick. Backends greet each connection with their name
 * (a banner line), so a client knows where it landed without sending anything. Pools of tcp listeners get a TCP
 * connect probe by default, which backends see as connections that send nothing: checks count what clients were
 * told, or Sluice's own per-backend figures, never a backend's accept count.
 */
class L4BalancingIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Sluice start(String yaml) throws Exception {
        return Sluice.builder().config(ConfigLoader.parse(yaml, "test.yaml", k -> null)).build().start();
    }

    /** A tcp listener "edge" routing everything to pool "p" with these settings; admin on a free port or off. */
    private static Sluice startPool(String poolSettings, boolean admin, int... ports) throws Exception {
        StringBuilder backends = new StringBuilder();
        for (int port : ports) {
            backends.append(backends.isEmpty() ? "" : ", ").append("{ address: \"127.0.0.1:").append(port).append("\" }");
        }
        return start("""
                listeners:
                  - { name: edge, bind: "127.0.0.1:0", protocol: tcp, routes: [ { pool: p } ] }
                pools:
                  - name: p
                    protocol: tcp
                %s
                    backends: [ %s ]
                admin: %s
                """.formatted(poolSettings.indent(4).stripTrailing(), backends,
                admin ? "{ bind: \"127.0.0.1:0\" }" : "{ enabled: false }"));
    }

    private static Socket connect(InetSocketAddress a) throws IOException {
        Socket s = new Socket(a.getAddress(), a.getPort());
        s.setSoTimeout(10_000);
        return s;
    }

    /** The backend's banner line, without the newline. */
    private static String readTag(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("closed before a banner; read \"" + line + "\"");
            }
            line.append((char) c);
        }
        return line.toString();
    }

    /** Opens a connection, reads which backend took it, closes it. */
    private static String tag(InetSocketAddress edge) throws IOException {
        try (Socket s = connect(edge)) {
            return readTag(s);
        }
    }

    /** How many of {@code n} connections, one after another, each backend took. */
    private static Map<String, Integer> tally(InetSocketAddress edge, int n) throws IOException {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(tag(edge), 1, Integer::sum);
        }
        return counts;
    }

    private static BackendState state(Sluice sluice, int port) {
        return sluice.snapshot().pool("p").backend("127.0.0.1:" + port).state();
    }

    private static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static HttpResponse<String> admin(Sluice sluice, String method, String path) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sluice.adminAddress().getPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(WAIT).build();
        return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
    }

    // --- health checks and breakers ---

    @Test
    void tcpProbesTakeAKilledBackendOutAndBringItBackWhenItReturnsOnItsPort() throws Exception {
        TcpBackend b = TcpBackend.start("b\n");
        int bPort = b.port();
        try (TcpBackend a = TcpBackend.start("a\n");
             Sluice sluice = startPool("""
                     strategy: round_robin
                     health_check: { type: tcp, interval: 200ms, timeout: 200ms, healthy_threshold: 2, unhealthy_threshold: 2 }
                     circuit_breaker: false
                     """, false, a.port(), bPort)) {
            InetSocketAddress edge = sluice.listenerAddress("edge");
            BackendState bState = state(sluice, bPort);
            assertThat(tally(edge, 10)).containsExactlyInAnyOrderEntriesOf(Map.of("a", 5, "b", 5));

            b.close();
            List<String> whileFalling = new ArrayList<>();
            await().atMost(WAIT).until(() -> {
                whileFalling.add(tag(edge)); // refused connects to b are retried on a: no client fails
                return (bState.healthBits() & BackendState.FAILED_ACTIVE_CHECK) != 0;
            });
            assertThat(whileFalling).containsOnly("a");

            long attemptsOnB = bState.requests();
            assertThat(tally(edge, 20)).containsExactlyEntriesOf(Map.of("a", 20));
            assertThat(bState.requests()).as("once down, b is not even tried").isEqualTo(attemptsOnB);

            b = TcpBackend.start("b\n", bPort);
            await().atMost(WAIT).until(bState::available); // two passing probes in a row
            assertThat(tally(edge, 10)).containsExactlyInAnyOrderEntriesOf(Map.of("a", 5, "b", 5));
        } finally {
            b.close();
        }
    }

    @Test
    void refusedConnectsCountAgainstTheBackendsBreakerUntilItOpens() throws Exception {
        int dead = deadPort();
        try (TcpBackend live = TcpBackend.start("live\n");
             Sluice sluice = startPool("""
                     strategy: round_robin
                     circuit_breaker: { failure_rate: 50, window: 4, min_calls: 4, open_for: 1h }
                     """, true, dead, live.port())) {
            InetSocketAddress edge = sluice.listenerAddress("edge");
            BackendState deadState = state(sluice, dead);
            for (int i = 0; i < 20 && deadState.failures() < 4; i++) {
                assertThat(deadState.breaker().state(System.nanoTime())).isEqualTo(CircuitBreaker.State.CLOSED);
                assertThat(tag(edge)).isEqualTo("live"); // the failure is counted before the retry connects
            }
            assertThat(deadState.failures()).isEqualTo(4);
            assertThat(deadState.breaker().state(System.nanoTime())).isEqualTo(CircuitBreaker.State.OPEN);
            assertThat(deadState.healthBits()).isEqualTo(BackendState.BREAKER_OPEN);

            assertThat(tally(edge, 10)).containsExactlyEntriesOf(Map.of("live", 10));
            assertThat(deadState.requests()).as("an open breaker keeps new connections off it").isEqualTo(4);

            String metrics = admin(sluice, "GET", "/metrics").body();
            assertThat(metrics.lines().filter(l -> l.startsWith("sluice_backend_circuit_state{")
                    && l.contains("backend=\"127.0.0.1:" + dead + "\"") && l.contains("state=\"Open\"")))
                    .singleElement().asString().endsWith(" 1.0");
            assertThat(metrics.lines().filter(l -> l.startsWith("sluice_l4_backend_connect_errors_total{")
                    && l.contains("backend=\"127.0.0.1:" + dead + "\"")))
                    .singleElement().asString().endsWith(" 4.0");
        }
    }

    // --- strategies, one pick per connection ---

    @Test
    void roundRobinTakesTurns() throws Exception {
        try (TcpBackend a = TcpBackend.start("a\n");
             TcpBackend b = TcpBackend.start("b\n");
             TcpBackend c = TcpBackend.start("c\n");
             Sluice sluice = startPool("strategy: round_robin", false, a.port(), b.port(), c.port())) {
            assertThat(tally(sluice.listenerAddress("edge"), 60))
                    .containsExactlyInAnyOrderEntriesOf(Map.of("a", 20, "b", 20, "c", 20));
        }
    }

    @Test
    void weightedRoundRobinFollowsTheWeights() throws Exception {
        try (TcpBackend a = TcpBackend.start("a\n");
             TcpBackend b = TcpBackend.start("b\n");
             TcpBackend c = TcpBackend.start("c\n");
             Sluice sluice = start("""
                     listeners:
                       - { name: edge, bind: "127.0.0.1:0", protocol: tcp, routes: [ { pool: p } ] }
                     pools:
                       - name: p
                         protocol: tcp
                         strategy: weighted_round_robin
                         backends:
                           - { address: "127.0.0.1:%d", weight: 1 }
                           - { address: "127.0.0.1:%d", weight: 2 }
                           - { address: "127.0.0.1:%d", weight: 3 }
                     admin: { enabled: false }
                     """.formatted(a.port(), b.port(), c.port()))) {
            assertThat(tally(sluice.listenerAddress("edge"), 60))
                    .containsExactlyInAnyOrderEntriesOf(Map.of("a", 10, "b", 20, "c", 30));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"random", "power_of_two"})
    void randomChoicesSpreadConnectionsOverEveryBackend(String strategy) throws Exception {
        try (TcpBackend a = TcpBackend.start("a\n");
             TcpBackend b = TcpBackend.start("b\n");
             TcpBackend c = TcpBackend.start("c\n");
             Sluice sluice = startPool("strategy: " + strategy, false, a.port(), b.port(), c.port())) {
            Map<String, Integer> counts = tally(sluice.listenerAddress("edge"), 60);
            assertThat(counts).containsOnlyKeys("a", "b", "c");
            // 20 each on average; 5 or fewer of 60 at 1 in 3 is a 1-in-100,000 event
            assertThat(counts.values()).allSatisfy(n -> assertThat(n).isGreaterThan(5));
        }
    }

    @Test
    void leastConnectionsKeepsLongLivedConnectionsBalanced() throws Exception {
        try (TcpBackend a = TcpBackend.start("a\n");
             TcpBackend b = TcpBackend.start("b\n");
             TcpBackend c = TcpBackend.start("c\n");
             Sluice sluice = startPool("strategy: least_connections", false, a.port(), b.port(), c.port())) {
            InetSocketAddress edge = sluice.listenerAddress("edge");
            Map<String, List<Socket>> open = new TreeMap<>();
            try {
                for (int i = 0; i < 30; i++) {
                    Socket s = connect(edge);
                    open.computeIfAbsent(readTag(s), k -> new ArrayList<>()).add(s);
                }
                assertThat(open).allSatisfy((k, v) -> assertThat(v).as(k).hasSize(10)).containsOnlyKeys("a", "b", "c");

                List<Socket> onA = open.get("a");
                for (int i = 0; i < 6; i++) {
                    onA.remove(0).close();
                }
                BackendState aState = state(sluice, a.port());
                await().atMost(WAIT).until(() -> aState.inFlight() == 4);
                for (int i = 0; i < 6; i++) {
                    Socket s = connect(edge);
                    String where = readTag(s);
                    open.computeIfAbsent(where, k -> new ArrayList<>()).add(s);
                    assertThat(where).as("the backend with the fewest open connections").isEqualTo("a");
                }
                assertThat(List.of(a, b, c)).allSatisfy(t -> assertThat(state(sluice, t.port()).inFlight()).isEqualTo(10));

                Socket kept = open.get("b").get(0); // a connection opened first still carries bytes
                kept.getOutputStream().write("still here".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(kept.getInputStream().readNBytes(10), StandardCharsets.US_ASCII))
                        .isEqualTo("still here");
            } finally {
                for (List<Socket> list : open.values()) {
                    for (Socket s : list) {
                        s.close();
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"strategy: ip_hash", "strategy: consistent_hash\nhash_key: client_ip"})
    void clientIpHashingKeepsOneClientOnOneBackend(String settings) throws Exception {
        try (TcpBackend a = TcpBackend.start("a\n");
             TcpBackend b = TcpBackend.start("b\n");
             TcpBackend c = TcpBackend.start("c\n");
             Sluice sluice = startPool(settings, false, a.port(), b.port(), c.port())) {
            // every connection comes from 127.0.0.1, each from another port: one key
            assertThat(tally(sluice.listenerAddress("edge"), 30)).hasSize(1).containsValue(30);
        }
    }

    @Test
    void consistentHashOnSniKeepsEachServerNameOnOneBackend() throws Exception {
        try (TcpBackend a = TcpBackend.start(null);
             TcpBackend b = TcpBackend.start(null);
             TcpBackend c = TcpBackend.start(null);
             Sluice sluice = start("""
                     listeners:
                       - name: edge
                         bind: "127.0.0.1:0"
                         protocol: tcp
                         routes: [ { match: { protocol: tls }, pool: p } ]
                     pools:
                       - name: p
                         protocol: tcp
                         strategy: consistent_hash
                         hash_key: sni
                         backends: [ { address: "127.0.0.1:%d" }, { address: "127.0.0.1:%d" }, { address: "127.0.0.1:%d" } ]
                     admin: { enabled: false }
                     """.formatted(a.port(), b.port(), c.port()))) {
            InetSocketAddress edge = sluice.listenerAddress("edge");
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, null, null);
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 12; i++) { // all 12 on one of 3 backends: about 1 in 200,000
                names.add("host-" + (char) ('a' + i) + ".example.com");
            }
            for (int round = 0; round < 3; round++) {
                for (String name : names) {
                    try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(edge.getAddress(), edge.getPort())) {
                        s.setSoTimeout(10_000);
                        SSLParameters p = s.getSSLParameters();
                        p.setServerNames(List.of(new SNIHostName(name)));
                        s.setSSLParameters(p);
                        // the echo backend sends our ClientHello back, which no client accepts as an answer
                        assertThatThrownBy(s::startHandshake).isInstanceOf(IOException.class);
                    }
                }
            }
            List<TcpBackend> all = List.of(a, b, c);
            await().atMost(WAIT).untilAsserted(() -> {
                Set<Integer> used = new HashSet<>();
                for (String name : names) {
                    List<Integer> where = new ArrayList<>(); // one entry per ClientHello that named it
                    for (int i = 0; i < all.size(); i++) {
                        for (String record : all.get(i).receivedText()) {
                            if (record.contains(name)) {
                                where.add(i);
                            }
                        }
                    }
                    assertThat(where).as(name).hasSize(3).containsOnly(where.get(0));
                    used.add(where.get(0));
                }
                assertThat(used).as("the names, not the one client address, chose the backends").hasSizeGreaterThan(1);
            });
        }
    }

    /**
     * A backend slow to connect: a listening socket whose accept queue two connections of the test fill, so the
     * kernel drops further SYNs and a connect to it hangs until Sluice's connect timeout (300 ms). Sluice reports
     * that attempt's connect time like any other; the latency-aware strategies then keep new connections on the
     * backend that connects in microseconds.
     */
    @ParameterizedTest
    @ValueSource(strings = {"fastest_response", "least_ewma"})
    void latencyStrategiesPreferTheBackendThatConnectsFaster(String strategy) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket slow = new ServerSocket(0, 1, loopback);
             Socket fill1 = new Socket(loopback, slow.getLocalPort());
             Socket fill2 = new Socket(loopback, slow.getLocalPort());
             TcpBackend fast = TcpBackend.start("fast\n");
             Sluice sluice = startPool("strategy: " + strategy + "\ntimeouts: { connect: 300ms }", false,
                     slow.getLocalPort(), fast.port())) {
            try (Socket probe = new Socket()) { // the premise: connects to the slow one hang
                assertThatThrownBy(() -> probe.connect(slow.getLocalSocketAddress(), 100))
                        .isInstanceOf(SocketTimeoutException.class);
            }
            InetSocketAddress edge = sluice.listenerAddress("edge");
            BackendState slowState = state(sluice, slow.getLocalPort());
            // Without numbers the two are equal, so a connection soon tries the slow one (and is retried).
            for (int i = 0; i < 40 && slowState.requests() == 0; i++) {
                assertThat(tag(edge)).isEqualTo("fast");
            }
            assertThat(slowState.requests()).isEqualTo(1);
            long now = System.nanoTime();
            long halfLife = Duration.ofSeconds(10).toNanos();
            assertThat(slowState.peakEwma(now, halfLife)).isGreaterThan(250e6);
            assertThat(state(sluice, fast.port()).peakEwma(now, halfLife)).isLessThan(100e6);

            assertThat(tally(edge, 40)).containsExactlyEntriesOf(Map.of("fast", 40));
            assertThat(slowState.requests()).as("not tried again").isEqualTo(1);
        }
    }

    // --- drain ---

    @Test
    void aDrainFromTheAdminApiSendsNewConnectionsElsewhereAndLetsOpenOnesFinish() throws Exception {
        try (TcpBackend a = TcpBackend.start("a\n");
             TcpBackend b = TcpBackend.start("b\n");
             Sluice sluice = startPool("strategy: round_robin", true, a.port(), b.port())) {
            InetSocketAddress edge = sluice.listenerAddress("edge");
            Socket held = null;
            for (int i = 0; i < 4 && held == null; i++) {
                Socket s = connect(edge);
                if (readTag(s).equals("a")) {
                    held = s;
                } else {
                    s.close();
                }
            }
            assertThat(held).as("round robin reaches a").isNotNull();
            try (Socket open = held) {
                HttpResponse<String> r = admin(sluice, "POST", "/api/pools/p/backends/127.0.0.1:" + a.port() + "/drain");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.body().replace(" ", "")).contains("\"drained\":true", "\"in_flight\":1");
                BackendState aState = state(sluice, a.port());
                long connectsToA = aState.requests(); // Sluice's own count: the TCP probes are not in it

                assertThat(tally(edge, 10)).containsExactlyEntriesOf(Map.of("b", 10));
                assertThat(aState.requests()).as("no new connection goes to a drained backend").isEqualTo(connectsToA);
                assertThat(aState.inFlight()).as("the open one").isEqualTo(1);

                open.getOutputStream().write("still echoing".getBytes(StandardCharsets.US_ASCII));
                open.shutdownOutput();
                ByteArrayOutputStream rest = new ByteArrayOutputStream();
                open.getInputStream().transferTo(rest);
                assertThat(rest.toString(StandardCharsets.US_ASCII)).isEqualTo("still echoing");
            }
            await().atMost(WAIT).until(() -> state(sluice, a.port()).inFlight() == 0);
            assertThat(a.receivedText()).filteredOn(t -> !t.isEmpty()).containsExactly("still echoing");
        }
    }
}

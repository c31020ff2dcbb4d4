package io.sluice.health;

import static io.sluice.health.HealthFixtures.FAST;
import static io.sluice.health.HealthFixtures.pool;
import static io.sluice.health.HealthFixtures.probes;
import static io.sluice.health.HealthFixtures.refusedPort;
import static io.sluice.health.HealthFixtures.withHost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.sluice.balance.Backend;
import io.sluice.balance.BackendState;
import io.sluice.config.HealthCheckConfig;
import io.sluice.config.StatusSet;
import io.sluice.demo.DemoBackend;
import io.sluice.runtime.Transport;
import io.sluice.testing.ScriptedBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Active health checks over real loopback sockets: hysteresis, failure reasons, reloads, one probe at a time. */
class HealthCheckerIT {
    private static final Duration LIMIT = Duration.ofSeconds(20);

    private final EventLoopGroup group = Transport.newGroup(1, "test");
    private final HealthChecker checker = new HealthChecker(group);
    private final HealthFixtures fixtures = new HealthFixtures();
    private final List<AutoCloseable> backends = new CopyOnWriteArrayList<>();

    @AfterEach
    void shutDown() throws Exception {
        checker.close();
        for (AutoCloseable b : backends) {
            b.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private ScriptedBackend backend(ScriptedBackend.Script script) throws IOException {
        ScriptedBackend b = new ScriptedBackend(script);
        backends.add(b);
        return b;
    }

    /** Answers each request head with this status, an empty body and Connection: close. */
    private static void respond(Socket s, int status) throws IOException {
        String text = "HTTP/1.1 " + status + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** Reads until the peer closes; true when it did (rather than the socket failing). */
    private static boolean drain(InputStream in) {
        try {
            while (in.read() != -1) {
                // discard
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aBackendAlternatingBetween200And503NeverFlaps() throws Exception {
        ScriptedBackend server = backend((s, i) -> {
            if (ScriptedBackend.readHead(s.getInputStream()) != null) {
                respond(s, i % 2 == 0 ? 200 : 503);
            }
        });
        checker.apply(fixtures.snapshot(pool("p", FAST, server.port())));
        Backend b = fixtures.backend("p", server.port());
        await().atMost(LIMIT).until(() -> probes(b) >= 30);
        ActiveHealth h = b.state().activeHealth();
        assertThat(h.transitions()).isZero();
        assertThat(h.healthy()).isTrue();
        assertThat(b.state().healthBits()).isZero();
        assertThat(h.passed()).isPositive();
        assertThat(h.failed()).isPositive();
        assertThat(h.lastFailure()).isEqualTo("status 503");
    }

    @Test
    void aBackendAnswering503GoesDownAndComesBackAfterTwoPasses() throws Exception {
        AtomicInteger status = new AtomicInteger(503);
        ScriptedBackend server = backend((s, i) -> {
            if (ScriptedBackend.readHead(s.getInputStream()) != null) {
                respond(s, status.get());
            }
        });
        checker.apply(fixtures.snapshot(pool("p", FAST, server.port())));
        Backend b = fixtures.backend("p", server.port());
        ActiveHealth h = b.state().activeHealth();
        await().atMost(LIMIT).until(() -> !h.healthy());
        assertThat(b.state().healthBits()).isEqualTo(BackendState.FAILED_ACTIVE_CHECK);
        assertThat(h.transitions()).isEqualTo(1);
        assertThat(h.lastFailure()).isEqualTo("status 503");
        assertThat(b.state().poolUnavailable()).isEqualTo(1);

        long passedBefore = h.passed();
        status.set(200);
        await().atMost(LIMIT).until(b::available);
        assertThat(h.healthy()).isTrue();
        assertThat(h.transitions()).isEqualTo(2);
        assertThat(h.passed() - passedBefore).isGreaterThanOrEqualTo(2);
        assertThat(b.state().poolUnavailable()).isZero();
    }

    @Test
    void aRefusedPortGoesDownForHttpAndTcpChecks() throws Exception {
        int httpPort = refusedPort();
        int tcpPort = refusedPort();
        checker.apply(fixtures.snapshot(pool("http", FAST, httpPort),
                pool("tcp", FAST.withType(HealthCheckConfig.Type.TCP), tcpPort)));
        Backend http = fixtures.backend("http", httpPort);
        Backend tcp = fixtures.backend("tcp", tcpPort);
        await().atMost(LIMIT).until(() -> !http.available() && !tcp.available());
        for (Backend b : List.of(http, tcp)) {
            assertThat(b.state().healthBits()).isEqualTo(BackendState.FAILED_ACTIVE_CHECK);
            assertThat(b.state().activeHealth().lastFailure()).isEqualTo("connection refused");
            assertThat(b.state().activeHealth().transitions()).isEqualTo(1);
        }
    }

    @Test
    void aTcpCheckPassesAgainstAListeningSocketAndClosesItsConnections() throws Exception {
        AtomicInteger closedByProbe = new AtomicInteger();
        ScriptedBackend server = backend((s, i) -> {
            if (drain(s.getInputStream())) {
                closedByProbe.incrementAndGet();
            }
        });
        checker.apply(fixtures.snapshot(pool("p", FAST.withType(HealthCheckConfig.Type.TCP), server.port())));
        Backend b = fixtures.backend("p", server.port());
        await().atMost(LIMIT).until(() -> b.state().activeHealth().passed() >= 5 && closedByProbe.get() >= 5);
        assertThat(b.state().activeHealth().failed()).isZero();
        assertThat(b.available()).isTrue();
    }

    @Test
    void theProbeSendsTheConfiguredPathAndHostAndPicksUpAReload() throws Exception {
        List<String> heads = new CopyOnWriteArrayList<>();
        ScriptedBackend server = backend((s, i) -> {
            String head = ScriptedBackend.readHead(s.getInputStream());
            if (head != null) {
                heads.add(head);
                respond(s, 204);
            }
        });
        List<String> defaultHeads = new CopyOnWriteArrayList<>();
        ScriptedBackend plain = backend((s, i) -> {
            String head = ScriptedBackend.readHead(s.getInputStream());
            if (head != null) {
                defaultHeads.add(head);
                respond(s, 200);
            }
        });
        HealthCheckConfig check = withHost(FAST.withPath("/deep/health?verbose=1"), "health.example.test");
        checker.apply(fixtures.snapshot(pool("p", check, server.port()), pool("q", FAST, plain.port())));
        await().atMost(LIMIT).until(() -> !heads.isEmpty() && !defaultHeads.isEmpty());
        assertThat(heads.get(0).split("\r\n")).containsExactlyInAnyOrder(
                "GET /deep/health?verbose=1 HTTP/1.1",
                "host: health.example.test",
                "user-agent: sluice-health-check",
                "connection: close");
        assertThat(defaultHeads.get(0)).startsWith("GET /health HTTP/1.1\r\n")
                .contains("\r\nhost: 127.0.0.1:" + plain.port() + "\r\n");

        // A reload with another path and expected status: the next probes use them.
        checker.apply(fixtures.snapshot(pool("p", check.withPath("/v2"), server.port()), pool("q", FAST, plain.port())));
        await().atMost(LIMIT).until(() -> heads.get(heads.size() - 1).startsWith("GET /v2 HTTP/1.1\r\n"));
        Backend b = fixtures.backend("p", server.port());
        assertThat(b.state().activeHealth().failed()).isZero();
        assertThat(checker.checkedBackends()).isEqualTo(2);
    }

    @Test
    void aBackendThatNeverAnswersFailsWithATimeoutAndItsConnectionsAreClosed() throws Exception {
        AtomicInteger closedByProbe = new AtomicInteger();
        ScriptedBackend server = backend((s, i) -> {
            if (ScriptedBackend.readHead(s.getInputStream()) != null && drain(s.getInputStream())) {
                closedByProbe.incrementAndGet();
            }
        });
        HealthCheckConfig check = FAST.withTimeout(Duration.ofMillis(200));
        checker.apply(fixtures.snapshot(pool("p", check, server.port())));
        Backend b = fixtures.backend("p", server.port());
        await().atMost(LIMIT).until(() -> !b.available() && closedByProbe.get() >= 3);
        assertThat(b.state().activeHealth().lastFailure()).isEqualTo("timed out after 200ms");
        assertThat(b.state().activeHealth().passed()).isZero();
    }

    @Test
    void droppingTheCheckOnReloadClearsTheBitAndStopsProbing() throws Exception {
        int dead = refusedPort();
        ScriptedBackend alive = backend((s, i) -> {
            if (ScriptedBackend.readHead(s.getInputStream()) != null) {
                respond(s, 200);
            }
        });
        checker.apply(fixtures.snapshot(pool("a", FAST, dead), pool("b", FAST, alive.port())));
        Backend a = fixtures.backend("a", dead);
        Backend b = fixtures.backend("b", alive.port());
        await().atMost(LIMIT).until(() -> !a.available() && probes(b) >= 3);

        checker.apply(fixtures.snapshot(pool("a", null, dead), pool("b", FAST, alive.port())));
        assertThat(checker.checkedBackends()).isEqualTo(1);
        await().atMost(LIMIT).until(a::available);
        assertThat(a.state().poolUnavailable()).isZero();
        long frozen = probes(a);
        // b is probed on the same event loop: once it has had six more probes, any probe of a still
        // scheduled would have run.
        long from = probes(b);
        await().atMost(LIMIT).until(() -> probes(b) >= from + 6);
        assertThat(probes(a)).isEqualTo(frozen);
        assertThat(fixtures.backend("a", dead).available()).isTrue();
    }

    @Test
    void removingABackendOnReloadClearsItsBitAndStopsProbingIt() throws Exception {
        int dead = refusedPort();
        ScriptedBackend alive = backend((s, i) -> {
            if (ScriptedBackend.readHead(s.getInputStream()) != null) {
                respond(s, 200);
            }
        });
        checker.apply(fixtures.snapshot(pool("p", FAST, dead, alive.port())));
        Backend a = fixtures.backend("p", dead);
        Backend b = fixtures.backend("p", alive.port());
        await().atMost(LIMIT).until(() -> !a.available());

        checker.apply(fixtures.snapshot(pool("p", FAST, alive.port())));
        await().atMost(LIMIT).until(a::available);
        long frozen = probes(a);
        long from = probes(b);
        await().atMost(LIMIT).until(() -> probes(b) >= from + 6);
        assertThat(probes(a)).isEqualTo(frozen);
    }

    @Test
    void aSlowBackendNeverSeesTwoProbesAtOnce() throws Exception {
        AtomicInteger open = new AtomicInteger();
        AtomicInteger maxOpen = new AtomicInteger();
        ScriptedBackend server = backend((s, i) -> {
            maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            boolean asked = ScriptedBackend.readHead(s.getInputStream()) != null;
            Thread.sleep(200); // the backend is slow; nothing in the test waits on this
            open.decrementAndGet(); // before answering, so the next probe cannot overlap by our counting
            if (asked) {
                respond(s, 200);
            }
        });
        checker.apply(fixtures.snapshot(pool("p", FAST, server.port())));
        Backend b = fixtures.backend("p", server.port());
        await().atMost(LIMIT).until(() -> b.state().activeHealth().passed() >= 6);
        assertThat(maxOpen.get()).isEqualTo(1);
        long accepted = server.accepted();
        assertThat(b.state().activeHealth().failed()).isZero();
        assertThat(accepted).isLessThanOrEqualTo(b.state().activeHealth().passed() + 1);
    }

    @Test
    void closeClosesAProbeStillWaitingForItsAnswer() throws Exception {
        AtomicInteger closedByProbe = new AtomicInteger();
        ScriptedBackend server = backend((s, i) -> {
            if (ScriptedBackend.readHead(s.getInputStream()) != null && drain(s.getInputStream())) {
                closedByProbe.incrementAndGet();
            }
        });
        checker.apply(fixtures.snapshot(pool("p", FAST.withTimeout(Duration.ofSeconds(60)), server.port())));
        await().atMost(LIMIT).until(() -> server.accepted() == 1);
        checker.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> closedByProbe.get() == 1);
        assertThat(server.accepted()).isEqualTo(1);
        assertThat(checker.probesRun()).isZero();
    }

    @Test
    void theDemoBackendsHealthPassesAndAnUnexpectedStatusFails() throws Exception {
        DemoBackend demo = DemoBackend.start("127.0.0.1", 0, "demo");
        backends.add(demo);
        // The default 2 s timeout: the demo backend's very first answer in a fresh JVM (class loading on a
        // small machine) can take longer than the 500 ms of FAST.
        HealthCheckConfig health = FAST.withTimeout(Duration.ofSeconds(2));
        HealthCheckConfig only200 = new HealthCheckConfig(HealthCheckConfig.Type.HTTP, "/status/302",
                StatusSet.of(200), null, Duration.ofMillis(50), Duration.ofSeconds(2), 2, 3);
        checker.apply(fixtures.snapshot(pool("ok", health, demo.port()), pool("moved", only200, demo.port())));
        Backend ok = fixtures.backend("ok", demo.port());
        Backend moved = fixtures.backend("moved", demo.port());
        await().atMost(LIMIT).until(() -> ok.state().activeHealth().passed() >= 5 && !moved.available());
        assertThat(ok.state().activeHealth().lastFailure()).isNull();
        assertThat(ok.state().activeHealth().failed()).isZero();
        assertThat(moved.state().activeHealth().lastFailure()).isEqualTo("status 302");
    }
}

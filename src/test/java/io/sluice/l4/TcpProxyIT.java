package io.sluice.l4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.Sluice;
import io.sluice.config.Config;
import io.sluice.config.ConfigLoader;
import io.sluice.testing.TcpBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** TCP listeners over real loopback sockets: bytes both ways, half-close, retries, routing by first bytes. */
class TcpProxyIT {

    static Config config(String yaml) throws Exception {
        return ConfigLoader.parse(yaml, "test.yaml", k -> null);
    }

    static Sluice start(String yaml) throws Exception {
        return Sluice.builder().config(config(yaml)).build().start();
    }

    static Socket connect(InetSocketAddress a) throws IOException {
        Socket s = new Socket(a.getAddress(), a.getPort());
        s.setSoTimeout(10_000);
        return s;
    }

    static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** A Sluice whose tcp listener "edge" sends every connection to the one backend at {@code port}. */
    static Sluice startSink(int port) throws Exception {
        return start("""
                listeners:
                  - { name: edge, bind: "127.0.0.1:0", protocol: tcp, routes: [ { pool: sink } ] }
                pools:
                  - { name: sink, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                admin: { enabled: false }
                """.formatted(port));
    }

    /**
     * A backend on {@code backend} that shuts its side as soon as it accepts (so the client's side is the last to
     * finish), then reads at about 16 MB/s, on a thread of its own (the common pool has one thread on a 2-core
     * machine); completes with the bytes read. Connections that close having sent nothing are the pool's health
     * checks, which can come first, and are skipped. A read waits at most {@code readTimeoutMillis}.
     */
    static CompletableFuture<Long> slowHalfClosedBackend(ServerSocket backend, int readTimeoutMillis) {
        return CompletableFuture.supplyAsync(() -> {
            for (;;) {
                try (Socket b = backend.accept()) {
                    b.setSoTimeout(readTimeoutMillis);
                    b.shutdownOutput();
                    InputStream in = b.getInputStream();
                    byte[] buf = new byte[16 * 1024];
                    long got = 0;
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        got += n;
                        LockSupport.parkNanos(1_000_000); // the reader's pace, not a synchronisation
                    }
                    if (got > 0) {
                        return got;
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }, r -> {
            Thread t = new Thread(r, "slow-backend");
            t.setDaemon(true);
            t.start();
        });
    }

    static int deadPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void bytesGoBothWaysAndAHalfCloseIsPassedOn() throws Exception {
        try (TcpBackend echo = TcpBackend.start(null);
             Sluice sluice = start("""
                     listeners:
                       - { name: edge, bind: "127.0.0.1:0", protocol: tcp, routes: [ { pool: echo } ] }
                     pools:
                       - { name: echo, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                     admin: { enabled: false }
                     """.formatted(echo.port()))) {
            try (Socket s = connect(sluice.listenerAddress("edge"))) {
                s.getOutputStream().write("hello, backend".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput(); // the backend sees EOF, echoes all and shuts its side; we read to EOF
                assertThat(readAll(s.getInputStream())).isEqualTo("hello, backend");
            }
            assertThat(echo.receivedText()).filteredOn(t -> !t.isEmpty()).containsExactly("hello, backend");
        }
    }

    /**
     * The backend has already shut its side when the client finishes sending and shuts its own: Sluice closes the
     * client connection at once (nothing is left to send it), and the bytes a slow backend has not yet taken must
     * still reach it before its connection closes. Closing the backend connection with the client one dropped them.
     */
    @Test
    void bytesStillOnTheWayToASlowBackendArriveWhenTheClientSideClosesFirst() throws Exception {
        int total = 8 << 20;
        try (ServerSocket backend = new ServerSocket()) {
            backend.bind(new InetSocketAddress("127.0.0.1", 0));
            backend.setSoTimeout(20_000);
            CompletableFuture<Long> received = slowHalfClosedBackend(backend, 20_000);
            try (Sluice sluice = startSink(backend.getLocalPort());
                 Socket s = connect(sluice.listenerAddress("edge"))) {
                byte[] chunk = new byte[64 * 1024];
                for (int sent = 0; sent < total; sent += chunk.length) {
                    s.getOutputStream().write(chunk);
                }
                s.shutdownOutput();
                assertThat(s.getInputStream().read()).as("the backend sent nothing").isEqualTo(-1);
                assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo(total);
            }
        }
    }

    @Test
    void aRefusedConnectIsRetriedOnAnotherBackendBeforeAnyByteIsSent() throws Exception {
        int dead = deadPort();
        try (TcpBackend echo = TcpBackend.start("hi\n");
             Sluice sluice = start("""
                     listeners:
                       - { name: edge, bind: "127.0.0.1:0", protocol: tcp, routes: [ { pool: p } ] }
                     pools:
                       - name: p
                         protocol: tcp
                         strategy: round_robin
                         health_check: { type: tcp, interval: 1h }
                         backends: [ { address: "127.0.0.1:%d" }, { address: "127.0.0.1:%d" } ]
                     admin: { enabled: false }
                     """.formatted(dead, echo.port()))) {
            for (int i = 0; i < 6; i++) {
                try (Socket s = connect(sluice.listenerAddress("edge"))) {
                    s.getOutputStream().write(("n" + i).getBytes(StandardCharsets.US_ASCII));
                    s.shutdownOutput();
                    assertThat(readAll(s.getInputStream())).isEqualTo("hi\nn" + i);
                }
            }
            assertThat(echo.receivedText()).filteredOn(t -> !t.isEmpty()).hasSize(6); // probes send nothing
        }
    }

    @Test
    void aPrefixRoutesAndEverythingElseGoesToTheFallbackWithEveryByte() throws Exception {
        try (TcpBackend ping = TcpBackend.start("ping-pool\n");
             TcpBackend other = TcpBackend.start("other-pool\n");
             Sluice sluice = start("""
                     listeners:
                       - name: edge
                         bind: "127.0.0.1:0"
                         protocol: tcp
                         detect_timeout: 300ms
                         routes: [ { match: { prefix: "PING" }, pool: ping } ]
                         fallback: other
                     pools:
                       - { name: ping, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                       - { name: other, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                     admin: { enabled: false }
                     """.formatted(ping.port(), other.port()))) {
            InetSocketAddress edge = sluice.listenerAddress("edge");
            try (Socket s = connect(edge)) { // one byte at a time: still routed by the whole prefix
                for (char c : "PING me".toCharArray()) {
                    s.getOutputStream().write(c);
                    s.getOutputStream().flush();
                }
                s.shutdownOutput();
                assertThat(readAll(s.getInputStream())).isEqualTo("ping-pool\nPING me");
            }
            try (Socket s = connect(edge)) {
                s.getOutputStream().write("PONG".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                assertThat(readAll(s.getInputStream())).isEqualTo("other-pool\nPONG");
            }
            try (Socket s = connect(edge)) { // silent until the server talks: the fallback after detect_timeout
                InputStream in = s.getInputStream();
                byte[] greeting = in.readNBytes("other-pool\n".length());
                assertThat(new String(greeting, StandardCharsets.US_ASCII)).isEqualTo("other-pool\n");
                s.getOutputStream().write("late words".getBytes(StandardCharsets.US_ASCII));
                s.shutdownOutput();
                assertThat(readAll(in)).isEqualTo("late words");
            }
            // (empty records are the default TCP health probes, which connect and close)
            Set<String> seen = new HashSet<>(other.receivedText());
            seen.remove("");
            assertThat(seen).containsExactlyInAnyOrder("PONG", "late words");
            assertThat(ping.receivedText()).filteredOn(t -> !t.isEmpty()).containsExactly("PING me");
        }
    }

    @Test
    void aQuietConnectionIsClosedAfterTheIdleTimeoutAndABusyOneIsNot() throws Exception {
        try (TcpBackend echo = TcpBackend.start(null);
             Sluice sluice = start("""
                     listeners:
                       - { name: edge, bind: "127.0.0.1:0", protocol: tcp, idle_timeout: 400ms, routes: [ { pool: echo } ] }
                     pools:
                       - { name: echo, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                     admin: { enabled: false }
                     """.formatted(echo.port()))) {
            try (Socket quiet = connect(sluice.listenerAddress("edge"));
                 Socket busy = connect(sluice.listenerAddress("edge"))) {
                long start = System.nanoTime();
                // The busy one sends a byte every 100 ms for a second and gets each echoed.
                for (int i = 0; i < 10; i++) {
                    busy.getOutputStream().write('x');
                    assertThat(busy.getInputStream().read()).isEqualTo('x');
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L); // pacing, not synchronisation
                }
                assertThat(quiet.getInputStream().read()).as("closed by the idle timeout").isEqualTo(-1);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
                busy.getOutputStream().write('y');
                assertThat(busy.getInputStream().read()).isEqualTo('y');
            }
        }
    }

    @Test
    void connectionsPastMaxConnectionsAreClosedAtOnce() throws Exception {
        try (TcpBackend echo = TcpBackend.start("hi\n");
             Sluice sluice = start("""
                     listeners:
                       - { name: edge, bind: "127.0.0.1:0", protocol: tcp, max_connections: 2, routes: [ { pool: echo } ] }
                     pools:
                       - { name: echo, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                     admin: { enabled: false }
                     """.formatted(echo.port()))) {
            InetSocketAddress edge = sluice.listenerAddress("edge");
            try (Socket a = connect(edge); Socket b = connect(edge)) {
                assertThat(a.getInputStream().readNBytes(3)).isEqualTo("hi\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(b.getInputStream().readNBytes(3)).isEqualTo("hi\n".getBytes(StandardCharsets.US_ASCII));
                try (Socket c = connect(edge)) {
                    assertThat(readAll(c.getInputStream())).as("the third is closed unanswered").isEmpty();
                }
            }
            await().until(() -> {
                try (Socket d = connect(edge)) {
                    return d.getInputStream().readNBytes(3).length == 3; // room again once the two closed
                }
            });
        }
    }

    @Test
    void aBackendThatNeverAcceptsTimesOutAndTheNextBackendTakesTheConnection() throws Exception {
        // A listening socket whose accept queue is full drops new SYNs: connects to it hang until they time out.
        try (ServerSocket stuck = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             TcpBackend echo = TcpBackend.start("ok\n")) {
            java.util.List<Socket> filler = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket f = new Socket();
                    try {
                        f.connect(stuck.getLocalSocketAddress(), 200);
                        filler.add(f);
                    } catch (IOException e) {
                        f.close();
                        break; // the queue is full
                    }
                }
                try (Sluice sluice = start("""
                        listeners:
                          - { name: edge, bind: "127.0.0.1:0", protocol: tcp, routes: [ { pool: p } ] }
                        pools:
                          - name: p
                            protocol: tcp
                            strategy: round_robin
                            timeouts: { connect: 200ms }
                            health_check: { type: tcp, interval: 1h, timeout: 100ms }
                            backends: [ { address: "127.0.0.1:%d" }, { address: "127.0.0.1:%d" } ]
                        admin: { enabled: false }
                        """.formatted(stuck.getLocalPort(), echo.port()))) {
                    for (int i = 0; i < 4; i++) {
                        try (Socket s = connect(sluice.listenerAddress("edge"))) {
                            assertThat(s.getInputStream().readNBytes(3)).isEqualTo("ok\n".getBytes(StandardCharsets.US_ASCII));
                        }
                    }
                    assertThat(sluice.snapshot().pool("p").backends().get(0).state().failures()).isPositive();
                }
            } finally {
                for (Socket f : filler) {
                    f.close();
                }
            }
        }
    }

    @Test
    void aPoolWithoutUsableBackendsHandsItsConnectionsToItsFallbackPool() throws Exception {
        try (TcpBackend main = TcpBackend.start("main\n");
             TcpBackend spare = TcpBackend.start("spare\n");
             Sluice sluice = start("""
                     listeners:
                       - { name: edge, bind: "127.0.0.1:0", protocol: tcp, routes: [ { pool: main } ] }
                     pools:
                       - { name: main, protocol: tcp, fallback_pool: spare, backends: [ { address: "127.0.0.1:%d" } ] }
                       - { name: spare, protocol: tcp, backends: [ { address: "127.0.0.1:%d" } ] }
                     admin: { enabled: false }
                     """.formatted(main.port(), spare.port()))) {
            InetSocketAddress edge = sluice.listenerAddress("edge");
            try (Socket s = connect(edge)) {
                assertThat(new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("main\n");
            }
            sluice.snapshot().pool("main").backends().get(0).state()
                    .setHealthBit(io.sluice.balance.BackendState.ADMIN_DRAINED, true);
            try (Socket s = connect(edge)) {
                assertThat(new String(s.getInputStream().readNBytes(6), StandardCharsets.US_ASCII)).isEqualTo("spare\n");
            }
        }
    }

    @Test
    void aClientThatLeavesWhileTheConnectIsPendingCountsNothingAgainstTheBackend() throws Exception {
        try (ServerSocket stuck = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            java.util.List<Socket> filler = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) { // fill the accept queue: later connects hang
                    Socket f = new Socket();
                    try {
                        f.connect(stuck.getLocalSocketAddress(), 200);
                        filler.add(f);
                    } catch (IOException e) {
                        f.close();
                        break;
                    }
                }
                try (Sluice sluice = start("""
                        listeners:
                          - { name: edge, bind: "127.0.0.1:0", protocol: tcp, routes: [ { pool: p } ] }
                        pools:
                          - name: p
                            protocol: tcp
                            health_check: false
                            timeouts: { connect: 5s }
                            backends: [ { address: "127.0.0.1:%d" } ]
                        admin: { enabled: false }
                        """.formatted(stuck.getLocalPort()))) {
                    io.sluice.balance.Backend b = sluice.snapshot().pool("p").backends().get(0);
                    try (Socket s = connect(sluice.listenerAddress("edge"))) {
                        await().until(() -> b.state().inFlight() == 1); // Sluice is connecting
                        s.setSoLinger(true, 0); // a reset: the client is gone (a FIN alone may still want an answer)
                    }
                    long start = System.nanoTime();
                    await().until(() -> b.state().inFlight() == 0);
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("dropped at once, not at the connect timeout")
                            .isLessThan(Duration.ofSeconds(4));
                    assertThat(b.state().failures()).as("the client left; the backend did nothing wrong").isZero();
                    assertThat(b.available()).isTrue();
                }
            } finally {
                for (Socket f : filler) {
                    f.close();
                }
            }
        }
    }
}

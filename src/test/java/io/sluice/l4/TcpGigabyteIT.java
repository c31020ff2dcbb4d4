package io.sluice.l4;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.testing.SluiceProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A gibibyte each way through a separate Sluice process held to a 64 MiB heap (and so, by default, 64 MiB of
 * direct memory): both readers are slow for their first 64 MiB, so Sluice must stop reading from the fast
 * sender rather than buffer. Every byte is checked by a SHA-256 over each direction, and the process's
 * resident memory is sampled throughout.
 */
class TcpGigabyteIT {
    private static final long TOTAL = 1L << 30;
    private static final long SLOW_PART = 64L << 20;
    private static final int BLOCK = 1 << 20;

    /** A deterministic stream: a random 1 MiB block whose first 8 bytes carry the block number. */
    private static final class Source {
        private final byte[] block = new byte[BLOCK];

        Source(long seed) {
            new Random(seed).nextBytes(block);
        }

        String send(OutputStream out) throws Exception {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (long i = 0; i < TOTAL / BLOCK; i++) {
                for (int k = 0; k < 8; k++) {
                    block[k] = (byte) (i >>> (8 * k));
                }
                md.update(block);
                out.write(block);
            }
            out.flush();
            return HexFormat.of().formatHex(md.digest());
        }
    }

    /** Reads to EOF, slowly (about 32 MiB/s) for the first {@link #SLOW_PART}; returns the digest. */
    private static String receive(InputStream in, AtomicLong count) throws Exception {
        return receive(in, count, MessageDigest.getInstance("SHA-256"));
    }

    private static String receive(InputStream in, AtomicLong count, MessageDigest md) throws Exception {
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
            if (count.addAndGet(n) < SLOW_PART) {
                LockSupport.parkNanos(2_000_000); // a slow consumer, not a synchronisation
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void aGibibyteEachWayPastSlowReadersArrivesWholeWithASmallHeap() throws Exception {
        // Own threads: these tasks block on sockets, and the common pool may have a single thread.
        java.util.concurrent.ExecutorService io = java.util.concurrent.Executors.newCachedThreadPool();
        try (ServerSocket backend = new ServerSocket()) {
            backend.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = SluiceProcess.freePort();
            Path cfg = SluiceProcess.writeConfig("""
                    listeners:
                      - { name: edge, bind: "127.0.0.1:%d", protocol: tcp, routes: [ { pool: sink } ] }
                    pools:
                      - name: sink
                        protocol: tcp
                        # Busy probes on the same event loops: with them, Netty 4.2.18's epoll defect that
                        # EpollZeroOpsGuard works around cut this transfer short every time.
                        health_check: { type: tcp, interval: 200ms }
                        backends: [ { address: "127.0.0.1:%d" } ]
                    admin: { enabled: false }
                    """.formatted(port, backend.getLocalPort()));
            try (SluiceProcess sluice = SluiceProcess.start(List.of("-Xmx64m", "-DSLUICE_LOG_LEVEL=DEBUG"), "-c", cfg.toString())) {
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                        .until(() -> sluice.output().contains("sluice started"));
                AtomicLong backendGot = new AtomicLong();
                AtomicLong clientGot = new AtomicLong();
                CompletableFuture<String[]> backendSide = CompletableFuture.supplyAsync(() -> {
                    MessageDigest md = call(() -> MessageDigest.getInstance("SHA-256"));
                    try (Socket s = acceptTraffic(backend, md, backendGot)) {
                        CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> call(() -> {
                            String d = new Source(2).send(s.getOutputStream());
                            s.shutdownOutput();
                            return d;
                        }), io);
                        String got = receive(s.getInputStream(), backendGot, md);
                        return new String[] {got, sent.get(120, TimeUnit.SECONDS)};
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, io);
                long maxRssKib = 0;
                try (Socket c = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    c.setSoTimeout(60_000);
                    CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> call(() -> {
                        String d = new Source(1).send(c.getOutputStream());
                        c.shutdownOutput();
                        return d;
                    }), io);
                    CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> call(
                            () -> receive(c.getInputStream(), clientGot)), io);
                    while (!got.isDone() || !backendSide.isDone()) {
                        maxRssKib = Math.max(maxRssKib, sluice.rssKib());
                        assertThat(sluice.isAlive()).as("sluice died:\n%s", sluice.output()).isTrue();
                        try {
                            CompletableFuture.allOf(got, backendSide).get(200, TimeUnit.MILLISECONDS);
                        } catch (java.util.concurrent.TimeoutException e) {
                            // sample again
                        }
                    }
                    String[] b;
                    try {
                        b = backendSide.get();
                    } catch (Exception e) {
                        throw new AssertionError("sluice said:\n" + sluice.output(), e);
                    }
                    assertThat(clientGot.get()).as("sluice said:%n%s", tail(sluice.output())).isEqualTo(TOTAL);
                    assertThat(backendGot.get()).isEqualTo(TOTAL);
                    assertThat(b[0]).as("client -> backend").isEqualTo(sent.get());
                    assertThat(got.get()).as("backend -> client").isEqualTo(b[1]);
                }
                assertThat(sluice.output()).doesNotContain("OutOfMemoryError").doesNotContain("LEAK");
                System.out.printf("TcpGigabyteIT: sluice -Xmx64m peak RSS %d MiB while moving 2 GiB%n", maxRssKib / 1024);
                assertThat(maxRssKib).as("peak RSS in KiB").isLessThan(400 * 1024);
            }
        } finally {
            io.shutdownNow();
        }
    }

    /**
     * The first connection that carries a byte (Sluice's TCP health probes connect and close without one); that
     * byte is counted and digested.
     */
    /** The last lines of a log, where a failure would show. */
    private static String tail(String log) {
        List<String> lines = log.lines().filter(l -> !l.contains("probe")).toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static Socket acceptTraffic(ServerSocket server, MessageDigest md, AtomicLong count) throws IOException {
        server.setSoTimeout(30_000);
        while (true) {
            Socket s = server.accept();
            s.setSoTimeout(60_000);
            int first = s.getInputStream().read();
            if (first >= 0) {
                md.update((byte) first);
                count.incrementAndGet();
                return s;
            }
            s.close();
        }
    }

    private interface Body<T> {
        T run() throws Exception;
    }

    private static <T> T call(Body<T> body) {
        try {
            return body.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

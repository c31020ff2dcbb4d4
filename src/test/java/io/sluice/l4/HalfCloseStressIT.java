package io.sluice.l4;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.Sluice;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A fresh Sluice relays 8 MiB to a backend that shut its side at once and reads slowly, so the relay's writes wait
 * for room on a half-closed connection; three rounds in the build, {@code -Dstress.rounds=N} for more. Beside two
 * CPU hogs ({@code yes >/dev/null &} twice) and with {@code -Dsluice.transport=io_uring}, 15 rounds stalled in 7 of
 * 12 runs before {@link io.netty.channel.uring.PollResultGuard} and in none of 8 after it; run it so after a Netty
 * upgrade. When a round stalls it prints the kernel's view of the sockets ({@code ss -tnmi}) before failing.
 */
class HalfCloseStressIT {
    private static final Executor OWN_THREAD = r -> {
        Thread t = new Thread(r, "stress-client");
        t.setDaemon(true);
        t.start();
    };

    @Test
    void eightMebibytesReachAHalfClosedSlowBackendEveryRound() throws Exception {
        int rounds = Integer.getInteger("stress.rounds", 3);
        int total = 8 << 20;
        for (int round = 0; round < rounds; round++) {
            try (ServerSocket backend = new ServerSocket()) {
                backend.bind(new InetSocketAddress("127.0.0.1", 0));
                backend.setSoTimeout(20_000);
                CompletableFuture<Long> received = TcpProxyIT.slowHalfClosedBackend(backend, 10_000);
                try (Sluice sluice = TcpProxyIT.startSink(backend.getLocalPort());
                     Socket s = TcpProxyIT.connect(sluice.listenerAddress("edge"))) {
                    CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                        try {
                            byte[] chunk = new byte[64 * 1024];
                            for (int n = 0; n < total; n += chunk.length) {
                                s.getOutputStream().write(chunk);
                            }
                            s.shutdownOutput();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }, OWN_THREAD);
                    String what = "round " + round + ", backend port " + backend.getLocalPort();
                    try {
                        sent.get(30, TimeUnit.SECONDS);
                        assertThat(s.getInputStream().read()).as(what).isEqualTo(-1);
                        assertThat(received.get(30, TimeUnit.SECONDS)).as(what).isEqualTo(total);
                    } catch (TimeoutException | java.util.concurrent.ExecutionException | IOException e) {
                        String sockets;
                        try {
                            Process ss = new ProcessBuilder("ss", "-tnmi").redirectErrorStream(true).start();
                            sockets = new String(ss.getInputStream().readAllBytes());
                        } catch (IOException noSs) {
                            sockets = "(no ss here: " + noSs.getMessage() + ")";
                        }
                        System.out.println("stalled: " + what + "\n" + sockets);
                        throw new AssertionError("stalled: " + what, e);
                    }
                }
            }
        }
    }
}

package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.Sluice;
import io.sluice.config.LimitsConfig;
import io.sluice.config.PoolConfig;
import io.sluice.testing.H2Wire;
import io.sluice.testing.ScriptedBackend;
import io.sluice.testing.TestConfigs;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * An HTTP/2 upload goes only as fast as the backend takes it: Sluice gives a stream's window back to the client only
 * for body it has sent on upstream, so a backend that stops reading stops the client once the sockets between them
 * are full (nothing piles up in the proxy), and the upload goes on, whole, when the backend reads again.
 */
class Http2UploadIT {
    private static final int INITIAL_WINDOW = 65_535; // RFC 9113's initial stream and connection windows
    private static final int FRAME = 16_384;
    private static final long BODY = 48L << 20;
    /**
     * At most what may cross while the backend reads nothing: the backend's small receive buffer, Sluice's upstream
     * send buffer (autotuned, at most net.ipv4.tcp_wmem's 4 MB here), the upstream channel's write buffer and the
     * windows, with room to spare; far under the body.
     */
    private static final long HELD_AT_MOST = 16L << 20;

    @Test
    void anUploadToABackendThatStopsReadingStopsTheClientAndGoesOnWholeWhenItReadsAgain() throws Exception {
        CountDownLatch readAgain = new CountDownLatch(1);
        AtomicLong received = new AtomicLong();
        try (ServerSocket server = new ServerSocket()) {
            server.setReceiveBufferSize(64 * 1024); // before bind: accepted sockets keep it, not autotuned
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread backend = new Thread(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    if (ScriptedBackend.readHead(in) == null || !readAgain.await(60, TimeUnit.SECONDS)) {
                        return;
                    }
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while (received.get() < BODY && (n = in.read(buf)) != -1) {
                        received.addAndGet(n);
                    }
                    ScriptedBackend.writeOk(s, Long.toString(received.get()));
                } catch (Exception e) {
                    // the test failed or ended; its assertions say why
                }
            }, "upload-backend");
            backend.setDaemon(true);
            backend.start();
            PoolConfig pool = PoolConfig.builder("p").backends(TestConfigs.backends(server.getLocalPort())).build();
            LimitsConfig d = LimitsConfig.DEFAULTS;
            LimitsConfig limits = new LimitsConfig(d.maxHeaderSize(), BODY, d.headerTimeout(), d.idleTimeout(),
                    d.maxConnections(), d.drainTimeout());
            try (Sluice sluice = Sluice.builder().config(TestConfigs.create().workers(1).limits(limits).pool(pool)
                    .build()).build().start();
                 H2Wire c = new H2Wire(sluice.listenerAddress("web")).startReading()) {
                c.preface();
                c.send(H2Wire.headers(1, H2Wire.request("POST", "http", "upload.test", "/up", "content-length",
                        Long.toString(BODY)), false));

                Upload up = new Upload(c);
                up.sendWhileTheWindowAllows(Duration.ofSeconds(2)); // stops when no window came for 2 s
                assertThat(up.sent).as("body the client could send while the backend read nothing")
                        .isLessThanOrEqualTo(HELD_AT_MOST);
                assertThat(received.get()).isZero();

                readAgain.countDown();
                up.sendWhileTheWindowAllows(Duration.ofSeconds(30));
                assertThat(up.sent).as("the whole body, once the backend reads").isEqualTo(BODY);
                await().atMost(Duration.ofSeconds(30)).until(() -> c.status(1) != null);
                assertThat(c.status(1)).isEqualTo(200);
                assertThat(received.get()).isEqualTo(BODY);
            }
        }
    }

    /** The client's side of stream 1: DATA frames as far as the stream's and the connection's windows allow. */
    private static final class Upload {
        private final H2Wire c;
        private final byte[] payload = new byte[FRAME];
        long sent;

        Upload(H2Wire c) {
            this.c = c;
        }

        private long window() {
            long stream = INITIAL_WINDOW + c.windowGranted(1) - sent;
            long connection = INITIAL_WINDOW + c.windowGranted(0) - sent;
            return Math.min(stream, connection);
        }

        /** Sends until the body is all sent, or the window stays shut for {@code patience}. */
        void sendWhileTheWindowAllows(Duration patience) throws Exception {
            while (sent < BODY) {
                long used = sent - INITIAL_WINDOW; // window granted beyond the initial one that is used up
                if (window() <= 0 && !c.awaitWindowOver(patience, 1, used, 0, used)) {
                    return;
                }
                int n = (int) Math.min(Math.min(FRAME, window()), BODY - sent);
                byte[] p = n == FRAME ? payload : new byte[n];
                sent += n;
                c.send(H2Wire.data(1, p, sent == BODY));
            }
        }
    }
}

package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.Sluice;
import io.sluice.config.LimitsConfig;
import io.sluice.testing.RawHttp;
import io.sluice.testing.RecordingBackend;
import io.sluice.testing.TestConfigs;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A request body that stops coming is cut after the idle timeout (408, then close), like nginx's
 * client_body_timeout; a body that keeps coming, however slowly, is not.
 */
class SlowBodyIT {
    private static Sluice start(RecordingBackend backend) throws Exception {
        LimitsConfig limits = new LimitsConfig(16 * 1024, 1 << 20, Duration.ofSeconds(10), Duration.ofMillis(800),
                10_000, Duration.ofSeconds(1));
        return Sluice.builder().config(TestConfigs.create().limits(limits).pool("p", backend.port()).build()).build()
                .start();
    }

    @Test
    void aStalledBodyGetsA408AndNeverReachesTheBackendComplete() throws Exception {
        try (RecordingBackend backend = new RecordingBackend();
             Sluice sluice = start(backend);
             RawHttp c = new RawHttp(sluice.listenerAddress("web")).timeout(5000)) {
            long t0 = System.nanoTime();
            c.send("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n0123456789");
            RawHttp.Response r = c.read();
            long waited = Duration.ofNanos(System.nanoTime() - t0).toMillis();
            assertThat(r.status()).isEqualTo(408);
            assertThat(c.closedByPeer()).isTrue();
            assertThat(waited).as("cut after the idle timeout, not before").isGreaterThanOrEqualTo(700);
            assertThat(backend.requests()).isEmpty();
        }
    }

    @Test
    void aSlowButSteadyBodyGoesThrough() throws Exception {
        try (RecordingBackend backend = new RecordingBackend();
             Sluice sluice = start(backend);
             RawHttp c = new RawHttp(sluice.listenerAddress("web")).timeout(5000)) {
            c.send("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\n");
            for (String part : new String[] {"ab", "cd", "ef"}) {
                // Each part comes well within the idle timeout, the whole body well after it.
                Thread.sleep(400); // pacing the client, not synchronising: the proxy's timer is what is tested
                c.send(part);
            }
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(backend.requests()).singleElement()
                    .satisfies(q -> assertThat(q.bodyText()).isEqualTo("abcdef"));
        }
    }
}

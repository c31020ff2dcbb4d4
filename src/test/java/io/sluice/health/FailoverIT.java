package io.sluice.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sluice.Sluice;
import io.sluice.balance.Backend;
import io.sluice.config.HealthCheckConfig;
import io.sluice.config.PoolConfig;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.RawHttp;
import io.sluice.testing.Load;
import io.sluice.testing.TestConfigs;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Active checks and retries together, as a user sees them: a backend dies under steady load and comes back,
 * and the clients never notice; every backend dies and clients get a clean 503 or the fallback's answer.
 */
class FailoverIT {
    private static final Duration INTERVAL = Duration.ofMillis(250);
    private static final int RISE = 2;
    private static final int FALL = 3;
    /** Scheduling slack on a loaded two-core machine: one more interval. */
    private static final Duration SLACK = INTERVAL;
    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

    private static HealthCheckConfig check() {
        return HealthCheckConfig.DEFAULTS.withPath("/health").withInterval(INTERVAL)
                .withTimeout(Duration.ofMillis(200)).withThresholds(RISE, FALL);
    }

    @Test
    void aBackendKilledUnderLoadIsMarkedDownAndBackWithoutAClientSeeingAnError() throws Exception {
        DemoBackend b1 = DemoBackend.start("127.0.0.1", 0, "b1");
        DemoBackend b2 = DemoBackend.start("127.0.0.1", 0, "b2");
        DemoBackend b3 = DemoBackend.start("127.0.0.1", 0, "b3");
        int port2 = b2.port();
        try (Sluice sluice = Sluice.builder().config(TestConfigs.create().pool(PoolConfig.builder("web")
                     .backends(TestConfigs.backends(b1.port(), port2, b3.port())).healthCheck(check()).build())
                     .build()).build().start()) {
            Backend victim = sluice.snapshot().pool("web").backends().get(1);
            try (Load load = new Load(sluice.listenerAddress("web"), 4)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> load.served("b1") > 50
                        && load.served("b2") > 50 && load.served("b3") > 50);

                long killed = System.nanoTime();
                b2.close();
                await().atMost(INTERVAL.multipliedBy(FALL).plus(SLACK)).pollInterval(Duration.ofMillis(5))
                        .until(() -> !victim.state().activeHealth().healthy());
                long downMillis = (System.nanoTime() - killed) / 1_000_000;
                assertThat(victim.available()).isFalse();
                long beforeRestart = load.requests();
                await().atMost(Duration.ofSeconds(10)).until(() -> load.requests() > beforeRestart + 200);
                long servedWhileDown = load.served("b2");

                long restarted = System.nanoTime();
                b2 = DemoBackend.start("127.0.0.1", port2, "b2");
                await().atMost(INTERVAL.multipliedBy(RISE).plus(SLACK)).pollInterval(Duration.ofMillis(5))
                        .until(() -> victim.state().activeHealth().healthy());
                long upMillis = (System.nanoTime() - restarted) / 1_000_000;
                await().atMost(Duration.ofSeconds(10)).until(() -> load.served("b2") > servedWhileDown + 50);
                System.out.printf("failover: down after %d ms (limit %d), back after %d ms (limit %d), "
                                + "%d requests, served %s, errors %s%n", downMillis, INTERVAL.toMillis() * FALL,
                        upMillis, INTERVAL.toMillis() * RISE, load.requests(), load.servedBy(), load.errors());
                assertThat(victim.available()).isTrue();
                load.close();
                assertThat(load.errors()).as("what the clients saw go wrong").isEmpty();
                assertThat(load.requests()).isGreaterThan(500);
            }
            assertThat(victim.state().activeHealth().transitions()).isEqualTo(2);
        } finally {
            b1.close();
            b2.close();
            b3.close();
        }
    }

    @Test
    void withEveryBackendDownClientsGet503WithRetryAfterOrTheFallbacksAnswer() throws Exception {
        DemoBackend a = DemoBackend.start("127.0.0.1", 0, "a");
        DemoBackend b = DemoBackend.start("127.0.0.1", 0, "b");
        DemoBackend fallback = DemoBackend.start("127.0.0.1", 0, "static");
        try (Sluice plain = Sluice.builder().config(TestConfigs.create().pool(PoolConfig.builder("web")
                     .backends(TestConfigs.backends(a.port(), b.port())).healthCheck(check()).build())
                     .build()).build().start();
             Sluice withFallback = Sluice.builder().config(TestConfigs.create()
                     .pool(PoolConfig.builder("web").backends(TestConfigs.backends(a.port(), b.port()))
                             .healthCheck(check()).fallbackPool("static").build())
                     .pool(PoolConfig.builder("static").backends(TestConfigs.backends(fallback.port())).build())
                     .route(io.sluice.config.MatchConfig.ANY, "web")
                     .build()).build().start();
             RawHttp c1 = new RawHttp(plain.listenerAddress("web"));
             RawHttp c2 = new RawHttp(withFallback.listenerAddress("web"))) {
            assertThat(c1.send(GET).read().status()).isEqualTo(200);
            assertThat(c2.send(GET).read().header("X-Served-By")).isIn("a", "b");
            a.close();
            b.close();
            for (Sluice s : List.of(plain, withFallback)) {
                await().atMost(INTERVAL.multipliedBy(FALL).plus(SLACK))
                        .until(() -> s.snapshot().pool("web").healthyCount() == 0);
            }
            RawHttp.Response r = c1.send(GET).read();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.header("Retry-After")).isEqualTo("1");
            assertThat(r.body()).isEqualTo("503 Service Unavailable\n");
            assertThat(c1.send(GET).read().status()).as("the connection stays usable").isEqualTo(503);

            for (int i = 0; i < 5; i++) {
                RawHttp.Response f = c2.send(GET).read();
                assertThat(f.status()).isEqualTo(200);
                assertThat(f.header("X-Served-By")).isEqualTo("static");
            }
        } finally {
            a.close();
            b.close();
            fallback.close();
        }
    }
}

package io.sluice.health;

import io.sluice.balance.Backend;
import io.sluice.config.AdminConfig;
import io.sluice.config.BackendConfig;
import io.sluice.config.Config;
import io.sluice.config.HeadersConfig;
import io.sluice.config.HealthCheckConfig;
import io.sluice.config.HostPort;
import io.sluice.config.LimitsConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.config.MatchConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.RouteConfig;
import io.sluice.runtime.BackendRegistry;
import io.sluice.runtime.RuntimeSnapshot;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Snapshots of loopback pools for health-check tests, built the way a reload builds them: one registry,
 * each snapshot after the previous one, so that backend state carries over. Not thread-safe.
 */
final class HealthFixtures {
    /** The brief's fast check: HTTP GET /health every 50 ms, 500 ms timeout, rise 2, fall 3. */
    static final HealthCheckConfig FAST = HealthCheckConfig.DEFAULTS.withInterval(Duration.ofMillis(50))
            .withTimeout(Duration.ofMillis(500)).withPath("/health");

    private final BackendRegistry registry = new BackendRegistry();
    private RuntimeSnapshot current;

    /** A pool of 127.0.0.1 backends on these ports with this check (null for none). */
    static PoolConfig pool(String name, HealthCheckConfig check, int... ports) {
        List<BackendConfig> backends = new ArrayList<>();
        for (int p : ports) {
            backends.add(new BackendConfig(new HostPort("127.0.0.1", p), 1));
        }
        return PoolConfig.builder(name).backends(backends).healthCheck(check).build();
    }

    /** The check with another Host header (the config record has no wither for it). */
    static HealthCheckConfig withHost(HealthCheckConfig c, String host) {
        return new HealthCheckConfig(c.type(), c.path(), c.expectStatus(), host, c.interval(), c.timeout(),
                c.healthyThreshold(), c.unhealthyThreshold());
    }

    /** Builds the next snapshot of these pools (a reload when one was built before). */
    RuntimeSnapshot snapshot(PoolConfig... pools) {
        ListenerConfig web = new ListenerConfig("web", new HostPort("127.0.0.1", 0), "http",
                List.of(new RouteConfig(MatchConfig.ANY, pools[0].name())));
        Config config = new Config(List.of(web), List.of(pools), new AdminConfig(false, new HostPort("127.0.0.1", 0), null),
                LimitsConfig.DEFAULTS, HeadersConfig.DEFAULTS, 1);
        current = RuntimeSnapshot.build(config, registry, current);
        registry.markStarted();
        return current;
    }

    /** The backend of the last snapshot's pool at this port. */
    Backend backend(String pool, int port) {
        for (Backend b : current.pool(pool).backends()) {
            if (b.endpoint().address().port() == port) {
                return b;
            }
        }
        throw new IllegalArgumentException("no backend " + pool + "/" + port);
    }

    /** Probes run against this backend so far, passed or failed. */
    static long probes(Backend b) {
        ActiveHealth h = b.state().activeHealth();
        return h.passed() + h.failed();
    }

    /** A loopback port nothing listens on (it was free a moment ago). */
    /**
     * A loopback port nothing listens on. It is taken below the kernel's ephemeral range (32768 and up on
     * Linux), so no later bind to port 0 nor an outgoing connection's source port can take it while the
     * test runs.
     */
    static int refusedPort() throws IOException {
        java.util.Random random = new java.util.Random();
        for (int i = 0; i < 100; i++) {
            int port = 20_000 + random.nextInt(12_000);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free port below the ephemeral range");
    }
}

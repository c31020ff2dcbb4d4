package io.sluice.cli;

import io.sluice.config.AccessLogConfig;
import io.sluice.config.AdminConfig;
import io.sluice.config.BackendConfig;
import io.sluice.config.Config;
import io.sluice.config.HeadersConfig;
import io.sluice.config.HostPort;
import io.sluice.config.LimitsConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.config.MatchConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.RouteConfig;
import io.sluice.config.HealthCheckConfig;
import io.sluice.demo.DemoBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code sluice demo}: three demo backends and a proxy in front of them, all on 127.0.0.1. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start three demo backends (127.0.0.1:3001-3003) behind the proxy on 127.0.0.1:8080, "
                + "with the admin listener (API, /metrics, /dashboard) on 127.0.0.1:9901. The backends are "
                + "health-checked every 2 s and each request is written to the access log on standard output. "
                + "Ctrl-C stops everything.")
final class DemoCommand implements Callable<Integer> {
    @Mixin
    TransportOption transport;

    @Option(names = "--port", defaultValue = "8080", description = "Proxy port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--admin-port", defaultValue = "9901", description = "Admin port (default: ${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--backend-port", defaultValue = "3001",
            description = "First demo backend port; the others follow (default: ${DEFAULT-VALUE}).")
    int backendPort;

    @Option(names = "--backends-only", description = "Start only the three demo backends, for a proxy of your own"
            + " (e.g. quick mode, whose default backends they are: ./sluice -a least_connections).")
    boolean backendsOnly;

    @Override
    public Integer call() throws Exception {
        List<DemoBackend> started = new ArrayList<>();
        List<BackendConfig> backends = new ArrayList<>();
        Runnable stopBackends = () -> started.forEach(DemoBackend::close);
        try {
            for (int i = 0; i < 3; i++) {
                DemoBackend b = DemoBackend.start("127.0.0.1", backendPort + i, "backend-" + (i + 1));
                started.add(b);
                backends.add(new BackendConfig(new HostPort("127.0.0.1", b.port()), 1));
            }
        } catch (Exception e) {
            System.err.println("error: cannot start demo backends on 127.0.0.1:" + backendPort + "-"
                    + (backendPort + 2) + ": " + e.getMessage());
            stopBackends.run();
            return 1;
        }
        if (backendsOnly) {
            return serveBackendsOnly(started, backends, stopBackends);
        }
        Config config = new Config(
                List.of(new ListenerConfig("demo", new HostPort("127.0.0.1", port), "http",
                        List.of(new RouteConfig(MatchConfig.ANY, "demo")))),
                List.of(PoolConfig.builder("demo").backends(backends)
                        .healthCheck(HealthCheckConfig.every(Duration.ofSeconds(2)).withPath("/health")).build()),
                new AdminConfig(true, new HostPort("127.0.0.1", adminPort), null),
                LimitsConfig.DEFAULTS, new HeadersConfig(true, true), 0).withAccessLog(AccessLogConfig.STDOUT);
        System.out.printf("""

                Sluice demo
                  proxy     http://127.0.0.1:%1$d/   (round robin over 3 backends, health-checked every 2 s)
                  admin     http://127.0.0.1:%2$d/_health
                  dashboard http://127.0.0.1:%2$d/dashboard
                  backends  %3$s

                Try:
                  curl -s 127.0.0.1:%1$d/              # again and again: backend-1, backend-2, backend-3 in turn
                  curl -si 127.0.0.1:%1$d/delay/300    # a slow answer; see X-Backend-Server
                  curl -s 127.0.0.1:%1$d/status/503    # retried on the other backends, then passed on
                  curl -s 127.0.0.1:%2$d/_health

                Ctrl-C stops everything.

                """, port, adminPort, backends.stream().map(b -> b.address().toString()).toList());
        System.out.flush();
        return Runner.run(config, stopBackends);
    }

    /** Runs the backends alone until SIGTERM or Ctrl-C. */
    private static int serveBackendsOnly(List<DemoBackend> started, List<BackendConfig> backends, Runnable stop)
            throws InterruptedException {
        System.out.printf("""

                Sluice demo backends %s
                  proxy them with quick mode:  ./sluice -a least_connections   (port 8080; -p to change it)
                Ctrl-C stops them.

                """, backends.stream().map(b -> b.address().toString()).toList());
        System.out.flush();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Signals.onStop(() -> {
            stop.run();
            done.countDown();
        });
        done.await();
        return 0;
    }
}

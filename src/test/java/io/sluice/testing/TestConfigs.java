package io.sluice.testing;

import io.sluice.config.AdminConfig;
import io.sluice.config.BackendConfig;
import io.sluice.config.Config;
import io.sluice.config.HeadersConfig;
import io.sluice.config.Http2Config;
import io.sluice.config.ListenerTlsConfig;
import io.sluice.config.HostPort;
import io.sluice.config.LimitsConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.config.MatchConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.RouteConfig;
import io.sluice.config.TimeoutsConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds small configurations for tests: one listener "web" on 127.0.0.1:0, admin on 127.0.0.1:0, and
 * pools of loopback backends. Not thread-safe.
 */
public final class TestConfigs {
    private final List<PoolConfig> pools = new ArrayList<>();
    private final List<RouteConfig> routes = new ArrayList<>();
    private LimitsConfig limits = LimitsConfig.DEFAULTS;
    private HeadersConfig headers = HeadersConfig.DEFAULTS;
    private int workers = 2;
    private String strategy = "round_robin";
    private String adminToken;
    private ListenerTlsConfig tls;
    private HostPort redirectFrom;
    private Http2Config http2 = Http2Config.DEFAULTS;

    public static TestConfigs create() {
        return new TestConfigs();
    }

    public TestConfigs pool(String name, TimeoutsConfig timeouts, int... ports) {
        List<BackendConfig> backends = new ArrayList<>();
        for (int p : ports) {
            backends.add(new BackendConfig(new HostPort("127.0.0.1", p), 1));
        }
        pools.add(new PoolConfig(name, strategy, backends, timeouts, null));
        return this;
    }

    /** Adds a pool built in full by the test. */
    public TestConfigs pool(PoolConfig pool) {
        pools.add(pool);
        return this;
    }

    /** Loopback backends on these ports, weight 1. */
    public static List<BackendConfig> backends(int... ports) {
        List<BackendConfig> backends = new ArrayList<>();
        for (int p : ports) {
            backends.add(new BackendConfig(new HostPort("127.0.0.1", p), 1));
        }
        return backends;
    }

    public TestConfigs pool(String name, int... ports) {
        return pool(name, TimeoutsConfig.DEFAULTS, ports);
    }

    public TestConfigs route(MatchConfig match, String pool) {
        routes.add(new RouteConfig(match, pool));
        return this;
    }

    public TestConfigs limits(LimitsConfig limits) {
        this.limits = limits;
        return this;
    }

    public TestConfigs headers(boolean forwardedBy, boolean backendServer) {
        this.headers = new HeadersConfig(forwardedBy, backendServer);
        return this;
    }

    /** The strategy of the pools added after this call (default round_robin). */
    public TestConfigs strategy(String name) {
        this.strategy = name;
        return this;
    }

    /** Requires this bearer token on mutating admin calls. */
    public TestConfigs adminToken(String token) {
        this.adminToken = token;
        return this;
    }

    /** Makes the listener "web" an https one with these TLS settings. */
    public TestConfigs tls(ListenerTlsConfig value) {
        this.tls = value;
        return this;
    }

    /** A clear-text address that redirects to the https listener. */
    public TestConfigs redirectFrom(HostPort value) {
        this.redirectFrom = value;
        return this;
    }

    public TestConfigs http2(Http2Config value) {
        this.http2 = value;
        return this;
    }

    public TestConfigs workers(int n) {
        this.workers = n;
        return this;
    }

    public static TimeoutsConfig timeouts(Duration connect, Duration response, Duration idle) {
        return new TimeoutsConfig(connect, response, idle);
    }

    public Config build() {
        List<RouteConfig> r = routes.isEmpty() ? List.of(new RouteConfig(MatchConfig.ANY, pools.get(0).name())) : routes;
        ListenerConfig web = new ListenerConfig("web", new HostPort("127.0.0.1", 0),
                tls != null ? ListenerConfig.HTTPS : ListenerConfig.HTTP, r, tls, redirectFrom, http2);
        return new Config(List.of(web), pools,
                new AdminConfig(true, new HostPort("127.0.0.1", 0), adminToken), limits, headers, workers);
    }
}

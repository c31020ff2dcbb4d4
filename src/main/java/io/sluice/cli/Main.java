package io.sluice.cli;

import io.sluice.balance.Strategies;
import io.sluice.config.AdminConfig;
import io.sluice.config.BackendConfig;
import io.sluice.config.Config;
import io.sluice.config.ConfigFormat;
import io.sluice.config.HeadersConfig;
import io.sluice.config.HealthCheckConfig;
import io.sluice.config.HostPort;
import io.sluice.config.Http2Config;
import io.sluice.config.L4Config;
import io.sluice.config.L4MatchConfig;
import io.sluice.config.L4RouteConfig;
import io.sluice.config.LimitsConfig;
import io.sluice.config.ListenerConfig;
import io.sluice.config.ListenerTlsConfig;
import io.sluice.config.MatchConfig;
import io.sluice.config.PoolConfig;
import io.sluice.config.ProxyProtocolConfig;
import io.sluice.config.RetryConfig;
import io.sluice.config.RouteConfig;
import io.sluice.config.UpstreamProtocol;
import io.sluice.tls.Pem;
import io.sluice.runtime.LeakDetection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code sluice} command. Without a subcommand it runs from {@code -c FILE}, or in quick mode when any
 * quick-mode option is given ({@code -p}, {@code -b}, {@code -a}, {@code --mode}, the health-check, retry and
 * TLS options), the others taking their defaults; with no option at all it prints the usage and exits 2. Not
 * thread-safe; used once per process.
 */
@Command(name = "sluice", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {
            "Sluice: a load balancer and reverse proxy for HTTP (HTTP/1.1 and HTTP/2, TLS with SNI, gRPC, WebSocket)"
                + " and for TCP and UDP, with a STUN server and TURN relay for WebRTC (listeners of protocol stun"
                + " and turn in the config file).",
            "",
            "  sluice -c sluice.yaml                 run from a config file (same as 'sluice run -c')",
            "  sluice --port 8080 --backends 127.0.0.1:3001,127.0.0.1:3002",
            "                                        quick mode: one listener, one pool, no file",
            "  sluice -a least_connections           quick mode on :8080 with the defaults -b 127.0.0.1:3001,"
                + "127.0.0.1:3002,127.0.0.1:3003",
            "  sluice --port 8443 --tls-cert site.pem --tls-key site.key --backends 127.0.0.1:3001",
            "                                        quick mode over HTTPS",
            "  sluice --mode tcp --port 2222 --backends 10.0.0.5:22,10.0.0.6:22",
            "                                        quick mode for TCP (or --mode udp): bytes or datagrams as they are",
            "  sluice demo                           three demo backends behind a proxy on :8080",
            "",
            "Traffic policy is set in the config file, per listener and per route (`filters:`, `sticky:`, `split:`,",
            "`redirect:`, `match: { country: [...] }`): filters ${sys:sluice.filters}.",
            "Each pool has health checks, circuit breakers, retries and an optional limit of connections per backend",
            "with a queue (`health_check:`, `circuit_breaker:`, `retry:`, `connection_limit:`); 'sluice schema' lists"
                + " every key.",
            ""},
        subcommands = {RunCommand.class, ValidateCommand.class, DemoCommand.class, BackendCommand.class,
            StatusCommand.class, ReloadCommand.class, SchemaCommand.class},
        footer = {"", "Signals: SIGTERM or Ctrl-C drains and exits 0; SIGHUP reloads the config file in process"
            + " (so do a change of the file, unless --no-watch, and 'sluice reload').",
            "Exit codes: 0 ok, 1 runtime failure (e.g. a port in use), 2 bad configuration or usage.",
            "Environment: SLUICE_TRANSPORT (as --transport), SLUICE_LEAK_DETECTION (Netty's buffer leak detector:"
                + " off unless simple, advanced or paranoid), SLUICE_LOG_LEVEL, and for ./sluice SLUICE_JAVA_OPTS"
                + " (JVM options after the launcher's defaults)."})
public final class Main implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Configuration file (YAML; TOML if named .toml).")
    Path config;

    @Option(names = "--no-watch", description = "With -c: do not reload when the file or its certificates change"
            + " (SIGHUP, POST /api/reload and 'sluice reload' still do).")
    boolean noWatch;

    /** Quick mode's port when {@code -p} is not given. */
    static final int DEFAULT_PORT = 8080;
    /** Quick mode's backends when {@code -b} is not given: those {@code sluice demo} starts. */
    static final List<String> DEFAULT_BACKENDS = List.of("127.0.0.1:3001", "127.0.0.1:3002", "127.0.0.1:3003");
    /** Quick mode's interval of HTTP health checks turned on by a path alone. */
    static final int DEFAULT_CHECK_SECONDS = 30;

    @Option(names = "--format", paramLabel = "FORMAT", converter = FormatConverter.class,
            description = FormatConverter.HELP)
    ConfigFormat format;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT",
            description = "Quick mode: port to listen on (default: 8080).")
    Integer port;

    @Option(names = "--mode", paramLabel = "MODE",
            description = "Quick mode: http (default), tcp or udp. tcp relays every connection's bytes to a backend"
                    + " (TCP connect checks every 5 seconds unless --health-check-interval says otherwise; --retries"
                    + " counts connect attempts on other backends); udp relays datagrams, one session per client"
                    + " address. --tls-cert, --tls-key and --health-check-path are for http only, and udp takes"
                    + " neither --health-check-interval nor --retries.")
    String mode;

    @Option(names = "--bind", paramLabel = "HOST", defaultValue = "0.0.0.0",
            description = "Quick mode: address to listen on (default: ${DEFAULT-VALUE}, every address).")
    String bind;

    @Option(names = {"-b", "--backends"}, paramLabel = "LIST", split = ",",
            description = "Quick mode: backends as host:port or http://host:port, comma-separated (default:"
                    + " 127.0.0.1:3001,127.0.0.1:3002,127.0.0.1:3003, the backends of 'sluice demo').")
    List<String> backends;

    @Option(names = {"-a", "--algorithm"}, paramLabel = "NAME",
            description = "Quick mode: load-balancing strategy (default: round_robin; known: ${sys:sluice.strategies};"
                    + " CamelCase and other tools' names such as RoundRobin, Weighted, LeastConnections, IpHash are"
                    + " accepted too).")
    String algorithm;

    @Option(names = "--health-check-interval", paramLabel = "SECONDS",
            description = "Quick mode: seconds between active health checks of each backend (default: no checks"
                    + " in http mode, a TCP connect every 5 seconds in tcp mode).")
    Integer healthCheckInterval;

    @Option(names = "--health-check-path", paramLabel = "PATH",
            description = "Quick mode: path the health checks GET (default: /); without"
                    + " --health-check-interval, checks run every 30 seconds.")
    String healthCheckPath;

    @Option(names = "--retries", paramLabel = "N",
            description = "Quick mode: retries of a failed request on another backend, 0-10 (default: 2; 0 = off).")
    Integer retries;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Quick mode: serve HTTPS with this PEM certificate chain (leaf first); needs --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "Quick mode: the certificate's PEM private key (PKCS#8); needs --tls-cert.")
    Path tlsKey;

    @Mixin
    TransportOption transport;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "0",
            description = "Event-loop threads (default: one per core).")
    int workers;

    @Option(names = "--admin", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9901",
            description = "Quick mode: admin listener address (default: ${DEFAULT-VALUE}); \":PORT\" means"
                    + " 127.0.0.1:PORT. Quick mode has no admin token, so only loopback addresses are accepted;"
                    + " use a config file (admin.token) to expose it.")
    String adminBind;

    public static void main(String[] args) {
        try {
            LeakDetection.applyForCommand(); // before the first buffer: off unless asked for
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
        System.exit(commandLine().execute(args));
    }

    /** The configured picocli command line, shared by main and tests. */
    public static CommandLine commandLine() {
        System.setProperty("sluice.strategies", String.join(", ", Strategies.names()));
        System.setProperty("sluice.filters", String.join(", ", io.sluice.filter.Filters.names()));
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage());
            ex.getCommandLine().getErr().println("See 'sluice --help'.");
            return 2;
        });
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        if (config != null) {
            if (quickOptionGiven()) {
                System.err.println("error: use either -c FILE or the quick-mode options (-p, -b, -a, --mode, ...),"
                        + " not both");
                return 2;
            }
            return Runner.runFile(config, format, !noWatch);
        }
        if (format != null) {
            System.err.println("error: --format says how to read -c FILE; give it with -c");
            return 2;
        }
        if (!quickOptionGiven()) { // plain `sluice`: the usage, as before quick mode had defaults
            CommandLine.usage(this, System.out);
            return 2;
        }
        Config quick;
        try {
            quick = quickConfig();
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        return Runner.run(quick);
    }

    /** Whether an option that means quick mode was given; the others have defaults. */
    boolean quickOptionGiven() {
        return port != null || backends != null || algorithm != null || mode != null || healthCheckInterval != null
                || healthCheckPath != null || retries != null || tlsCert != null || tlsKey != null;
    }

    /**
     * Builds the one-listener, one-pool configuration of quick mode; an http or https listener answers the
     * status endpoints ({@code /lb-health}, {@code /lb-stats}, {@code /_health}, {@code /_metrics}).
     */
    Config quickConfig() {
        List<String> errors = new ArrayList<>();
        int port = this.port == null ? DEFAULT_PORT : this.port;
        List<String> backends = this.backends == null ? DEFAULT_BACKENDS : this.backends;
        if (port < 0 || port > 65535) {
            errors.add("--port must be 0-65535");
        }
        if (backends.isEmpty()) {
            errors.add("--backends needs at least one backend");
        }
        String algorithm = Strategies.canonical(this.algorithm == null ? "round_robin" : this.algorithm);
        if (algorithm == null) {
            errors.add("unknown algorithm \"" + this.algorithm + "\"; known: " + String.join(", ", Strategies.names()));
        }
        if (healthCheckInterval != null && healthCheckInterval < 1) {
            errors.add("--health-check-interval must be at least 1 second");
        }
        if (healthCheckPath != null && (!healthCheckPath.startsWith("/") || !healthCheckPath.matches("\\S+"))) {
            errors.add("--health-check-path must start with / and have no spaces, got \"" + healthCheckPath + "\"");
        }
        if (retries != null && (retries < 0 || retries > 10)) {
            errors.add("--retries must be 0-10");
        }
        String m = mode == null ? ListenerConfig.HTTP : mode.strip().toLowerCase(java.util.Locale.ROOT);
        if (!List.of(ListenerConfig.HTTP, ListenerConfig.TCP, ListenerConfig.UDP).contains(m)) {
            errors.add("--mode must be http, tcp or udp, got \"" + mode + "\"");
            m = ListenerConfig.HTTP;
        }
        boolean http = m.equals(ListenerConfig.HTTP);
        boolean udp = m.equals(ListenerConfig.UDP);
        if (!http) {
            httpOnly(errors, tlsCert != null || tlsKey != null, "--tls-cert/--tls-key", "a " + m
                    + " listener passes " + (udp ? "datagrams (QUIC, DTLS)" : "TLS") + " through untouched");
            httpOnly(errors, healthCheckPath != null, "--health-check-path", "a " + m + " pool's backends"
                    + " need not speak HTTP" + (udp ? "" : "; tcp checks only connect"));
        }
        if (udp && healthCheckInterval != null) {
            errors.add("--health-check-interval does not apply to --mode udp: a udp backend has no connection to"
                    + " probe (breakers still take failing backends out)");
        }
        if (udp && retries != null) {
            errors.add("--retries does not apply to --mode udp: a datagram is not sent twice");
        }
        List<BackendConfig> list = new ArrayList<>();
        for (String b : backends) {
            try {
                if (!http && b.strip().contains("://")) {
                    throw new IllegalArgumentException("--mode " + m + " takes host:port, not a URL: " + b);
                }
                list.add(new BackendConfig(parseBackend(b), 1));
            } catch (IllegalArgumentException e) {
                errors.add("--backends: " + e.getMessage());
            }
        }
        HostPort admin = null;
        try {
            admin = AdminConfig.parseBind(adminBind);
            if (new AdminConfig(true, admin, null).exposedWithoutToken()) {
                errors.add("--admin: " + admin + " is not a loopback address, and quick mode has no admin token:"
                        + " anyone who could reach it could drain backends; use 127.0.0.1 or a config file with"
                        + " admin.token");
            }
        } catch (IllegalArgumentException e) {
            errors.add("--admin: " + e.getMessage());
        }
        ListenerTlsConfig tls = http ? tls(errors) : null;
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("\nerror: ", errors));
        }
        RetryConfig retry = RetryConfig.DEFAULTS.withMaxRetries(retries == null ? RetryConfig.DEFAULTS.maxRetries()
                : retries);
        if (!http) {
            return l4Config(udp, list, retry, admin, algorithm, port);
        }
        PoolConfig pool = PoolConfig.builder("default").strategy(algorithm).backends(list)
                .healthCheck(healthCheck()).retry(retry).build();
        List<RouteConfig> routes = List.of(new RouteConfig(MatchConfig.ANY, "default"));
        ListenerConfig listener = tls == null
                ? new ListenerConfig("default", new HostPort(bind, port), ListenerConfig.HTTP, routes)
                : new ListenerConfig("default", new HostPort(bind, port), ListenerConfig.HTTPS, routes, tls, null,
                        Http2Config.DEFAULTS);
        listener = listener.withPolicy(listener.policy().withStatusEndpoints(true));
        return new Config(List.of(listener), List.of(pool), new AdminConfig(true, admin, null),
                LimitsConfig.DEFAULTS, HeadersConfig.DEFAULTS, workers);
    }

    private static void httpOnly(List<String> errors, boolean given, String option, String why) {
        if (given) {
            errors.add(option + " is for --mode http only; " + why);
        }
    }

    /**
     * Quick mode for tcp or udp: one listener that sends everything (no detection) to one pool named
     * {@code default} of that protocol. A tcp pool is probed as a config file's would be: TCP connects every
     * {@code --health-check-interval} seconds, else every 5 s ({@link L4Config#TCP_POOL_CHECK}).
     */
    private Config l4Config(boolean udp, List<BackendConfig> list, RetryConfig retry, HostPort admin,
                            String algorithm, int port) {
        L4RouteConfig all = L4RouteConfig.toPool(L4MatchConfig.ANY, "default");
        PoolConfig.Builder pool = PoolConfig.builder("default").strategy(algorithm).backends(list);
        ListenerConfig listener;
        if (udp) {
            pool.protocol(UpstreamProtocol.UDP);
            listener = ListenerConfig.l4("default", new HostPort(bind, port), ListenerConfig.UDP,
                    L4Config.udp(List.of(), all), ProxyProtocolConfig.OFF);
        } else {
            pool.protocol(UpstreamProtocol.TCP).retry(retry).healthCheck(healthCheckInterval == null
                    ? L4Config.TCP_POOL_CHECK
                    : L4Config.TCP_POOL_CHECK.withInterval(Duration.ofSeconds(healthCheckInterval)));
            listener = ListenerConfig.l4("default", new HostPort(bind, port), ListenerConfig.TCP,
                    L4Config.tcp(List.of(), all), ProxyProtocolConfig.OFF);
        }
        return new Config(List.of(listener), List.of(pool.build()), new AdminConfig(true, admin, null),
                LimitsConfig.DEFAULTS, HeadersConfig.DEFAULTS, workers);
    }

    /** HTTPS from --tls-cert and --tls-key, both read and checked now; null when neither is given. */
    private ListenerTlsConfig tls(List<String> errors) {
        if (tlsCert == null && tlsKey == null) {
            return null;
        }
        if (tlsCert == null || tlsKey == null) {
            errors.add(tlsCert == null ? "--tls-key needs --tls-cert, the certificate it belongs to"
                    : "--tls-cert needs --tls-key, its private key");
            return null;
        }
        Path cert = tlsCert.toAbsolutePath().normalize();
        Path key = tlsKey.toAbsolutePath().normalize();
        try {
            Pem.keyAndChain(cert, key);
        } catch (Pem.PemException e) {
            errors.add("--tls-cert/--tls-key: " + e.getMessage());
            return null;
        }
        return ListenerTlsConfig.of(cert, key);
    }

    /** Checks when an interval or a path is given (a path alone checks every 30 seconds); else none. */
    private HealthCheckConfig healthCheck() {
        if (healthCheckInterval == null && healthCheckPath == null) {
            return null;
        }
        HealthCheckConfig check = HealthCheckConfig.every(Duration.ofSeconds(healthCheckInterval == null
                ? DEFAULT_CHECK_SECONDS : healthCheckInterval));
        return healthCheckPath == null ? check : check.withPath(healthCheckPath);
    }

    static HostPort parseBackend(String text) {
        String t = text.trim();
        if (t.startsWith("https://")) {
            throw new IllegalArgumentException("https backends are not supported yet: " + text);
        }
        if (t.startsWith("http://")) {
            t = t.substring("http://".length());
            if (t.endsWith("/")) {
                t = t.substring(0, t.length() - 1);
            }
            if (t.indexOf('/') >= 0) {
                throw new IllegalArgumentException("a backend URL cannot have a path: " + text);
            }
            if (t.lastIndexOf(':') < 0 || t.endsWith("]")) {
                t = t + ":80";
            }
        }
        HostPort hp = HostPort.parse(t);
        if (hp.port() == 0) {
            throw new IllegalArgumentException("backend port cannot be 0: " + text);
        }
        return hp;
    }
}

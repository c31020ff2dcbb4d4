package io.sluice.config;

import static io.sluice.config.Binder.or;
import static io.sluice.config.Binder.value;
import static io.sluice.config.SchemaType.anyOf;
import static io.sluice.config.SchemaType.file;
import static io.sluice.config.SchemaType.filter;
import static io.sluice.config.SchemaType.flagOr;
import static io.sluice.config.SchemaType.integer;
import static io.sluice.config.SchemaType.list;
import static io.sluice.config.SchemaType.oneOf;
import static io.sluice.config.SchemaType.ref;
import static io.sluice.config.Section.key;
import static io.sluice.config.Section.required;

import io.sluice.runtime.Transport;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds the top level of a configuration: chooses between the full form ({@code listeners} and
 * {@code pools}) and the short single-pool form, binds the shared sections, then runs the whole-file checks.
 * Stateless; thread-safe (all state is in the {@link Binder} passed in).
 */
final class ConfigBinder {
    static final Section GEOIP = Section.of("geoip", "MaxMind databases for the country, continent and asn"
                    + " conditions of routes.",
            key("database", file(), "A Country or City .mmdb file, e.g. GeoLite2-Country.mmdb."),
            key("asn_database", file(), "An ASN .mmdb file, e.g. GeoLite2-ASN.mmdb."));
    private static final List<Section.Key> FULL_KEYS = List.of(
            required("listeners", list(ListenerBinder.ANY_LISTENER), "Where Sluice listens and how it routes."),
            key("pools", list(ref(PoolBinder.POOL)), "The backend pools routes send to (every file needs some,"
                    + " unless all its listeners are stun or turn ones)."));
    private static final List<Section.Key> SHARED_KEYS = List.of(
            key("admin", ref(SettingsBinder.ADMIN), "The admin API."),
            key("limits", ref(SettingsBinder.LIMITS), "Limits on clients."),
            key("headers", ref(SettingsBinder.HEADERS), "Headers Sluice adds."),
            key("workers", integer(0, 4096), "Event-loop threads; 0 (default) = one per core."),
            key("transport", oneOf(Transport.NAMES), "Socket transport; auto (default) = io_uring, then epoll,"
                    + " then nio, whichever runs first on this machine."),
            key("access_log", flagOr(ObserveBinder.ACCESS_LOG), "The access log; off when absent."),
            key("tracing", anyOf(oneOf(List.of(false)), ref(ObserveBinder.TRACING)), "OpenTelemetry tracing."),
            key("metrics", flagOr(ObserveBinder.METRICS), "Metrics; on when absent."),
            key("filter_presets", new SchemaType.MapOf(anyOf(filter(), list(filter())), "^[a-z][a-z0-9_]*$"),
                    "Named filters (one or a list) that filter lists can name."),
            key("geoip", ref(GEOIP), "MaxMind databases for geo conditions."));
    /** The full form: {@code listeners} and {@code pools}, and the shared sections. */
    static final Section FULL = Section.of("config", "The full form: listeners and pools.",
            concat(FULL_KEYS, SHARED_KEYS));
    /** The short single-pool form, and the shared sections. */
    static final Section SHORT = Section.of("short_config", "The short single-pool form: one listener on"
            + " `listen`, one pool of `backends`.", concat(ShortForm.SCHEMA_KEYS, SHARED_KEYS));
    private static final List<String> TOP_KEYS = Section.names(concat(FULL_KEYS, concat(SHARED_KEYS,
            ShortForm.SCHEMA_KEYS)));

    private ConfigBinder() {
    }

    /** The configuration, or null when {@code b} holds errors. */
    static Config bind(YamlNode root, Binder b) {
        if (Binder.absent(root)) {
            b.error("", root == null ? 1 : root.line(), root == null ? 1 : root.column(),
                    "empty configuration: no listeners and no pools; the smallest one is"
                            + " `listen: \"127.0.0.1:8080\"` with `backends: [\"127.0.0.1:3001\"]`");
            return null;
        }
        YamlNode.Mapping top = b.mapping(root, "", "a map of settings (listeners, pools, ...)");
        if (top == null) {
            return null;
        }
        b.allowOnly(top, "", TOP_KEYS);
        YamlNode.Entry shortKey = top.entries().stream().filter(e -> ShortForm.KEYS.contains(e.key()))
                .findFirst().orElse(null);
        boolean full = top.entry("listeners") != null || top.entry("pools") != null;
        if (shortKey != null && full) {
            b.error(shortKey.key(), shortKey.line(), shortKey.column(), "`" + shortKey.key() + "` belongs to the"
                    + " short single-pool form (" + String.join(", ", ShortForm.KEYS) + "), which cannot be"
                    + " mixed with `listeners`/`pools`; use one form or the other");
        }

        AdminConfig admin = SettingsBinder.admin(b, value(top, "admin"), "admin");
        LimitsConfig limits = SettingsBinder.limits(b, value(top, "limits"), "limits");
        HeadersConfig headers = SettingsBinder.headers(b, value(top, "headers"), "headers");
        int workers = or(b.integer(value(top, "workers"), "workers", 0, 4096), 0);
        String transport = transport(b, value(top, "transport"));
        AccessLogConfig accessLog = ObserveBinder.accessLog(b, value(top, "access_log"), "access_log");
        TracingConfig tracing = ObserveBinder.tracing(b, value(top, "tracing"), "tracing");
        MetricsConfig metrics = ObserveBinder.metrics(b, value(top, "metrics"), "metrics");

        Refs refs = new Refs();
        refs.presets(FilterBinder.presets(b, value(top, "filter_presets"), "filter_presets"));
        GeoIpConfig geoip = geoip(b, value(top, "geoip"), "geoip");
        List<ListenerConfig> listeners = new ArrayList<>();
        List<PoolConfig> pools = new ArrayList<>();
        if (shortKey != null && !full) {
            ShortForm.Result r = ShortForm.bind(b, top, refs);
            YamlNode.Entry mb = top.entry("max_request_body_mb");
            if (mb != null && value(top, "limits") instanceof YamlNode.Mapping lm && lm.entry("max_body_size") != null) {
                b.error(mb.key(), mb.line(), mb.column(), "`max_request_body_mb` and `limits.max_body_size` both"
                        + " set the body limit; keep one");
            }
            if (r != null) {
                listeners.add(r.listener());
                pools.add(r.pool());
                if (r.maxBodySize() != null) {
                    limits = withMaxBodySize(limits, r.maxBodySize());
                }
            }
        } else {
            pools = PoolBinder.pools(b, value(top, "pools"), "pools", refs);
            listeners = ListenerBinder.listeners(b, value(top, "listeners"), "listeners", refs, limits);
            boolean onlyStun = StunBinder.onlyStunOrTurn(value(top, "listeners"));
            if (!onlyStun) { // a STUN server or TURN relay alone proxies nothing
                requireSome(b, top, "pools", "no pools: add at least one, e.g. pools: [ { name: web, backends:"
                        + " [ { address: \"127.0.0.1:3001\" } ] } ]");
            }
            requireSome(b, top, "listeners", "no listeners: add at least one, e.g. listeners: [ { name: web,"
                    + " bind: \"127.0.0.1:8080\" } ] (or use the short form, with `listen` and `backends`)");
        }
        if (admin.enabled()) {
            YamlNode adminBind = value(top, "admin") instanceof YamlNode.Mapping am ? value(am, "bind") : null;
            refs.bind(admin.bind(), "admin.bind", adminBind);
        }
        refs.check(b);
        refs.checkGeo(b, value(top, "geoip") != null, geoip);
        pools = withTcpHealthChecks(pools, refs.poolsOnlyForTcp());
        return b.errorCount() == 0 ? new Config(listeners, pools, admin, limits, headers, workers, accessLog,
                tracing, metrics, geoip, transport) : null;
    }

    /** {@code transport: auto|io_uring|epoll|nio}; a named one must run on this machine. */
    private static String transport(Binder b, YamlNode n) {
        if (n == null) {
            return "auto";
        }
        String name = b.text(n, "transport", "a transport name (auto, io_uring, epoll or nio)");
        if (name == null) {
            return "auto";
        }
        try {
            Transport.resolve(name);
        } catch (IllegalArgumentException e) {
            b.error("transport", n, e.getMessage());
            return "auto";
        }
        return name;
    }

    /** {@code geoip: { database: FILE, asn_database: FILE }}; the files must exist. */
    private static GeoIpConfig geoip(Binder b, YamlNode n, String path) {
        YamlNode.Mapping m = b.mapping(n, path, "{ database: /var/lib/GeoIP/GeoLite2-Country.mmdb }");
        if (m == null) {
            return null;
        }
        b.allowOnly(m, path, GEOIP.keys());
        java.nio.file.Path db = existing(b, value(m, "database"), Binder.child(path, "database"));
        java.nio.file.Path asn = existing(b, value(m, "asn_database"), Binder.child(path, "asn_database"));
        if (value(m, "database") == null && value(m, "asn_database") == null) {
            b.error(Binder.child(path, "database"), m, "missing required key `database` (a MaxMind .mmdb file, e.g."
                    + " GeoLite2-Country.mmdb)");
        }
        return db == null && asn == null ? null : new GeoIpConfig(db, asn);
    }

    private static java.nio.file.Path existing(Binder b, YamlNode n, String path) {
        java.nio.file.Path p = b.file(n, path, "a MaxMind .mmdb file");
        if (p != null && !java.nio.file.Files.isReadable(p)) {
            b.error(path, n, "no readable file at " + p + " (GeoLite2 databases come from maxmind.com with a free"
                    + " account, or Debian's geoipupdate)");
            return null;
        }
        return p;
    }

    /**
     * Pools that only tcp listeners use, with no health check of their own, get a TCP connect probe: their
     * backends need not speak HTTP, and a dead one should leave the rotation without waiting for clients.
     */
    private static List<PoolConfig> withTcpHealthChecks(List<PoolConfig> pools, java.util.Set<String> tcpOnly) {
        List<PoolConfig> out = new ArrayList<>(pools.size());
        for (PoolConfig p : pools) {
            boolean probe = p.healthCheck() == null && tcpOnly.contains(p.name())
                    && p.protocol() != UpstreamProtocol.UDP;
            out.add(probe ? p.toBuilder().healthCheck(TCP_CHECK).build() : p);
        }
        return out;
    }

    /** The probe of tcp pools that configure none: {@link L4Config#TCP_POOL_CHECK}. */
    static final HealthCheckConfig TCP_CHECK = L4Config.TCP_POOL_CHECK;

    /** Reports {@code key} when it is absent or an empty list (other mistakes are reported elsewhere). */
    private static void requireSome(Binder b, YamlNode.Mapping top, String key, String message) {
        YamlNode.Entry e = top.entry(key);
        if (e == null) {
            b.error(key, top, message);
        } else if (Binder.absent(e.value()) || (e.value() instanceof YamlNode.Sequence s && s.items().isEmpty())) {
            b.error(key, e.line(), e.column(), message);
        }
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }

    private static LimitsConfig withMaxBodySize(LimitsConfig l, long maxBodySize) {
        return new LimitsConfig(l.maxHeaderSize(), maxBodySize, l.headerTimeout(), l.idleTimeout(),
                l.maxConnections(), l.drainTimeout());
    }
}

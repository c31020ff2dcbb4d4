package io.sluice.config;

import static io.sluice.config.Binder.child;
import static io.sluice.config.Binder.or;
import static io.sluice.config.Binder.value;
import static io.sluice.config.SchemaType.address;
import static io.sluice.config.SchemaType.bool;
import static io.sluice.config.SchemaType.duration;
import static io.sluice.config.SchemaType.integer;
import static io.sluice.config.SchemaType.size;
import static io.sluice.config.SchemaType.string;
import static io.sluice.config.Section.key;

/**
 * Binds the file-wide sections {@code admin}, {@code limits} and {@code headers}; anything left out takes
 * the value from the record's {@code DEFAULTS}. Stateless; thread-safe.
 */
final class SettingsBinder {
    static final Section ADMIN = Section.of("admin", "The admin HTTP API (status, drain, weights) and dashboard.",
            key("enabled", bool(), "Whether the admin API listens (default true)."),
            key("bind", address(), "Where it listens (default 127.0.0.1:9901; \":9901\" means 127.0.0.1)."),
            key("token", string(), "Bearer token that mutating admin calls need; e.g. ${SLUICE_ADMIN_TOKEN}."),
            key("allow_unauthenticated", bool(), "Allow a non-loopback bind without a token (default false)."),
            key("header_timeout", duration(), "Time a client has to send the request head."),
            key("max_header_size", size(), "Largest request head the admin API reads (at least 1KiB)."),
            key("max_body_size", size(), "Largest request body the admin API reads."));
    static final Section LIMITS = Section.of("limits", "Limits on clients of every HTTP listener.",
            key("max_header_size", size(), "Largest request head (default 16KiB, at least 1KiB)."),
            key("max_body_size", size(), "Largest request body (default 10MiB)."),
            key("header_timeout", duration(), "Time a client has to send the request head (default 10s)."),
            key("idle_timeout", duration(), "An idle client connection is closed after this (default 60s)."),
            key("max_connections", integer(1, java.lang.Integer.MAX_VALUE), "Most client connections at once (default 10000)."),
            key("drain_timeout", duration(), "On shutdown, how long in-flight requests may finish (default 10s)."));
    static final Section HEADERS = Section.of("headers", "Headers Sluice adds.",
            key("forwarded_by", bool(), "Send X-Forwarded-By: sluice to backends (default false)."),
            key("backend_server", bool(), "Send X-Backend-Server: host:port to clients (default false)."),
            key("request_id", bool(), "Give every request an X-Request-Id (default true)."));
    private static final long MIN_HEADER_SIZE = 1024;

    private SettingsBinder() {
    }

    /**
     * The admin section; an empty {@code token} means none. A {@code bind} without a host means 127.0.0.1;
     * a listener reachable from other hosts with no token is an error at its {@code bind} unless
     * {@code allow_unauthenticated: true} says it is meant.
     */
    static AdminConfig admin(Binder b, YamlNode n, String path) {
        AdminConfig d = AdminConfig.DEFAULTS;
        YamlNode.Mapping m = b.mapping(n, path, "a map (" + String.join(", ", ADMIN.keys()) + ")");
        if (m == null) {
            return d;
        }
        b.allowOnly(m, path, ADMIN.keys());
        boolean enabled = or(b.bool(value(m, "enabled"), child(path, "enabled")), d.enabled());
        YamlNode bindNode = value(m, "bind");
        HostPort bind = b.address(bindNode, child(path, "bind"), true);
        if (bind != null && bindNode instanceof YamlNode.Scalar s && s.text().strip().startsWith(":")) {
            bind = new HostPort(AdminConfig.LOOPBACK, bind.port()); // no host: loopback, not every interface
        }
        String token = b.text(value(m, "token"), child(path, "token"), "a token (text)");
        AdminConfig a = new AdminConfig(enabled, or(bind, d.bind()), token == null || token.isBlank() ? d.token() : token,
                or(b.bool(value(m, "allow_unauthenticated"), child(path, "allow_unauthenticated")), false),
                or(b.duration(value(m, "header_timeout"), child(path, "header_timeout"), false), d.headerTimeout()),
                or(b.size(value(m, "max_header_size"), child(path, "max_header_size"), MIN_HEADER_SIZE),
                        d.maxHeaderSize()),
                or(b.size(value(m, "max_body_size"), child(path, "max_body_size"), 0), d.maxBodySize()));
        if (bind != null && a.exposedWithoutToken()) {
            b.error(child(path, "bind"), bindNode, "the admin API on " + bind + " could be reached from other"
                    + " hosts with no token, and it can drain backends and change weights; set `token` (e.g."
                    + " token: ${SLUICE_ADMIN_TOKEN}), bind a loopback address such as \"127.0.0.1:" + bind.port()
                    + "\", or write `allow_unauthenticated: true` in the admin section if that is meant");
        }
        return a;
    }

    static LimitsConfig limits(Binder b, YamlNode n, String path) {
        LimitsConfig d = LimitsConfig.DEFAULTS;
        YamlNode.Mapping m = b.mapping(n, path, "a map of limits (" + String.join(", ", LIMITS.keys()) + ")");
        if (m == null) {
            return d;
        }
        b.allowOnly(m, path, LIMITS.keys());
        return new LimitsConfig(
                or(b.size(value(m, "max_header_size"), child(path, "max_header_size"), MIN_HEADER_SIZE), d.maxHeaderSize()),
                or(b.size(value(m, "max_body_size"), child(path, "max_body_size"), 0), d.maxBodySize()),
                or(b.duration(value(m, "header_timeout"), child(path, "header_timeout"), false), d.headerTimeout()),
                or(b.duration(value(m, "idle_timeout"), child(path, "idle_timeout"), false), d.idleTimeout()),
                or(b.integer(value(m, "max_connections"), child(path, "max_connections"), 1, Integer.MAX_VALUE),
                        d.maxConnections()),
                or(b.duration(value(m, "drain_timeout"), child(path, "drain_timeout"), true), d.drainTimeout()));
    }

    static HeadersConfig headers(Binder b, YamlNode n, String path) {
        HeadersConfig d = HeadersConfig.DEFAULTS;
        YamlNode.Mapping m = b.mapping(n, path, "a map (" + String.join(", ", HEADERS.keys()) + ")");
        if (m == null) {
            return d;
        }
        b.allowOnly(m, path, HEADERS.keys());
        return new HeadersConfig(
                or(b.bool(value(m, "forwarded_by"), child(path, "forwarded_by")), d.forwardedBy()),
                or(b.bool(value(m, "backend_server"), child(path, "backend_server")), d.backendServer()),
                or(b.bool(value(m, "request_id"), child(path, "request_id")), d.requestId()));
    }
}

package io.sluice.config;

import static io.sluice.config.Binder.child;
import static io.sluice.config.Binder.or;
import static io.sluice.config.Binder.value;

import java.util.List;

/**
 * Binds the file-wide sections {@code admin}, {@code limits} and {@code headers}; anything left out takes
 * the value from the record's {@code DEFAULTS}. Stateless; thread-safe.
 */
final class SettingsBinder {
    private static final List<String> ADMIN_KEYS = List.of("enabled", "bind", "token");
    private static final List<String> LIMIT_KEYS = List.of("max_header_size", "max_body_size", "header_timeout",
            "idle_timeout", "max_connections", "drain_timeout");
    private static final List<String> HEADER_KEYS = List.of("forwarded_by", "backend_server");
    private static final long MIN_HEADER_SIZE = 1024;

    private SettingsBinder() {
    }

    /** The admin section; an empty {@code token} means none. */
    static AdminConfig admin(Binder b, YamlNode n, String path) {
        AdminConfig d = AdminConfig.DEFAULTS;
        YamlNode.Mapping m = b.mapping(n, path, "a map (enabled, bind, token)");
        if (m == null) {
            return d;
        }
        b.allowOnly(m, path, ADMIN_KEYS);
        boolean enabled = or(b.bool(value(m, "enabled"), child(path, "enabled")), d.enabled());
        HostPort bind = or(b.address(value(m, "bind"), child(path, "bind"), true), d.bind());
        String token = b.text(value(m, "token"), child(path, "token"), "a token (text)");
        return new AdminConfig(enabled, bind, token == null || token.isBlank() ? d.token() : token);
    }

    static LimitsConfig limits(Binder b, YamlNode n, String path) {
        LimitsConfig d = LimitsConfig.DEFAULTS;
        YamlNode.Mapping m = b.mapping(n, path, "a map of limits (" + String.join(", ", LIMIT_KEYS) + ")");
        if (m == null) {
            return d;
        }
        b.allowOnly(m, path, LIMIT_KEYS);
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
        YamlNode.Mapping m = b.mapping(n, path, "a map (" + String.join(", ", HEADER_KEYS) + ")");
        if (m == null) {
            return d;
        }
        b.allowOnly(m, path, HEADER_KEYS);
        return new HeadersConfig(
                or(b.bool(value(m, "forwarded_by"), child(path, "forwarded_by")), d.forwardedBy()),
                or(b.bool(value(m, "backend_server"), child(path, "backend_server")), d.backendServer()));
    }
}

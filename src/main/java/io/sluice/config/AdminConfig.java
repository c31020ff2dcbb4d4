package io.sluice.config;

import java.util.Objects;

/**
 * The admin listener. Immutable; thread-safe.
 *
 * @param enabled whether to start it (default true)
 * @param bind    where it listens (default 127.0.0.1:9901)
 * @param token   bearer token required by mutating admin calls, or null for none
 */
public record AdminConfig(boolean enabled, HostPort bind, String token) {
    public static final AdminConfig DEFAULTS = new AdminConfig(true, new HostPort("127.0.0.1", 9901), null);

    public AdminConfig {
        Objects.requireNonNull(bind, "bind");
    }

    @Override
    public String toString() {
        return "AdminConfig[enabled=" + enabled + ", bind=" + bind + ", token=" + (token == null ? "none" : "***") + "]";
    }
}

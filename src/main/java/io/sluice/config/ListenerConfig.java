package io.sluice.config;

import java.util.List;
import java.util.Objects;

/**
 * One listening socket and its ordered routes (first match wins). Immutable; thread-safe.
 *
 * @param name     unique name, used in logs and metrics
 * @param bind     address to listen on
 * @param protocol "http" for now
 * @param routes   ordered routes; at least one
 */
public record ListenerConfig(String name, HostPort bind, String protocol, List<RouteConfig> routes) {
    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(protocol, "protocol");
        routes = List.copyOf(Objects.requireNonNull(routes, "routes"));
    }
}

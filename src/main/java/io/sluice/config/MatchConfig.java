package io.sluice.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Conditions on a request; every one that is set must hold. Immutable; thread-safe.
 *
 * @param host       exact host ("api.example.com") or wildcard ("*.example.com"); null for any.
 *                   Compared case-insensitively, without the port.
 * @param pathPrefix the path must start with this; null for any
 * @param path       the path (without query) must equal this; null for any
 * @param methods    the method must be one of these (upper case); empty for any
 * @param headers    each header must be present with exactly this value; empty for none
 */
public record MatchConfig(String host, String pathPrefix, String path, List<String> methods,
                          Map<String, String> headers) {

    /** Matches every request. */
    public static final MatchConfig ANY = new MatchConfig(null, null, null, List.of(), Map.of());

    public MatchConfig {
        methods = List.copyOf(Objects.requireNonNull(methods, "methods"));
        headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
    }
}

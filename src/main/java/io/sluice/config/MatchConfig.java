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
 * @param countries  the client's country (ISO 3166 alpha-2, upper case) must be one of these; empty for any
 * @param continents the client's continent code (AF, AN, AS, EU, NA, OC, SA) must be one of these; empty for any
 * @param asns       the client's autonomous system number must be one of these; empty for any
 */
public record MatchConfig(String host, String pathPrefix, String path, List<String> methods,
                          Map<String, String> headers, List<String> countries, List<String> continents,
                          List<Long> asns) {

    /** Matches every request. */
    public static final MatchConfig ANY = new MatchConfig(null, null, null, List.of(), Map.of());

    public MatchConfig {
        methods = List.copyOf(Objects.requireNonNull(methods, "methods"));
        headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
        countries = List.copyOf(Objects.requireNonNull(countries, "countries"));
        continents = List.copyOf(Objects.requireNonNull(continents, "continents"));
        asns = List.copyOf(Objects.requireNonNull(asns, "asns"));
    }

    /** Conditions without geo ones. */
    public MatchConfig(String host, String pathPrefix, String path, List<String> methods, Map<String, String> headers) {
        this(host, pathPrefix, path, methods, headers, List.of(), List.of(), List.of());
    }

    /** Whether a condition needs the client's place ({@code country}, {@code continent} or {@code asn}). */
    public boolean geo() {
        return !countries.isEmpty() || !continents.isEmpty() || !asns.isEmpty();
    }
}

package io.sluice.config;

import java.nio.file.Path;

/**
 * The MaxMind database (GeoIP2 or GeoLite2: Country, City or ASN, {@code .mmdb}) that the {@code country},
 * {@code continent} and {@code asn} route conditions read. Immutable.
 *
 * @param database    the file for countries and continents (and ASNs when it has them); null when only
 *                    {@code asnDatabase} is given
 * @param asnDatabase a second file for {@code asn} (GeoLite2-ASN), or null
 */
public record GeoIpConfig(Path database, Path asnDatabase) {
    public GeoIpConfig {
        if (database == null && asnDatabase == null) {
            throw new IllegalArgumentException("a geoip database is needed");
        }
    }
}

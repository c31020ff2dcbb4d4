package io.sluice.runtime;

import com.maxmind.db.CHMCache;
import com.maxmind.db.Reader;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.GeoIp2Exception;
import com.maxmind.geoip2.model.AbstractCountryResponse;
import com.maxmind.geoip2.model.EnterpriseResponse;
import com.maxmind.geoip2.model.IspResponse;
import io.sluice.config.GeoIpConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.Optional;

/**
 * Where a client address is, read from MaxMind databases (GeoIP2 or GeoLite2 Country, City, Enterprise, ASN or
 * ISP) with MaxMind's own reader. The files are memory-mapped when opened, so a lookup reads memory and never
 * blocks: it may run on an event loop. Thread-safe.
 */
public final class GeoIp {
    /** A client's country, continent and autonomous system; null or 0 for what is not known. */
    public record Place(String country, String continent, long asn) {
        /** Nothing known: an address in no range of the databases (private, loopback, or just missing). */
        public static final Place UNKNOWN = new Place(null, null, 0);
    }

    private final DatabaseReader places;
    private final String placesType;
    private final DatabaseReader asns;
    private final String asnsType;

    private GeoIp(DatabaseReader places, DatabaseReader asns) {
        this.places = places;
        this.placesType = places == null ? "" : places.getMetadata().getDatabaseType();
        this.asns = asns;
        this.asnsType = asns == null ? "" : asns.getMetadata().getDatabaseType();
    }

    /**
     * Opens the databases of {@code config}: {@code database} for countries and continents (and AS numbers when
     * it has them), {@code asnDatabase} for AS numbers.
     *
     * @throws UncheckedIOException when a file cannot be read as a MaxMind database
     */
    public static GeoIp open(GeoIpConfig config) {
        DatabaseReader places = config.database() == null ? null : reader(config.database().toFile());
        DatabaseReader asns = config.asnDatabase() == null ? null : reader(config.asnDatabase().toFile());
        return new GeoIp(places, asns == null && places != null && hasAsn(places) ? places : asns);
    }

    private static DatabaseReader reader(java.io.File file) {
        try {
            return new DatabaseReader.Builder(file).fileMode(Reader.FileMode.MEMORY_MAPPED)
                    .withCache(new CHMCache()).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the MaxMind database " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean hasAsn(DatabaseReader r) {
        String t = r.getMetadata().getDatabaseType();
        return t.contains("ASN") || t.contains("ISP") || t.contains("Enterprise");
    }

    /** Where {@code address} is; {@link Place#UNKNOWN} when no database has it. */
    public Place lookup(InetAddress address) {
        String country = null;
        String continent = null;
        long asn = 0;
        try {
            if (places != null) {
                Optional<? extends AbstractCountryResponse> r = placesType.contains("Enterprise")
                        ? places.tryEnterprise(address) : placesType.contains("City") ? places.tryCity(address)
                        : placesType.contains("Country") ? places.tryCountry(address) : Optional.empty();
                if (r.isPresent()) {
                    country = r.get().getCountry().getIsoCode();
                    continent = r.get().getContinent().getCode();
                }
            }
            if (asns != null) {
                Long n = asn(address);
                asn = n == null ? 0 : n;
            }
        } catch (IOException | GeoIp2Exception | RuntimeException e) {
            return Place.UNKNOWN; // a corrupt record: the client is nowhere, as for an unknown address
        }
        return country == null && continent == null && asn == 0 ? Place.UNKNOWN : new Place(country, continent, asn);
    }

    private Long asn(InetAddress address) throws IOException, GeoIp2Exception {
        if (asnsType.contains("Enterprise")) {
            Optional<EnterpriseResponse> r = asns.tryEnterprise(address);
            return r.map(x -> x.getTraits().getAutonomousSystemNumber()).orElse(null);
        }
        if (asnsType.contains("ISP")) {
            return asns.tryIsp(address).map(IspResponse::getAutonomousSystemNumber).orElse(null);
        }
        return asns.tryAsn(address).map(x -> x.getAutonomousSystemNumber()).orElse(null);
    }
}

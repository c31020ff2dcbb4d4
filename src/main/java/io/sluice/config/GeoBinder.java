package io.sluice.config;

import static io.sluice.config.Binder.index;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Binds the geo conditions of a route's {@code match}: {@code country}, {@code continent} and {@code asn}, each
 * one value or a list, and says which of them the configured {@code geoip} databases cannot answer. Stateless;
 * thread-safe.
 */
final class GeoBinder {
    /** The continent codes MaxMind databases use. */
    static final List<String> CONTINENTS = List.of("AF", "AN", "AS", "EU", "NA", "OC", "SA");
    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

    private GeoBinder() {
    }

    /** {@code country: [BR, AR]}: ISO 3166 alpha-2 codes, upper case. */
    static List<String> countries(Binder b, YamlNode n, String path, Refs refs) {
        List<String> out = new ArrayList<>();
        for (Item item : items(b, n, path, "a country code such as BR, or a list of them", refs, "country")) {
            String t = item.text();
            if (!t.matches("[A-Z]{2}")) {
                b.error(item.path(), item.node(), "`" + t + "` is not a country code: write the two upper-case letters"
                        + " of ISO 3166-1 alpha-2, such as BR or DE");
            } else if (!COUNTRIES.contains(t)) {
                b.error(item.path(), item.node(), "`" + t + "` is not an ISO 3166-1 alpha-2 country code");
            } else if (!out.contains(t)) {
                out.add(t);
            }
        }
        return out;
    }

    /** {@code continent: [EU, SA]}: MaxMind's two-letter continent codes. */
    static List<String> continents(Binder b, YamlNode n, String path, Refs refs) {
        List<String> out = new ArrayList<>();
        for (Item item : items(b, n, path, "a continent code such as EU, or a list of them", refs, "continent")) {
            String t = item.text();
            if (!CONTINENTS.contains(t)) {
                b.error(item.path(), item.node(), "`" + t + "` is not a continent code" + Suggest.didYouMean(t, CONTINENTS)
                        + " (allowed: " + String.join(", ", CONTINENTS) + ")");
            } else if (!out.contains(t)) {
                out.add(t);
            }
        }
        return out;
    }

    /** {@code asn: [64512]}: autonomous system numbers, 1 to 4294967295. */
    static List<Long> asns(Binder b, YamlNode n, String path, Refs refs) {
        List<Long> out = new ArrayList<>();
        for (Item item : items(b, n, path, "an AS number such as 64512, or a list of them", refs, "asn")) {
            String t = item.text();
            if (t.regionMatches(true, 0, "AS", 0, 2)) {
                t = t.substring(2);
            }
            long v = t.matches("[0-9]{1,10}") ? Long.parseLong(t) : -1;
            if (v < 1 || v > 0xFFFF_FFFFL) {
                b.error(item.path(), item.node(), "`" + item.text() + "` is not an AS number (a whole number from 1"
                        + " to 4294967295, such as 64512)");
            } else if (!out.contains(v)) {
                out.add(v);
            }
        }
        return out;
    }

    /**
     * Why the {@code key} condition cannot be answered, or null when it can.
     *
     * @param given whether the file has a {@code geoip} key (when it does but {@code geoip} is null, its own
     *              errors were reported: nothing more is said)
     */
    static String unanswered(String key, boolean given, GeoIpConfig geoip) {
        if (!given) {
            return "`" + key + "` needs a MaxMind database: add at the top level geoip: { database:"
                    + " /var/lib/GeoIP/GeoLite2-Country.mmdb" + ("asn".equals(key) ? ", asn_database:"
                    + " /var/lib/GeoIP/GeoLite2-ASN.mmdb" : "") + " } (GeoLite2 is free from maxmind.com)";
        }
        if (geoip == null) {
            return null;
        }
        if (!"asn".equals(key) && geoip.database() == null) {
            return "`" + key + "` needs `geoip.database` (a Country or City database); `asn_database` has only"
                    + " AS numbers";
        }
        if ("asn".equals(key) && geoip.asnDatabase() == null) {
            String type = databaseType(geoip.database());
            if (!type.contains("ASN") && !type.contains("ISP") && !type.contains("Enterprise")) {
                return "`asn` needs `geoip.asn_database` (e.g. GeoLite2-ASN.mmdb): " + geoip.database().getFileName()
                        + " is a " + type + " database, without AS numbers";
            }
        }
        return null;
    }

    /** The database type a MaxMind file declares ({@code GeoLite2-Country}, ...), or what went wrong reading it. */
    private static String databaseType(java.nio.file.Path file) {
        try (com.maxmind.db.Reader r = new com.maxmind.db.Reader(file.toFile())) {
            return r.getMetadata().getDatabaseType();
        } catch (java.io.IOException | RuntimeException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
    }

    private record Item(String text, String path, YamlNode node) {
    }

    /** The values of a one-or-many condition, stripped and upper-cased; records the use for the database check. */
    private static List<Item> items(Binder b, YamlNode n, String path, String what, Refs refs, String key) {
        List<Item> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        refs.geoUse(key, path, n);
        if (n instanceof YamlNode.Sequence s) {
            if (s.items().isEmpty()) {
                b.error(path, n, "`" + key + "` is empty; list at least one value or leave it out");
            }
            for (int i = 0; i < s.items().size(); i++) {
                String t = b.text(s.items().get(i), index(path, i), what);
                if (t != null) {
                    out.add(new Item(t.strip().toUpperCase(Locale.ROOT), index(path, i), s.items().get(i)));
                }
            }
            return out;
        }
        String t = b.text(n, path, what);
        if (t != null) {
            out.add(new Item(t.strip().toUpperCase(Locale.ROOT), path, n));
        }
        return out;
    }
}

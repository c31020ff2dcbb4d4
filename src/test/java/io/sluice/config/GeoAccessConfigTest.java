package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Geo route conditions, the allow/deny filters and client_ip_header: what a good file binds to, and each
 * mistake at its path and line:column.
 */
class GeoAccessConfigTest {
    private static final String COUNTRY_DB = Path.of("src/test/resources/geoip/test-country.mmdb").toAbsolutePath()
            .toString();

    private static String file(String geoip, String listenerExtra, String route) {
        return """
                pools: [ { name: web, backends: [ "127.0.0.1:3001" ] } ]
                %s
                listeners:
                  - name: web
                    bind: "127.0.0.1:8080"
                %s
                    routes:
                      - %s
                      - pool: web
                """.formatted(geoip, listenerExtra, route);
    }

    private static String geoip() {
        return "geoip: { database: \"" + COUNTRY_DB + "\" }";
    }

    private static String geoipWithAsn() {
        return "geoip: { database: \"" + COUNTRY_DB + "\", asn_database: \"" + COUNTRY_DB.replace("country", "asn")
                + "\" }";
    }

    @Test
    void geoConditionsAndAccessListsBind() throws ConfigException {
        Config c = ConfigLoader.parse(file(geoipWithAsn(), "    trusted_proxies: [ 10.0.0.0/8 ]\n"
                        + "    client_ip_header: X-Forwarded-For\n    filters: [ { deny: [ 203.0.113.0/24 ] } ]",
                "{ match: { country: [br, AR], continent: EU, asn: [ 64512, AS64513 ] }, pool: web,"
                        + " filters: [ { allow: [ 10.0.0.0/8, \"::1\" ] } ] }"), "test.yaml", n -> null);
        MatchConfig m = c.listeners().get(0).routes().get(0).match();
        assertThat(m.countries()).containsExactly("BR", "AR");
        assertThat(m.continents()).containsExactly("EU");
        assertThat(m.asns()).containsExactly(64512L, 64513L);
        assertThat(c.listeners().get(0).policy().clientIpHeader()).isEqualTo("X-Forwarded-For");
        assertThat(c.listeners().get(0).policy().filters()).extracting(FilterConfig::name).containsExactly("deny");
        assertThat(c.listeners().get(0).routes().get(0).filters()).extracting(FilterConfig::name)
                .containsExactly("allow");
    }

    @Test
    void badCodesAreReportedAtTheirValue() {
        List<ConfigError> errors = ConfigErrorsTest.errors(file(geoipWithAsn(), "",
                "{ match: { country: [BR, XX, deu], continent: [EU, EUR], asn: [0, abc] }, pool: web }"));
        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("listeners[0].routes[0].match.country[1]", 8, 34),
                tuple("listeners[0].routes[0].match.country[2]", 8, 38),
                tuple("listeners[0].routes[0].match.continent[1]", 8, 60),
                tuple("listeners[0].routes[0].match.asn[0]", 8, 72),
                tuple("listeners[0].routes[0].match.asn[1]", 8, 75));
        assertThat(errors.get(0).message()).contains("`XX` is not an ISO 3166-1 alpha-2 country code");
        assertThat(errors.get(1).message()).contains("two upper-case letters");
        assertThat(errors.get(2).message()).contains("not a continent code", "AF, AN, AS, EU, NA, OC, SA");
        assertThat(errors.get(3).message()).contains("not an AS number");
    }

    @Test
    void aGeoConditionWithoutADatabaseIsAnError() {
        ConfigError e = ConfigErrorsTest.onlyError(file("", "", "{ match: { continent: [SA] }, pool: web }"));
        assertThat(e.path()).isEqualTo("listeners[0].routes[0].match.continent");
        assertThat(e.line()).isEqualTo(8);
        assertThat(e.column()).isEqualTo(31);
        assertThat(e.message()).contains("`continent` needs a MaxMind database", "geoip: { database:",
                "maxmind.com");
    }

    @Test
    void asnWithACountryOnlyDatabaseIsAnError() {
        ConfigError e = ConfigErrorsTest.onlyError(file(geoip(), "", "{ match: { asn: 64512 }, pool: web }"));
        assertThat(e.path()).isEqualTo("listeners[0].routes[0].match.asn");
        assertThat(e.line()).isEqualTo(8);
        assertThat(e.message()).contains("`asn` needs `geoip.asn_database`", "GeoLite2-Country database");
    }

    @Test
    void aMissingDatabaseFileIsAnError() {
        ConfigError e = ConfigErrorsTest.onlyError(file("geoip: { database: /nonexistent/GeoLite2-Country.mmdb }",
                "", "{ match: { country: BR }, pool: web }"));
        assertThat(e.path()).isEqualTo("geoip.database");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.message()).contains("no readable file", "maxmind.com");
    }

    @Test
    void badRangesInAccessListsAreReportedAtTheirItem() {
        List<ConfigError> errors = ConfigErrorsTest.errors(file("", "    filters: [ { allow: [ 10.0.0.0/33 ] } ]",
                "{ pool: web, filters: [ { deny: [ 192.168.0.0/16, not-an-ip ] }, { allow: [] }, { deny: 1.2.3.4 } ] }"));
        assertThat(errors).extracting(ConfigError::line, ConfigError::column)
                .containsExactly(tuple(6, 27), tuple(8, 59), tuple(8, 83));
        assertThat(errors.get(0).message()).contains("bad prefix length in `10.0.0.0/33`");
        assertThat(errors.get(1).message()).contains("`not-an-ip` is not an IP address");
        assertThat(errors.get(2).message()).contains("`allow` has no ranges");
    }

    @Test
    void clientIpHeaderWithoutTrustedProxiesIsAnError() {
        ConfigError e = ConfigErrorsTest.onlyError(file("", "    client_ip_header: X-Forwarded-For", "{ pool: web }"));
        assertThat(e.path()).isEqualTo("listeners[0].client_ip_header");
        assertThat(e.line()).isEqualTo(6);
        assertThat(e.column()).isEqualTo(23);
        assertThat(e.message()).contains("trusted_proxies");
    }
}

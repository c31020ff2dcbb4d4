package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.Sluice;
import io.sluice.config.ConfigLoader;
import io.sluice.testing.MetricsScrape;
import io.sluice.testing.RawHttp;
import io.sluice.testing.ScriptedBackend;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Geo routing and allow/deny lists on the real client: the address a trusted proxy (127.0.0.0/8 here) names in
 * X-Forwarded-For, looked up in the test MaxMind databases (src/test/resources/geoip, written by
 * write-fixtures.pl: 198.51.100.0/24 DE/EU AS64512, 203.0.113.0/24 BR/SA AS64513, 192.0.2.0/25 AR/SA,
 * 2001:db8::/48 JP/AS).
 */
class GeoAccessIT {
    private static final String GEO = "src/test/resources/geoip/";
    private static ScriptedBackend de;
    private static ScriptedBackend latam;
    private static ScriptedBackend asn;
    private static ScriptedBackend rest;
    private static Sluice sluice;

    @BeforeAll
    static void start() throws Exception {
        de = ScriptedBackend.answering("de");
        latam = ScriptedBackend.answering("latam");
        asn = ScriptedBackend.answering("asn");
        rest = ScriptedBackend.answering("rest");
        String yaml = """
                admin: { bind: "127.0.0.1:0" }
                geoip: { database: "%s", asn_database: "%s" }
                pools:
                  - { name: de, backends: [ "127.0.0.1:%d" ] }
                  - { name: latam, backends: [ "127.0.0.1:%d" ] }
                  - { name: asn, backends: [ "127.0.0.1:%d" ] }
                  - { name: rest, backends: [ "127.0.0.1:%d" ] }
                listeners:
                  - name: web
                    bind: "127.0.0.1:0"
                    trusted_proxies: [ 127.0.0.0/8 ]
                    client_ip_header: X-Forwarded-For
                    routes:
                      - { match: { path_prefix: /geo, country: [DE, JP] }, pool: de }
                      - { match: { path_prefix: /geo, continent: [SA] }, pool: latam }
                      - { match: { path_prefix: /asn, asn: [64512] }, pool: asn }
                      - { match: { path_prefix: /acl }, pool: rest, filters: [ { deny: [ 203.0.113.0/24 ] } ] }
                      - { pool: rest }
                  - name: locked
                    bind: "127.0.0.1:0"
                    trusted_proxies: [ 127.0.0.0/8 ]
                    client_ip_header: X-Forwarded-For
                    filters: [ { allow: [ 198.51.100.0/24 ] } ]
                    routes: [ { pool: rest } ]
                  - name: untrusting
                    bind: "127.0.0.1:0"
                    trusted_proxies: [ 10.0.0.0/8 ]
                    client_ip_header: X-Forwarded-For
                    routes:
                      - { match: { country: [DE] }, pool: de }
                      - { pool: rest }
                """.formatted(Path.of(GEO + "test-country.mmdb").toAbsolutePath(),
                Path.of(GEO + "test-asn.mmdb").toAbsolutePath(), de.port(), latam.port(), asn.port(), rest.port());
        sluice = Sluice.builder().config(ConfigLoader.parse(yaml, "test.yaml", n -> null)).build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        sluice.close();
        de.close();
        latam.close();
        asn.close();
        rest.close();
    }

    private static RawHttp.Response get(String listener, String path, String... headers) throws Exception {
        try (RawHttp c = new RawHttp(sluice.listenerAddress(listener))) {
            StringBuilder sb = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: x\r\n");
            for (String h : headers) {
                sb.append(h).append("\r\n");
            }
            return c.send(sb.append("\r\n").toString()).read();
        }
    }

    private static String via(String path, String xff) throws Exception {
        return get("web", path, "X-Forwarded-For: " + xff).body();
    }

    @Test
    void countryAndContinentRouteByTheForwardedClient() throws Exception {
        assertThat(via("/geo", "198.51.100.7")).isEqualTo("de");
        assertThat(via("/geo", "2001:db8::1")).isEqualTo("de");
        assertThat(via("/geo", "203.0.113.9")).isEqualTo("latam");
        assertThat(via("/geo", "192.0.2.5")).isEqualTo("latam");
    }

    @Test
    void unknownAddressesMatchNoGeoConditionAndFallThrough() throws Exception {
        assertThat(via("/geo", "192.0.2.200")).isEqualTo("rest"); // outside 192.0.2.0/25
        assertThat(via("/geo", "10.1.2.3")).isEqualTo("rest");
        assertThat(get("web", "/geo").body()).isEqualTo("rest"); // 127.0.0.1 itself
        assertThat(via("/geo", "not-an-address")).isEqualTo("rest");
    }

    @Test
    void theRightMostUntrustedAddressIsTheClient() throws Exception {
        // A client may write anything to the left; only what the trusted proxies appended counts.
        assertThat(via("/geo", "203.0.113.9, 198.51.100.7")).isEqualTo("de");
        assertThat(via("/geo", "198.51.100.7, 127.0.0.5, 127.0.0.9")).isEqualTo("de");
        assertThat(get("web", "/geo", "X-Forwarded-For: 198.51.100.7", "X-Forwarded-For: 203.0.113.9").body())
                .isEqualTo("latam");
    }

    @Test
    void asnRoutesByTheAsnDatabase() throws Exception {
        assertThat(via("/asn", "198.51.100.7")).isEqualTo("asn");
        assertThat(via("/asn", "203.0.113.9")).isEqualTo("rest");
    }

    @Test
    void anUntrustedPeersHeaderIsIgnored() throws Exception {
        assertThat(get("untrusting", "/", "X-Forwarded-For: 198.51.100.7").body()).isEqualTo("rest");
    }

    @Test
    void allowAndDenyAnswer403AndCountIt() throws Exception {
        double webBefore = denied("web");
        double lockedBefore = denied("locked");
        RawHttp.Response r = get("web", "/acl", "X-Forwarded-For: 203.0.113.9");
        assertThat(r.status()).isEqualTo(403);
        assertThat(via("/acl", "198.51.100.7")).isEqualTo("rest");
        assertThat(via("/other", "203.0.113.9")).isEqualTo("rest"); // the deny list is on /acl only

        assertThat(get("locked", "/", "X-Forwarded-For: 198.51.100.7").body()).isEqualTo("rest");
        assertThat(get("locked", "/", "X-Forwarded-For: 203.0.113.9").status()).isEqualTo(403);
        assertThat(get("locked", "/").status()).isEqualTo(403); // 127.0.0.1 is not in the allow list
        assertThat(get("locked", "/", "X-Forwarded-For: 198.51.100.7, 203.0.113.9").status()).isEqualTo(403);

        assertThat(denied("web") - webBefore).isEqualTo(1);
        assertThat(denied("locked") - lockedBefore).isEqualTo(3);
    }

    private static double denied(String listener) throws Exception {
        // The counter exists (at 0) from the moment the filter is made.
        return MetricsScrape.of(sluice.adminAddress()).sum("sluice_filter_denied_total",
                Map.of("listener", listener));
    }
}

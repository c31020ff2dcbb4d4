package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The running configuration as the admin API shows it: secrets masked, references and the rest as written. */
class ConfigDocumentTest {

    @Test
    void secretsAreMaskedAndReferencesShownAsWritten() {
        JsonNode doc = ConfigDocument.masked("""
                admin: { bind: "127.0.0.1:9901", token: "t0ps3cret" }
                listeners:
                  - name: web
                    bind: ":8080"
                    routes: [ { pool: app, sticky: { secrets: [ "k1-secret", "${OLD_KEY}" ] } } ]
                pools:
                  - { name: app, backends: [ "127.0.0.1:3001" ], timeouts: { connect: 2s } }
                workers: 4
                turn: { users: { alice: "pw" }, auth: { shared_secret: "${TURN_SECRET}" } }
                """, ConfigFormat.YAML);
        assertThat(doc.at("/admin/token").asText()).isEqualTo(ConfigDocument.MASK);
        assertThat(doc.at("/admin/bind").asText()).isEqualTo("127.0.0.1:9901");
        assertThat(doc.at("/listeners/0/routes/0/sticky/secrets/0").asText()).isEqualTo(ConfigDocument.MASK);
        assertThat(doc.at("/listeners/0/routes/0/sticky/secrets/1").asText()).isEqualTo("${OLD_KEY}");
        assertThat(doc.at("/turn/users/alice").asText()).isEqualTo(ConfigDocument.MASK);
        assertThat(doc.at("/turn/auth/shared_secret").asText()).isEqualTo("${TURN_SECRET}");
        assertThat(doc.at("/workers").isNumber()).isTrue();
        assertThat(doc.at("/pools/0/timeouts/connect").asText()).isEqualTo("2s");
        assertThat(doc.toString()).doesNotContain("t0ps3cret").doesNotContain("k1-secret").doesNotContain("pw\"");
    }

    @Test
    void tomlIsShownTheSameWay() {
        JsonNode doc = ConfigDocument.masked("""
                [admin]
                bind = "127.0.0.1:9901"
                token = "t0ps3cret"
                """, ConfigFormat.TOML);
        assertThat(doc.at("/admin/token").asText()).isEqualTo(ConfigDocument.MASK);
        assertThat(doc.at("/admin/bind").asText()).isEqualTo("127.0.0.1:9901");
    }

    @Test
    void textThatDoesNotParseGivesNull() {
        assertThat(ConfigDocument.masked("a: [", ConfigFormat.YAML).isNull()).isTrue();
        assertThat(ConfigDocument.masked("", ConfigFormat.YAML).isNull()).isTrue();
    }
}

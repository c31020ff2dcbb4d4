package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.sluice.balance.BalanceOptions;
import io.sluice.balance.HashKey;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A pool's strategy tuning keys: hash_key, hash_balance_factor, ewma_half_life, slow_start. */
class BalanceOptionsConfigTest {

    private static PoolConfig pool(String extra) throws ConfigException {
        Config c = ConfigLoader.parse("""
                listeners: [ { name: web, bind: "127.0.0.1:8080", routes: [ { pool: web } ] } ]
                pools:
                  - name: web
                    backends: [ "127.0.0.1:3001" ]
                %s
                """.formatted(extra.indent(4)), "test.yaml", name -> null);
        return c.pools().get(0);
    }

    @Test
    void defaultsWhenAbsent() throws ConfigException {
        assertThat(pool("strategy: round_robin").balance()).isEqualTo(BalanceOptions.DEFAULTS);
    }

    @Test
    void everyKeyIsRead() throws ConfigException {
        BalanceOptions o = pool("""
                strategy: round_robin
                hash_key: "header:X-User"
                hash_balance_factor: 125
                ewma_half_life: 5s
                slow_start: 30s
                """).balance();
        assertThat(o.hashKey()).isEqualTo(new HashKey(HashKey.Kind.HEADER, "X-User"));
        assertThat(o.hashBalanceFactor()).isEqualTo(125);
        assertThat(o.ewmaHalfLife()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.slowStart()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void hashKeyForms() {
        assertThat(HashKey.parse("client_ip")).isEqualTo(HashKey.CLIENT_IP);
        assertThat(HashKey.parse("path")).isEqualTo(new HashKey(HashKey.Kind.PATH, ""));
        assertThat(HashKey.parse("cookie:session")).isEqualTo(new HashKey(HashKey.Kind.COOKIE, "session"));
        assertThat(HashKey.parse("query:user").toString()).isEqualTo("query:user");
    }

    @Test
    void badValuesAreReportedTogetherWithTheirLines() {
        String yaml = """
                listeners: [ { name: web, bind: "127.0.0.1:8080", routes: [ { pool: web } ] } ]
                pools:
                  - name: web
                    backends: [ "127.0.0.1:3001" ]
                    hash_key: "header:"
                    hash_balance_factor: 90
                    ewma_half_life: 0s
                    slow_start: soon
                """;
        assertThat(ConfigErrorsTest.errors(yaml)).extracting(ConfigError::path, ConfigError::line).containsExactly(
                tuple("pools[0].hash_key", 5),
                tuple("pools[0].hash_balance_factor", 6),
                tuple("pools[0].ewma_half_life", 7),
                tuple("pools[0].slow_start", 8));
        assertThat(ConfigErrorsTest.errors(yaml)).extracting(ConfigError::message).satisfiesExactly(
                m -> assertThat(m).contains("needs a name"),
                m -> assertThat(m).contains("percentage above 100"),
                m -> assertThat(m).contains("more than 0"),
                m -> assertThat(m).isNotBlank());
    }
}

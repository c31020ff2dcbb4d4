package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A pool's {@code connection_limit}: values, defaults, and each mistake at its path and line. */
class ConnectionLimitConfigTest {

    private static final String POOL = """
            listeners: [ { name: web, bind: "127.0.0.1:8080", routes: [ { pool: web } ] } ]
            pools:
              - name: web
                backends: [ "127.0.0.1:3001" ]
            %s""";

    private static PoolConfig pool(String body) throws ConfigException {
        return ConfigLoader.parse(POOL.formatted(body.indent(4)), "test.yaml", name -> null).pool("web");
    }

    private static ConfigError onlyError(String body) {
        return ConfigErrorsTest.onlyError(POOL.formatted(body.indent(4)));
    }

    @Test
    void everyValueIsRead() throws ConfigException {
        PoolConfig p = pool("""
                connection_limit:
                  max_per_backend: 64
                  queue: 500
                  queue_timeout: 2500ms
                """);
        assertThat(p.connectionLimit()).isEqualTo(new ConnectionLimitConfig(64, 500, Duration.ofMillis(2500)));
        assertThat(p.connectionLimit().limited()).isTrue();
    }

    @Test
    void absentMeansNoLimitAndTheQueueHasDefaults() throws ConfigException {
        assertThat(pool("").connectionLimit()).isEqualTo(ConnectionLimitConfig.NONE);
        assertThat(ConnectionLimitConfig.NONE.limited()).isFalse();
        ConnectionLimitConfig c = pool("connection_limit: { max_per_backend: 8 }").connectionLimit();
        assertThat(c).isEqualTo(new ConnectionLimitConfig(8, 1024, Duration.ofSeconds(10)));
        assertThat(pool("connection_limit: { max_per_backend: 8, queue: 0 }").connectionLimit().queue()).isZero();
    }

    @Test
    void mistakesAreNamedWithTheirLine() {
        assertThat(onlyError("connection_limit: { queue: 10 }")).isEqualTo(new ConfigError("pools[0].connection_limit"
                + ".max_per_backend", 5, 23, "missing required key `max_per_backend` (open connections to each backend"
                + " at most, e.g. 256)"));
        ConfigError zero = onlyError("connection_limit:\n  max_per_backend: 0");
        assertThat(zero.path()).isEqualTo("pools[0].connection_limit.max_per_backend");
        assertThat(zero.line()).isEqualTo(6);
        assertThat(onlyError("connection_limit: { max_per_backend: 4, queue_timeout: 0s }").path())
                .isEqualTo("pools[0].connection_limit.queue_timeout");
        assertThat(onlyError("connection_limit: { max_per_backend: 4, queue: -1 }").path())
                .isEqualTo("pools[0].connection_limit.queue");
        ConfigError unknown = onlyError("connection_limit: { max_per_backend: 4, max_queue: 9 }");
        assertThat(unknown.path()).isEqualTo("pools[0].connection_limit.max_queue");
        assertThat(onlyError("connection_limit: 256").path()).isEqualTo("pools[0].connection_limit");
    }

    @Test
    void anHttp2OrL4PoolRefusesIt() {
        ConfigError h2c = onlyError("protocol: h2c\nconnection_limit: { max_per_backend: 4 }");
        assertThat(h2c.path()).isEqualTo("pools[0].connection_limit");
        assertThat(h2c.line()).isEqualTo(6);
        assertThat(h2c.message()).contains("one connection per event loop");
        assertThat(ConfigErrorsTest.errors(POOL.formatted("protocol: tcp\nconnection_limit: { max_per_backend: 4 }"
                .indent(4)))).anySatisfy(e -> {
                    assertThat(e.path()).isEqualTo("pools[0].connection_limit");
                    assertThat(e.message()).contains("`max_connections`");
                });
    }

    @Test
    void theLimitIsSharedOutAmongEventLoopsRoundedUp() {
        assertThat(ConnectionLimitConfig.share(256, 1)).isEqualTo(256);
        assertThat(ConnectionLimitConfig.share(256, 3)).isEqualTo(86);
        assertThat(ConnectionLimitConfig.share(2, 4)).isEqualTo(1);
    }
}

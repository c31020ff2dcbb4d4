package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A pool's health_check, circuit_breaker, retry, fallback_pool and panic_threshold keys: every value read,
 * defaults, shorthands, the seed's short keys, and each mistake reported at its path and line:column.
 */
class ResilienceConfigTest {

    /** Four lines of listener and pool before {@code body}, which is indented into pool {@code web}. */
    private static final String POOL = """
            listeners: [ { name: web, bind: "127.0.0.1:8080", routes: [ { pool: web } ] } ]
            pools:
              - name: web
                backends: [ "127.0.0.1:3001" ]
            %s""";

    private static Config parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "test.yaml", name -> null);
    }

    /** Pool {@code web} with {@code body} added; body line n is file line 4 + n, column c is column 4 + c. */
    private static PoolConfig pool(String body) throws ConfigException {
        return parse(POOL.formatted(body.indent(4))).pool("web");
    }

    private static List<ConfigError> errors(String body) {
        return ConfigErrorsTest.errors(POOL.formatted(body.indent(4)));
    }

    private static ConfigError onlyError(String body) {
        return ConfigErrorsTest.onlyError(POOL.formatted(body.indent(4)));
    }

    // ---- values ----

    @Test
    void fullFormBindsEveryValue() throws ConfigException {
        Config c = parse("""
                listeners: [ { name: web, bind: "127.0.0.1:8080", routes: [ { pool: web } ] } ]
                pools:
                  - name: web
                    health_check:
                      type: http
                      path: /health
                      expect_status: [200-299, 304]
                      host: app.internal
                      interval: 5s
                      timeout: 1500ms
                      healthy_threshold: 4
                      unhealthy_threshold: 6
                    circuit_breaker:
                      enabled: true
                      failure_rate: 40
                      window: 50
                      min_calls: 10
                      open_for: 15s
                      half_open_calls: 3
                      failure_status: [500, 502-504]
                    retry:
                      max_retries: 3
                      backoff: 100ms
                      max_backoff: 2s
                      on: [connect_failure, timeout, 503, 520-529]
                      methods: [post, Patch]
                      budget_percent: 30
                      budget_min_retries: 7
                    fallback_pool: static-site
                    panic_threshold: 50
                  - name: static-site
                """);

        PoolConfig p = c.pool("web");
        assertThat(p.healthCheck()).isEqualTo(new HealthCheckConfig(HealthCheckConfig.Type.HTTP, "/health",
                StatusSet.parse(List.of("200-299", "304")), "app.internal", Duration.ofSeconds(5),
                Duration.ofMillis(1500), 4, 6));
        assertThat(p.breaker()).isEqualTo(new CircuitBreakerConfig(true, 40, 50, 10, Duration.ofSeconds(15), 3,
                StatusSet.parse(List.of("500", "502-504"))));
        assertThat(p.retry()).isEqualTo(new RetryConfig(3, Duration.ofMillis(100), Duration.ofSeconds(2),
                EnumSet.of(RetryConfig.On.CONNECT_FAILURE, RetryConfig.On.TIMEOUT),
                StatusSet.parse(List.of("503", "520-529")), List.of("POST", "PATCH"), 30, 7));
        assertThat(p.fallbackPool()).isEqualTo("static-site");
        assertThat(p.panicThreshold()).isEqualTo(50);
        assertThat(c.pool("static-site").fallbackPool()).isNull();
    }

    @Test
    void absentBlocksGiveNoChecksAndTheDefaults() throws ConfigException {
        PoolConfig p = pool("strategy: round_robin");

        assertThat(p.healthCheck()).isNull();
        assertThat(p.breaker()).isEqualTo(CircuitBreakerConfig.DEFAULTS);
        assertThat(p.retry()).isEqualTo(RetryConfig.DEFAULTS);
        assertThat(p.fallbackPool()).isNull();
        assertThat(p.panicThreshold()).isZero();
    }

    @Test
    void partialBlocksTakeTheDefaultsForTheRest() throws ConfigException {
        PoolConfig p = pool("""
                health_check: { path: /ping, unhealthy_threshold: 5 }
                circuit_breaker: { failure_rate: 75 }
                retry: { max_retries: 5, methods: [] }
                """);

        assertThat(p.healthCheck()).isEqualTo(HealthCheckConfig.DEFAULTS.withPath("/ping").withThresholds(2, 5));
        CircuitBreakerConfig d = CircuitBreakerConfig.DEFAULTS;
        assertThat(p.breaker()).isEqualTo(new CircuitBreakerConfig(true, 75, d.window(), d.minCalls(), d.openFor(),
                d.halfOpenCalls(), d.failureStatus()));
        assertThat(p.retry()).isEqualTo(RetryConfig.DEFAULTS.withMaxRetries(5));
    }

    @Test
    void emptyMapsMeanTheDefaults() throws ConfigException {
        PoolConfig p = pool("health_check: {}\ncircuit_breaker: {}\nretry: {}");

        assertThat(p.healthCheck()).isEqualTo(HealthCheckConfig.DEFAULTS);
        assertThat(p.breaker()).isEqualTo(CircuitBreakerConfig.DEFAULTS);
        assertThat(p.retry()).isEqualTo(RetryConfig.DEFAULTS);
    }

    @Test
    void aSmallWindowWithoutMinCallsLowersMinCallsToTheWindow() throws ConfigException {
        assertThat(pool("circuit_breaker: { window: 10 }").breaker().minCalls()).isEqualTo(10);
        assertThat(pool("circuit_breaker: { window: 500 }").breaker().minCalls()).isEqualTo(20);
    }

    @Test
    void falseTurnsEachBlockOffAndTrueMeansTheDefaults() throws ConfigException {
        PoolConfig off = pool("health_check: false\ncircuit_breaker: false\nretry: false");
        assertThat(off.healthCheck()).isNull();
        assertThat(off.breaker()).isEqualTo(CircuitBreakerConfig.OFF);
        assertThat(off.retry()).isEqualTo(RetryConfig.NONE);

        PoolConfig on = pool("health_check: true\ncircuit_breaker: true\nretry: true");
        assertThat(on.healthCheck()).isEqualTo(HealthCheckConfig.DEFAULTS);
        assertThat(on.breaker()).isEqualTo(CircuitBreakerConfig.DEFAULTS);
        assertThat(on.retry()).isEqualTo(RetryConfig.DEFAULTS);
    }

    @Test
    void tcpCheckKeepsTheHttpDefaultsItDoesNotUse() throws ConfigException {
        assertThat(pool("health_check: { type: TCP, interval: 3s }").healthCheck())
                .isEqualTo(HealthCheckConfig.DEFAULTS.withType(HealthCheckConfig.Type.TCP)
                        .withInterval(Duration.ofSeconds(3)));
    }

    @Test
    void statusesMayBeOneCodeOrRangeWithoutAList() throws ConfigException {
        assertThat(pool("health_check: { expect_status: 204 }").healthCheck().expectStatus())
                .isEqualTo(StatusSet.of(204));
        assertThat(pool("health_check: { expect_status: \"200-399\" }").healthCheck().expectStatus())
                .isEqualTo(StatusSet.SUCCESS);
        assertThat(pool("circuit_breaker: { failure_status: [] }").breaker().failureStatus())
                .isEqualTo(StatusSet.NONE);
        RetryConfig onlyTimeouts = pool("retry: { on: timeout }").retry();
        assertThat(onlyTimeouts.on()).containsExactly(RetryConfig.On.TIMEOUT);
        assertThat(onlyTimeouts.statuses()).isEqualTo(StatusSet.NONE);
    }

    @Test
    void seedShortKeysAreWholeSecondsAndMilliseconds() throws ConfigException {
        PoolConfig p = pool("""
                health_check: { path: /h, interval_secs: 7, timeout_secs: 3 }
                retry: { max_retries: 1, backoff_ms: 40 }
                """);

        assertThat(p.healthCheck()).isEqualTo(HealthCheckConfig.DEFAULTS.withPath("/h")
                .withInterval(Duration.ofSeconds(7)).withTimeout(Duration.ofSeconds(3)));
        assertThat(p.retry()).isEqualTo(RetryConfig.DEFAULTS.withMaxRetries(1)
                .withBackoff(Duration.ofMillis(40), RetryConfig.DEFAULTS.maxBackoff()));
        assertThat(pool("retry: { backoff_ms: 0, max_backoff: 0s }").retry().backoff()).isZero();
    }

    @Test
    void topLevelShortFormTakesHealthCheckAndRetryBlocks() throws ConfigException {
        Config c = parse("""
                listen: "127.0.0.1:8080"
                backends: ["127.0.0.1:3001"]
                health_check: { path: /hz, interval_secs: 5 }
                retry: { max_retries: 4, backoff_ms: 10 }
                """);

        PoolConfig p = c.pool("default");
        assertThat(p.healthCheck()).isEqualTo(HealthCheckConfig.DEFAULTS.withPath("/hz")
                .withInterval(Duration.ofSeconds(5)));
        assertThat(p.retry()).isEqualTo(RetryConfig.DEFAULTS.withMaxRetries(4)
                .withBackoff(Duration.ofMillis(10), RetryConfig.DEFAULTS.maxBackoff()));
        assertThat(p.breaker()).isEqualTo(CircuitBreakerConfig.DEFAULTS);

        PoolConfig seed = parse("listen: \"127.0.0.1:8080\"\nhealth_check_interval: 30\nretry: false\n")
                .pool("default");
        assertThat(seed.healthCheck()).isEqualTo(HealthCheckConfig.every(Duration.ofSeconds(30)));
        assertThat(seed.retry()).isEqualTo(RetryConfig.NONE);
    }

    // ---- mistakes ----

    @Test
    void healthCheckMistakes() {
        assertThat(onlyError("health_check: { path: health }")).isEqualTo(new ConfigError(
                "pools[0].health_check.path", 5, 27, "a path must start with \"/\", got \"health\""));
        assertThat(onlyError("health_check: { type: htp }")).isEqualTo(new ConfigError(
                "pools[0].health_check.type", 5, 27, "unknown health check type `htp`; did you mean `http`?"
                        + " (known: http, tcp)"));
        assertThat(onlyError("health_check: { expect_status: [200, 2xx] }")).isEqualTo(new ConfigError(
                "pools[0].health_check.expect_status[1]", 5, 42,
                "not a status code or range: \"2xx\"; write e.g. 200 or 200-399"));
        assertThat(onlyError("health_check: { expect_status: 600 }").message()).contains("within 100-599");
        assertThat(onlyError("health_check: { expect_status: [] }")).isEqualTo(new ConfigError(
                "pools[0].health_check.expect_status", 5, 36, "list at least one status, e.g. [200-399]"));
        assertThat(onlyError("health_check: { interval: 0s }")).isEqualTo(new ConfigError(
                "pools[0].health_check.interval", 5, 31, "must be more than 0, got 0s"));
        assertThat(onlyError("health_check: { timeout: 0ms }").path()).isEqualTo("pools[0].health_check.timeout");
        assertThat(onlyError("health_check: { healthy_threshold: 0 }")).isEqualTo(new ConfigError(
                "pools[0].health_check.healthy_threshold", 5, 40, "must be at least 1, got 0"));
        assertThat(onlyError("health_check: { unhealthy_threshold: 101 }").message())
                .isEqualTo("must be at most 100, got 101");
        assertThat(onlyError("health_check: { interval_secs: 0 }").message()).isEqualTo("must be at least 1, got 0");
        assertThat(onlyError("health_check: { host: \"a b\" }").message()).contains("bad Host header");
        assertThat(onlyError("health_check: 10s")).isEqualTo(new ConfigError("pools[0].health_check", 5, 19,
                "expected a map of health-check settings, or false, got the text \"10s\""));
    }

    @Test
    void httpOnlyKeysAreRefusedForTcpChecks() {
        List<ConfigError> errors = errors("""
                health_check:
                  type: tcp
                  path: /health
                  expect_status: 200
                  host: app.internal
                """);

        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("pools[0].health_check.path", 7, 7),
                tuple("pools[0].health_check.expect_status", 8, 7),
                tuple("pools[0].health_check.host", 9, 7));
        assertThat(errors.get(0).message()).isEqualTo("`path` applies only to http checks; remove it, or set"
                + " `type: http`");
    }

    @Test
    void aDurationAndItsSeedKeyCannotBothBeGiven() {
        List<ConfigError> errors = errors("""
                health_check: { interval: 5s, interval_secs: 5, timeout: 1s, timeout_secs: 1 }
                retry: { backoff: 5ms, backoff_ms: 5 }
                """);

        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column, ConfigError::message)
                .containsExactly(
                        tuple("pools[0].health_check.interval_secs", 5, 35,
                                "give either `interval` or `interval_secs`, not both"),
                        tuple("pools[0].health_check.timeout_secs", 5, 66,
                                "give either `timeout` or `timeout_secs`, not both"),
                        tuple("pools[0].retry.backoff_ms", 6, 28, "give either `backoff` or `backoff_ms`, not both"));
    }

    @Test
    void circuitBreakerMistakes() {
        List<ConfigError> errors = errors("""
                circuit_breaker:
                  enabled: maybe
                  failure_rate: 101
                  window: 10
                  min_calls: 11
                  open_for: 0s
                  half_open_calls: 1001
                  failure_status: [500-99]
                  treshold: 3
                """);

        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column, ConfigError::message)
                .containsExactly(
                        tuple("pools[0].circuit_breaker.enabled", 6, 16, "expected true or false, got the text \"maybe\""),
                        tuple("pools[0].circuit_breaker.failure_rate", 7, 21, "must be at most 100, got 101"),
                        tuple("pools[0].circuit_breaker.min_calls", 9, 18,
                                "min_calls must not be more than window (10), got 11"),
                        tuple("pools[0].circuit_breaker.open_for", 10, 17, "must be more than 0, got 0s"),
                        tuple("pools[0].circuit_breaker.half_open_calls", 11, 24, "must be at most 1000, got 1001"),
                        tuple("pools[0].circuit_breaker.failure_status[0]", 12, 24,
                                "status range \"500-99\" must lie within 100-599, low end first"),
                        tuple("pools[0].circuit_breaker.treshold", 13, 7, "unknown key `treshold`"
                                + " (allowed here: enabled, failure_rate, window, min_calls, open_for, half_open_calls,"
                                + " failure_status)"));
        assertThat(onlyError("circuit_breaker: { min_calls: 101 }").message())
                .isEqualTo("min_calls must not be more than window (100, the default), got 101");
        assertThat(onlyError("circuit_breaker: { window: 0, min_calls: 50 }").path())
                .as("a bad window is reported alone").isEqualTo("pools[0].circuit_breaker.window");
    }

    @Test
    void retryMistakes() {
        List<ConfigError> errors = errors("""
                retry:
                  max_retries: 11
                  backoff: 500ms
                  max_backoff: 100ms
                  on: [connect_failure, timout, 5xx]
                  methods: [POST, "GE T"]
                  budget_percent: 101
                  budget_min_retries: -1
                """);

        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column, ConfigError::message)
                .containsExactly(
                        tuple("pools[0].retry.max_retries", 6, 20, "must be at most 10, got 11"),
                        tuple("pools[0].retry.max_backoff", 8, 20,
                                "max_backoff (100ms) must be at least backoff (500ms)"),
                        tuple("pools[0].retry.on[1]", 9, 29, "unknown retry condition `timout`; did you mean"
                                + " `timeout`? (known: connect_failure, reset, timeout, or a status such as 503 or"
                                + " 500-599)"),
                        tuple("pools[0].retry.on[2]", 9, 37,
                                "not a status code or range: \"5xx\"; write e.g. 200 or 200-399"),
                        tuple("pools[0].retry.methods[1]", 10, 23,
                                "bad method \"GE T\"; a method is one word of letters, such as POST"),
                        tuple("pools[0].retry.budget_percent", 11, 23, "must be at most 100, got 101"),
                        tuple("pools[0].retry.budget_min_retries", 12, 27, "must be at least 0, got -1"));
    }

    @Test
    void backoffAboveTheDefaultCapAsksForMaxBackoff() {
        assertThat(onlyError("retry: { backoff: 1s }")).isEqualTo(new ConfigError("pools[0].retry.backoff", 5, 23,
                "backoff (1s) is more than max_backoff (250ms, the default); set max_backoff to at least 1s"));
        assertThat(onlyError("retry: { backoff: -5ms }").message()).contains("negative");
        assertThat(onlyError("retry: { backoff_ms: -1 }").message()).isEqualTo("must be at least 0, got -1");
    }

    @Test
    void panicThresholdIsAPercentage() {
        assertThat(onlyError("panic_threshold: 101")).isEqualTo(new ConfigError("pools[0].panic_threshold", 5, 22,
                "must be at most 100, got 101"));
    }

    @Test
    void fallbackMustNameAnotherDeclaredPool() {
        List<ConfigError> errors = ConfigErrorsTest.errors("""
                listeners: [ { name: web, bind: "127.0.0.1:8080", routes: [ { pool: web } ] } ]
                pools:
                  - name: web
                    fallback_pool: statik
                  - name: static
                    fallback_pool: static
                """);

        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column, ConfigError::message)
                .containsExactly(
                        tuple("pools[0].fallback_pool", 4, 20,
                                "no pool named `statik`; did you mean `static`? (known pools: web, static)"),
                        tuple("pools[1].fallback_pool", 6, 20, "pool `static` cannot fall back to itself; name"
                                + " another pool, or leave `fallback_pool` out"));
    }

    @Test
    void aFallbackLoopIsReportedOnceWhereItCloses() {
        List<ConfigError> errors = ConfigErrorsTest.errors("""
                listeners: [ { name: web, bind: "127.0.0.1:8080", routes: [ { pool: a } ] } ]
                pools:
                  - { name: a, fallback_pool: b }
                  - { name: b, fallback_pool: a }
                  - { name: c, fallback_pool: d }
                  - { name: d, fallback_pool: e }
                  - { name: e, fallback_pool: c }
                  - { name: f, fallback_pool: a }
                """);

        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column, ConfigError::message)
                .containsExactly(
                        tuple("pools[1].fallback_pool", 4, 31, "fallback pools go round in a loop: b -> a -> b;"
                                + " end the chain at a pool without `fallback_pool`"),
                        tuple("pools[4].fallback_pool", 7, 31, "fallback pools go round in a loop: e -> c -> d -> e;"
                                + " end the chain at a pool without `fallback_pool`"));
    }

    @Test
    void aFallbackChainWithoutALoopIsFine() throws ConfigException {
        Config c = parse("""
                listeners: [ { name: web, bind: "127.0.0.1:8080", routes: [ { pool: a } ] } ]
                pools:
                  - { name: a, fallback_pool: b }
                  - { name: b, fallback_pool: c }
                  - { name: c }
                  - { name: d, fallback_pool: b }
                """);

        assertThat(c.pools()).extracting(PoolConfig::fallbackPool).containsExactly("b", "c", null, "b");
    }

    @Test
    void shortFormHealthCheckIntervalAndBlockCannotBothBeGiven() {
        ConfigError e = ConfigErrorsTest.onlyError("""
                listen: "127.0.0.1:8080"
                health_check_interval: 10
                health_check: { path: /hz }
                """);

        assertThat(e).isEqualTo(new ConfigError("health_check_interval", 2, 1, "`health_check_interval` and"
                + " `health_check` both set up health checks; keep one (`interval` goes inside `health_check`)"));
    }

    @Test
    void everyMistakeInTheBlocksIsReportedTogether() {
        List<ConfigError> errors = errors("""
                health_check:
                  type: http
                  path: health
                  expect_status: [200, 2xx]
                  intervall: 5s
                  interval: 5s
                  interval_secs: 5
                circuit_breaker:
                  failure_rate: 0
                  window: 10
                  min_calls: 20
                retry:
                  on: [connect_failure, timout]
                  backoff: 1s
                  methods: [POST, "GE T"]
                panic_threshold: 150
                fallback_pool: nowhere
                """);

        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("pools[0].health_check.path", 7, 13),
                tuple("pools[0].health_check.expect_status[1]", 8, 28),
                tuple("pools[0].health_check.intervall", 9, 7),
                tuple("pools[0].health_check.interval_secs", 11, 7),
                tuple("pools[0].circuit_breaker.failure_rate", 13, 21),
                tuple("pools[0].circuit_breaker.min_calls", 15, 18),
                tuple("pools[0].retry.on[1]", 17, 29),
                tuple("pools[0].retry.backoff", 18, 16),
                tuple("pools[0].retry.methods[1]", 19, 23),
                tuple("pools[0].panic_threshold", 20, 22),
                tuple("pools[0].fallback_pool", 21, 20));
        assertThat(errors.get(2).message()).contains("unknown key `intervall`", "did you mean `interval`?");
        assertThat(errors.get(10).message()).isEqualTo("no pool named `nowhere` (known pools: web)");
    }
}

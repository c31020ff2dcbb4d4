package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad files: every error is reported, each with its YAML path and line:column. */
class ConfigErrorsTest {

    static List<ConfigError> errors(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse(yaml, "test.yaml", name -> null));
        assertThat(e).as("expected the config to be rejected").isNotNull();
        return e.errors();
    }

    static ConfigError onlyError(String yaml) {
        List<ConfigError> errors = errors(yaml);
        assertThat(errors).hasSize(1);
        return errors.get(0);
    }

    @Test
    void everyMistakeInAFileIsReportedWithPathAndPosition() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(ConfigLoaderTest.resource("mistakes.yaml")));

        assertThat(e.errors()).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("listeners[0].bind", 3, 11),
                tuple("listeners[0].protocol", 4, 15),
                tuple("listeners[0].routes[0].match.path_prefix", 6, 31),
                tuple("listeners[0].routes[0].pool", 7, 15),
                tuple("listeners[1].name", 9, 11),
                tuple("pools[0].strategu", 14, 5),
                tuple("pools[0].backends[0].address", 16, 18),
                tuple("pools[0].backends[1].weight", 18, 17),
                tuple("pools[0].timeouts.connect", 19, 26),
                tuple("pools[1].strategy", 21, 15),
                tuple("pools[1].backends", 22, 15),
                tuple("pools[2].name", 23, 5),
                tuple("limits.max_body_size", 25, 18),
                tuple("limits.max_connections", 26, 20),
                tuple("workers", 27, 10));
        assertThat(e.errors()).extracting(ConfigError::message).satisfiesExactly(
                m -> assertThat(m).contains("80800"),
                m -> assertThat(m).contains("protocol `https` needs a `tls` block"),
                m -> assertThat(m).contains("must start with \"/\""),
                m -> assertThat(m).contains("no pool named `apii`", "did you mean `api`", "known pools: web, api"),
                m -> assertThat(m).contains("duplicate listener name `web`", "listeners[0].name (2:11)"),
                m -> assertThat(m).contains("unknown key `strategu`", "did you mean `strategy`"),
                m -> assertThat(m).contains("port 0"),
                m -> assertThat(m).contains("at least 1"),
                m -> assertThat(m).contains("\"5\"", "add a unit, e.g. 5s"),
                m -> assertThat(m).contains("unknown strategy `fastest`", "round_robin"),
                m -> assertThat(m).isEqualTo("expected a list of backends, got a map"),
                m -> assertThat(m).contains("missing required key `name`"),
                m -> assertThat(m).contains("10XB"),
                m -> assertThat(m).isEqualTo("expected a number, got a list"),
                m -> assertThat(m).contains("at least 0"));
        Path file = ConfigLoaderTest.resource("mistakes.yaml");
        assertThat(e.getMessage().lines()).hasSize(15).first()
                .isEqualTo(file + ": listeners[0].bind (3:11): port must be 0-65535 in \"127.0.0.1:80800\"");
    }

    @Test
    void yamlSyntaxErrorIsOneErrorAtTheParsersPosition() {
        ConfigError e = onlyError("""
                listeners:
                  - name: web
                    bind: 127.0.0.1:8080
                   routes: []
                pools: []
                """);

        assertThat(e.line()).isEqualTo(4);
        assertThat(e.column()).isEqualTo(4);
        assertThat(e.path()).isEmpty();
        assertThat(e.message()).startsWith("YAML syntax error:").doesNotContain("\n");
    }

    @Test
    void listenerWithEmptyRoutesAndNoPoolsGetsTheNoPoolsErrorNotACrash() {
        // Found by ConfigLoaderFuzzTest: the listener was built with null routes (NullPointerException).
        ConfigError e = onlyError("""
                listeners:
                  - name: web
                    bind: 127.0.0.1:8080
                    routes:
                """);

        assertThat(e.path()).isEqualTo("pools");
        assertThat(e.message()).startsWith("no pools");
    }

    @Test
    void unsetVariableInARequiredValueIsItsErrorNotACrash() {
        // Found by ConfigLoaderFuzzTest: the listener and pool were built with a null bind and name.
        List<ConfigError> full = errors("""
                listeners:
                  - name: "${UNSET}"
                    bind: "${UNSET}"
                pools:
                  - name: "${UNSET}"
                    backends: [ "127.0.0.1:1" ]
                """);
        ConfigError shortForm = onlyError("listen: \"${UNSET}\"\nbackends: [ \"127.0.0.1:1\" ]\n");

        assertThat(full).extracting(ConfigError::path)
                .containsExactly("listeners[0].name", "listeners[0].bind", "pools[0].name");
        assertThat(full).allSatisfy(e -> assertThat(e.message()).contains("UNSET"));
        assertThat(shortForm.path()).isEqualTo("listen");
    }

    @Test
    void noRoutesWithPoolsWhoseNamesAreAllBadIsReportedNotACrash() {
        // Found by ConfigLoaderFuzzTest: the 'no routes' message took the first valid pool name, of none.
        List<ConfigError> errors = errors("""
                listeners:
                  - name: web
                    bind: 127.0.0.1:8080
                pools:
                  - name: "bad name"
                    backends: [ "127.0.0.1:1" ]
                  - name: "also bad"
                    backends: [ "127.0.0.1:2" ]
                """);

        assertThat(errors).extracting(ConfigError::path).containsExactly("listeners[0].routes", "pools[0].name",
                "pools[1].name");
        assertThat(errors.get(0).message()).startsWith("no routes: with more than one pool say which");
    }

    @Test
    void unclosedFlowListIsASyntaxError() {
        ConfigError e = onlyError("pools: [ { name: a }\nworkers: 1\n");

        assertThat(e.message()).startsWith("YAML syntax error:");
        assertThat(e.line()).isEqualTo(2);
    }

    @Test
    void duplicateKeyIsReportedAtTheSecondOne() {
        ConfigError e = onlyError("""
                listen: "127.0.0.1:8080"
                backends: ["127.0.0.1:3001"]
                admin:
                  bind: 127.0.0.1:9901
                  bind: 127.0.0.1:9902
                """);

        assertThat(e).isEqualTo(new ConfigError("admin.bind", 5, 3,
                "duplicate key `bind` (first given at 4:3); each key may appear once"));
    }

    @Test
    void unknownKeySuggestsTheNearOne() {
        ConfigError e = onlyError("""
                listen: "127.0.0.1:8080"
                backends: ["127.0.0.1:3001"]
                limits: { max_body_sise: 1MiB }
                """);

        assertThat(e.path()).isEqualTo("limits.max_body_sise");
        assertThat(e.message()).contains("did you mean `max_body_size`?", "allowed here: max_header_size");
        assertThat(e.toString()).startsWith("limits.max_body_sise (3:11): unknown key `max_body_sise`");
    }

    @Test
    void unknownKeyFarFromAnyListsTheAllowedOnes() {
        ConfigError e = onlyError("listen: \"127.0.0.1:8080\"\ncolour: blue\n");

        assertThat(e.message()).doesNotContain("did you mean").contains("allowed here: listeners, pools");
    }

    @Test
    void emptyFileIsAnError() {
        assertThat(onlyError("").message()).contains("no listeners");
        assertThat(onlyError("# only a comment\n").message()).contains("no listeners");
    }

    @Test
    void topLevelMustBeAMap() {
        ConfigError e = onlyError("- just\n- a list\n");

        assertThat(e.toString()).isEqualTo("top level (1:1): expected a map of settings (listeners, pools, ...), got a list");
    }

    @Test
    void listenersAndPoolsAreRequiredInTheFullForm() {
        assertThat(errors("admin: { enabled: false }\nlisteners: []\n"))
                .extracting(ConfigError::path, ConfigError::line, ConfigError::column, ConfigError::message)
                .containsExactly(
                        tuple("pools", 1, 1, "no pools: add at least one, e.g. pools: [ { name: web, backends:"
                                + " [ { address: \"127.0.0.1:3001\" } ] } ]"),
                        tuple("listeners", 2, 1, "no listeners: add at least one, e.g. listeners: [ { name: web, bind:"
                                + " \"127.0.0.1:8080\" } ] (or use the short form, with `listen` and `backends`)"));
    }

    @Test
    void shortAndFullFormsCannotBeMixed() {
        ConfigError e = onlyError("""
                listeners: [ { name: a, bind: "127.0.0.1:0" } ]
                pools: [ { name: p } ]
                backends: ["127.0.0.1:3001"]
                """);

        assertThat(e.path()).isEqualTo("backends");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.message()).contains("short single-pool form", "cannot be mixed");
    }

    @Test
    void routesAreRequiredWhenThereIsMoreThanOnePool() {
        ConfigError e = onlyError("""
                listeners:
                  - name: a
                    bind: "127.0.0.1:0"
                pools: [ { name: p }, { name: q } ]
                """);

        assertThat(e.path()).isEqualTo("listeners[0].routes");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.message()).contains("more than one pool (p, q)");
    }

    @Test
    void namesAndAddressesMustBeUnique() {
        List<ConfigError> errors = errors("""
                admin: { bind: "127.0.0.1:8080" }
                listeners:
                  - { name: a, bind: "127.0.0.1:8081", routes: [ { pool: p } ] }
                  - { name: b, bind: "127.0.0.1:8081", routes: [ { pool: p } ] }
                  - { name: c, bind: "127.0.0.1:8080", routes: [ { pool: p } ] }
                  - { name: d, bind: "127.0.0.1:0", routes: [ { pool: p } ] }
                  - { name: e, bind: "127.0.0.1:0", routes: [ { pool: p } ] }
                pools:
                  - { name: p, backends: ["127.0.0.1:1", "127.0.0.1:1"] }
                  - { name: p }
                """);

        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("admin.bind", 1, 16),
                tuple("listeners[1].bind", 4, 22),
                tuple("pools[0].backends[1]", 9, 42),
                tuple("pools[1].name", 10, 13));
        assertThat(errors.get(0).message()).contains("already used by listeners[2].bind");
        assertThat(errors.get(2).message()).contains("already listed at pools[0].backends[0]");
        assertThat(errors.get(3).message()).contains("duplicate pool name `p`");
    }

    @Test
    void listenerOnTheDefaultAdminAddressIsReported() {
        ConfigError e = onlyError("listen: \"127.0.0.1:9901\"\n");

        assertThat(e.path()).isEqualTo("listen");
        assertThat(e.message()).contains("default of admin.bind");
    }

    @Test
    void backendUrlsMustBeHttpOrHttpsWithoutAPath() {
        List<ConfigError> errors = errors("""
                listen: "127.0.0.1:8080"
                backends:
                  - url: "ftp://127.0.0.1:3001"
                  - url: "http://127.0.0.1:3002/api"
                  - { url: "http://127.0.0.1:3003", address: "127.0.0.1:3003" }
                  - 3004
                  - weight: 2000
                """);

        assertThat(errors).extracting(ConfigError::path).containsExactly("backends[0].url", "backends[1].url",
                "backends[2].url", "backends[3]", "backends[4].address", "backends[4].weight");
        assertThat(errors.get(0).message()).contains("unsupported scheme `ftp`", "http:// or https://");
        assertThat(errors.get(1).message()).contains("path", "/api");
        assertThat(errors.get(2).message()).contains("either `address` or `url`");
        assertThat(errors.get(3).message()).contains("expected host:port, got the number 3004");
        assertThat(errors.get(5).message()).isEqualTo("must be at most 1000, got 2000");
    }

    @Test
    void matchConditionsAreValidated() {
        List<ConfigError> errors = errors("""
                listeners:
                  - name: a
                    bind: "127.0.0.1:0"
                    routes:
                      - match: { host: "api.*.com", path: "x", methods: [GET, "BAD METHOD"], hedaers: {} }
                        pool: p
                      - match: { host: "example.com:80", headers: { X-A: [1] } }
                        pool: p
                      - match: "everything"
                        pool: p
                pools: [ { name: p } ]
                """);

        assertThat(errors).extracting(ConfigError::path).containsExactly(
                "listeners[0].routes[0].match.host",
                "listeners[0].routes[0].match.path",
                "listeners[0].routes[0].match.methods[1]",
                "listeners[0].routes[0].match.hedaers",
                "listeners[0].routes[1].match.host",
                "listeners[0].routes[1].match.headers.X-A",
                "listeners[0].routes[2].match");
        assertThat(errors.get(0).message()).contains("`*` may only be the whole first label");
        assertThat(errors.get(3).message()).contains("did you mean `headers`?");
        assertThat(errors.get(4).message()).contains("no port");
    }

    @Test
    void unquotedWildcardHostIsExplainedAsAnAlias() {
        ConfigError e = onlyError("""
                listeners:
                  - { name: a, bind: "127.0.0.1:0", routes: [ { match: { host: *.example.com }, pool: p } ] }
                pools: [ { name: p } ]
                """);

        assertThat(e.line()).isEqualTo(2);
        assertThat(e.message()).contains("YAML alias", "quote it");
    }

    @Test
    void requiredFieldsMissingOrEmpty() {
        List<ConfigError> errors = errors("""
                listeners:
                  - name:
                    routes: [ { match: {} } ]
                pools: [ { name: p, backends: [ { weight: 1 } ] } ]
                """);

        assertThat(errors).extracting(ConfigError::path, ConfigError::line, ConfigError::column).containsExactly(
                tuple("listeners[0].name", 2, 5),
                tuple("listeners[0].bind", 2, 5),
                tuple("listeners[0].routes[0].pool", 3, 15),
                tuple("pools[0].backends[0].address", 4, 33));
        assertThat(errors.get(0).message()).startsWith("`name` has no value");
        assertThat(errors.get(1).message()).startsWith("missing required key `bind`");
    }

    @Test
    void aliasIsOneErrorWithoutFollowOnErrors() {
        ConfigError e = onlyError("listen: &addr \"127.0.0.1:8080\"\nadmin: { bind: *addr }\n");

        assertThat(e.path()).isEqualTo("admin.bind");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.message()).contains("`*addr` is a YAML alias");
    }

    @Test
    void onlyOneDocumentIsAllowed() {
        ConfigError e = onlyError("listen: \"127.0.0.1:8080\"\n---\nlisten: \"127.0.0.1:8081\"\n");

        assertThat(e.line()).isEqualTo(3);
        assertThat(e.message()).contains("only one YAML document");
    }

    @Test
    void bodyLimitMayBeSetOnlyOnce() {
        ConfigError e = onlyError("listen: \"127.0.0.1:8080\"\nmax_request_body_mb: 5\nlimits: { max_body_size: 1MiB }\n");

        assertThat(e.path()).isEqualTo("max_request_body_mb");
        assertThat(e.message()).contains("keep one");
    }

    @Test
    void errorRendersAsPathPositionAndMessage() {
        assertThat(new ConfigError("listeners[0].bind", 3, 11, "bad").toString()).isEqualTo("listeners[0].bind (3:11): bad");
        assertThat(new ConfigError("", 0, 0, "cannot read").toString()).isEqualTo("top level: cannot read");
    }

    @Test
    void unreadableFileIsOneError() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.load(Path.of("/nonexistent/sluice.yaml")));

        assertThat(e.errors()).singleElement().satisfies(err -> {
            assertThat(err.hasLocation()).isFalse();
            assertThat(err.message()).contains("no such file");
        });
    }
}

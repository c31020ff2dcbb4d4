package io.sluice.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.filter.Filters;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Mistakes in the header, security-header, rewrite and redirect filters and `headers.request_id`, at line:column. */
class HeaderFiltersConfigTest {
    /** The route's filter list starts on line 6; the filter under test is on line 6, its value at column 13. */
    private static final String ROUTE = """
            listeners:
              - name: web
                bind: "127.0.0.1:8080"
                routes:
                  - pool: web
                    filters:
            %s
            pools: [ { name: web, backends: [ "127.0.0.1:3001" ] } ]
            """;

    private static ConfigError only(String filter) {
        List<ConfigError> errors = ConfigErrorsTest.errors(ROUTE.formatted(filter));
        assertThat(errors).hasSize(1);
        return errors.get(0);
    }

    private static void ok(String filter) throws ConfigException {
        ConfigLoader.parse(ROUTE.formatted(filter), "test.yaml", name -> null);
    }

    @Test
    void goodFiltersLoad() throws ConfigException {
        assertThat(Filters.names()).contains("request_headers", "response_headers", "security_headers", "rewrite",
                "redirect");
        String f = "          - ";
        ok(f + "request_headers: { set: { X-Env: prod, X-Client: \"{client_ip}\" }, add: { Via: sluice }, remove: [ X-Debug ] }\n"
                + f + "response_headers: { set: { X-Request-Id: \"{request_id}\" } }\n"
                + f + "security_headers\n"
                + f + "security_headers: { hsts: false, csp: \"default-src 'self'\", frame_options: SAMEORIGIN }\n"
                + f + "rewrite: { strip_prefix: /api, regex: { pattern: \"^/user/(\\\\d+)$\", replacement: \"/users/$1\" },"
                + " host: b.test }");
        ok(f + "redirect: { to: \"https://example.com/new{path}\", status: 308 }");
    }

    @Test
    void badHeaderNameUnknownPlaceholderAndOpenBraceAreReportedWhereTheyAre() {
        ConfigError name = only("          - request_headers: { set: { \"X Bad\": v } }");
        assertThat(name.message()).contains("`X Bad` is not a valid header name");
        assertThat(name.line()).isEqualTo(7);
        ConfigError placeholder = only("          - response_headers: { add: { X-A: \"{nope}\" } }");
        assertThat(placeholder.message()).contains("unknown placeholder `{nope}`");
        assertThat(placeholder.line()).isEqualTo(7);
        assertThat(placeholder.column()).isEqualTo(45);
        ConfigError open = only("          - request_headers: { set: { X-A: \"{path\" } }");
        assertThat(open.message()).contains("never closed");
        assertThat(open.line()).isEqualTo(7);
        ConfigError remove = only("          - request_headers: { remove: [ \"bad:name\" ] }");
        assertThat(remove.message()).contains("`bad:name` is not a valid header name");
        ConfigError typo = only("          - request_headers: { sett: { X-A: b } }");
        assertThat(typo.message()).contains("unknown key `sett`");
        assertThat(typo.line()).isEqualTo(7);
    }

    @Test
    void securityHeaderMistakes() {
        ConfigError typo = only("          - security_headers: { hstss: max-age=1 }");
        assertThat(typo.message()).contains("unknown key `hstss`", "hsts");
        assertThat(typo.line()).isEqualTo(7);
        ConfigError noDefault = only("          - security_headers: { csp: true }");
        assertThat(noDefault.message()).contains("`csp` has no default");
    }

    @Test
    void rewriteMistakes() {
        ConfigError regex = only("          - rewrite: { regex: { pattern: \"^/user/(\\\\d+$\", replacement: /users/$1 } }");
        assertThat(regex.message()).contains("bad regex");
        assertThat(regex.line()).isEqualTo(7);
        assertThat(regex.column()).isEqualTo(42);
        ConfigError group = only("          - rewrite: { regex: { pattern: \"^/u/(\\\\d+)$\", replacement: /users/$2 } }");
        assertThat(group.message()).contains("$2 names a group the pattern does not have");
        ConfigError path = only("          - rewrite: { strip_prefix: api }");
        assertThat(path.message()).contains("starting with \"/\"");
        assertThat(path.column()).isEqualTo(38);
        ConfigError empty = only("          - rewrite: { }");
        assertThat(empty.message()).contains("nothing to do");
    }

    @Test
    void redirectMistakes() {
        ConfigError status = only("          - redirect: { to: /x, status: 300 }");
        assertThat(status.message()).contains("301, 302, 303, 307 or 308");
        assertThat(status.line()).isEqualTo(7);
        ConfigError to = only("          - redirect: { to: \"https://x{pth}\" }");
        assertThat(to.message()).contains("unknown placeholder `{pth}`");
        assertThat(to.column()).isEqualTo(29);
        ConfigError missing = only("          - redirect: { status: 301 }");
        assertThat(missing.message()).contains("missing required key `to`");
    }

    @Test
    void requestIdIsOnByDefaultAndCanBeTurnedOff() throws ConfigException {
        String base = "listen: \"127.0.0.1:8080\"\nbackends: [ \"127.0.0.1:3001\" ]\n";
        assertThat(ConfigLoader.parse(base, "t.yaml", n -> null).headers().requestId()).isTrue();
        assertThat(ConfigLoader.parse(base + "headers: { request_id: false }", "t.yaml", n -> null).headers().requestId())
                .isFalse();
        ConfigError bad = ConfigErrorsTest.onlyError(base + "headers: { request_id: maybe }");
        assertThat(bad.line()).isEqualTo(3);
        assertThat(bad.path()).isEqualTo("headers.request_id");
    }
}

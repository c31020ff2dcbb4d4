package io.sluice.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.Sluice;
import io.sluice.config.ConfigLoader;
import io.sluice.testing.RawHttp;
import io.sluice.testing.RecordingBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Header edits, security headers from a preset, request ids, rewrites and redirects through a real listener:
 * what the backend receives, what the client gets, and what the access log says.
 */
class HeaderFiltersIT {
    private static final String CONFIG = """
            listeners:
              - name: web
                bind: "127.0.0.1:0"
                filters: [ security_headers ]
                routes:
                  - match: { path_prefix: /api }
                    pool: p
                    filters:
                      - rewrite: { strip_prefix: /api, host: internal.test }
                      - request_headers: { set: { X-Env: prod, X-Client: "ip={client_ip}" }, add: { X-Path: "{path}" }, remove: [ X-Debug ] }
                      - response_headers: { remove: [ X-Tmp ], set: { X-Request-Id: "{request_id}", X-Seen: "{method} {host} {path}" } }
                      - response_headers: { set: { X-Tmp: "set earlier in the response, removed after" } }
                  - match: { path_prefix: /user }
                    pool: p
                    filters: [ { rewrite: { regex: { pattern: "^/user/(\\\\d+)$", replacement: "/users/$1" } } } ]
                  - match: { path_prefix: /old }
                    redirect: { to: "https://{hostname}/new{path}{query}", status: 301 }
                  - match: { path_prefix: /moved }
                    redirect: { to: "{scheme}://elsewhere.test{uri}", status: 308 }
                  - pool: p
            pools: [ { name: p, backends: [ "127.0.0.1:%d" ] } ]
            filter_presets:
              security_headers:
                security_headers: { csp: "default-src 'self'", referrer_policy: no-referrer }
            access_log: { enabled: true, format: json, target: "%s" }
            %s
            """;

    private static Sluice start(RecordingBackend backend, Path log, String extra) throws Exception {
        return Sluice.builder().config(ConfigLoader.parse(CONFIG.formatted(backend.port(), log, extra), "it.yaml",
                name -> null)).build().start();
    }

    private static List<JsonNode> lines(Path log, int n) throws Exception {
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(log) && Files.readAllLines(log).size() >= n);
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(log)) {
            out.add(new ObjectMapper().readTree(l));
        }
        return out;
    }

    @Test
    void headersAreEditedBothWaysAndThePathRewritten(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("access.log");
        try (RecordingBackend backend = new RecordingBackend();
             Sluice sluice = start(backend, log, "");
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("GET /api/items?id=3 HTTP/1.1\r\nHost: shop.test\r\nX-Debug: 1\r\n"
                    + "X-Path: from-client\r\nX-Request-Id: client-id.42:a_b\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            RecordingBackend.Request got = backend.requests().get(0);
            assertThat(got.requestLine()).isEqualTo("GET /items?id=3 HTTP/1.1");
            assertThat(got.header("Host")).isEqualTo("internal.test");
            assertThat(got.header("X-Env")).isEqualTo("prod");
            assertThat(got.header("X-Client")).isEqualTo("ip=127.0.0.1");
            assertThat(got.count("X-Path")).isEqualTo(2);
            assertThat(got.headerLines()).anyMatch(l -> l.equalsIgnoreCase("X-Path: /items"));
            assertThat(got.header("X-Debug")).isNull();
            assertThat(got.header("X-Request-Id")).isEqualTo("client-id.42:a_b");

            assertThat(r.header("X-Request-Id")).isEqualTo("client-id.42:a_b");
            assertThat(r.header("X-Seen")).isEqualTo("GET internal.test /items");
            assertThat(r.header("X-Tmp")).isNull();
            // the listener's preset: its own values, and the defaults it did not change
            assertThat(r.header("Content-Security-Policy")).isEqualTo("default-src 'self'");
            assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
            assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(r.header("Strict-Transport-Security")).as("HSTS only over TLS").isNull();

            RawHttp.Response user = c.send("GET /user/42?x=1 HTTP/1.1\r\nHost: shop.test\r\n\r\n").read();
            assertThat(user.status()).isEqualTo(200);
            assertThat(backend.requests().get(1).requestLine()).isEqualTo("GET /users/42?x=1 HTTP/1.1");
            assertThat(backend.requests().get(1).header("Host")).isEqualTo("shop.test");
            assertThat(user.header("X-Frame-Options")).isEqualTo("DENY");
        }
    }

    @Test
    void requestIdsAreKeptWhenSaneElseGeneratedAndLogged(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("access.log");
        try (RecordingBackend backend = new RecordingBackend();
             Sluice sluice = start(backend, log, "");
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            c.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n").read();
            c.send("GET /b HTTP/1.1\r\nHost: a\r\nX-Request-Id: not sane; <script>\r\n\r\n").read();
            c.send("GET /c HTTP/1.1\r\nHost: a\r\nX-Request-Id: keep-me-1\r\n\r\n").read();
            List<RecordingBackend.Request> got = backend.requests();
            assertThat(got).hasSize(3);
            String first = got.get(0).header("X-Request-Id");
            String second = got.get(1).header("X-Request-Id");
            assertThat(first).matches("[0-9a-f]{32}");
            assertThat(second).matches("[0-9a-f]{32}").isNotEqualTo(first);
            assertThat(got.get(1).count("X-Request-Id")).isEqualTo(1);
            assertThat(got.get(2).header("X-Request-Id")).isEqualTo("keep-me-1");

            List<JsonNode> lines = lines(log, 3);
            assertThat(lines).extracting(l -> l.get("request_id").asText()).containsExactly(first, second, "keep-me-1");
        }
    }

    @Test
    void requestIdsCanBeTurnedOff(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("access.log");
        try (RecordingBackend backend = new RecordingBackend();
             Sluice sluice = start(backend, log, "headers: { request_id: false }");
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            c.send("GET /a HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(backend.requests().get(0).header("X-Request-Id")).isNull();
            assertThat(lines(log, 1).get(0).get("request_id").isNull()).isTrue();
        }
    }

    @Test
    void redirectsAnswerWithTheirStatusAndFilledInLocation(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("access.log");
        try (RecordingBackend backend = new RecordingBackend();
             Sluice sluice = start(backend, log, "");
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("GET /old/page?a=1 HTTP/1.1\r\nHost: shop.test:8080\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(301);
            assertThat(r.header("Location")).isEqualTo("https://shop.test/new/old/page?a=1");
            assertThat(r.body()).contains("https://shop.test/new/old/page?a=1");
            assertThat(r.header("X-Frame-Options")).as("local answers pass the listener's response filters").isEqualTo("DENY");
            RawHttp.Response moved = c.send("POST /moved/x?y HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi").read();
            assertThat(moved.status()).isEqualTo(308);
            assertThat(moved.header("Location")).isEqualTo("http://elsewhere.test/moved/x?y");
            assertThat(backend.requests()).isEmpty();
            assertThat(lines(log, 2)).extracting(l -> l.get("status").asInt()).containsExactly(301, 308);
        }
    }
}

package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.Sluice;
import io.sluice.config.MatchConfig;
import io.sluice.testing.RawHttp;
import io.sluice.testing.ScriptedBackend;
import io.sluice.testing.TestConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Routes by host (exact and wildcard), path prefix, exact path, method and header; first match wins. */
class RoutingIT {
    private static ScriptedBackend api;
    private static ScriptedBackend shop;
    private static ScriptedBackend canary;
    private static Sluice sluice;

    @BeforeAll
    static void start() throws Exception {
        api = ScriptedBackend.answering("api");
        shop = ScriptedBackend.answering("shop");
        canary = ScriptedBackend.answering("canary");
        sluice = Sluice.builder().config(TestConfigs.create()
                .pool("api", api.port()).pool("shop", shop.port()).pool("canary", canary.port())
                .route(new MatchConfig("api.example.com", "/api", null, List.of(), Map.of()), "api")
                .route(new MatchConfig(null, null, "/exact", List.of("GET", "HEAD"), Map.of("X-Canary", "1")), "canary")
                .route(new MatchConfig("*.shop.test", null, null, List.of(), Map.of()), "shop")
                .route(new MatchConfig(null, "/static/", null, List.of("GET"), Map.of()), "shop")
                .build()).build().start();
    }

    @AfterAll
    static void stop() throws Exception {
        sluice.close();
        api.close();
        shop.close();
        canary.close();
    }

    private static RawHttp.Response get(String method, String path, String host, String... headers) throws Exception {
        try (RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            StringBuilder sb = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
            for (String h : headers) {
                sb.append(h).append("\r\n");
            }
            return c.send(sb.append("\r\n").toString()).read();
        }
    }

    @Test
    void exactHostAndPathPrefix() throws Exception {
        assertThat(get("GET", "/api/users?x=1", "api.example.com").body()).isEqualTo("api");
        assertThat(get("GET", "/api", "API.Example.com:8080").body()).isEqualTo("api");
        assertThat(get("GET", "/other", "api.example.com").status()).isEqualTo(404);
        assertThat(get("GET", "/api/users", "www.example.com").status()).isEqualTo(404);
    }

    @Test
    void exactPathWithMethodAndHeader() throws Exception {
        assertThat(get("GET", "/exact", "x", "X-Canary: 1").body()).isEqualTo("canary");
        assertThat(get("GET", "/exact?q=2", "x", "X-Canary: 1").body()).isEqualTo("canary");
        assertThat(get("GET", "/exact/more", "x", "X-Canary: 1").status()).isEqualTo(404);
        assertThat(get("GET", "/exact", "x", "X-Canary: 2").status()).isEqualTo(404);
        assertThat(get("GET", "/exact", "x").status()).isEqualTo(404);
        assertThat(get("DELETE", "/exact", "x", "X-Canary: 1").status()).isEqualTo(404);
    }

    @Test
    void wildcardHost() throws Exception {
        assertThat(get("GET", "/", "a.shop.test").body()).isEqualTo("shop");
        assertThat(get("GET", "/", "deep.a.shop.test:81").body()).isEqualTo("shop");
        assertThat(get("GET", "/", "shop.test").status()).isEqualTo(404);
        assertThat(get("GET", "/", "ashop.test").status()).isEqualTo(404);
    }

    @Test
    void methodCondition() throws Exception {
        assertThat(get("GET", "/static/app.js", "any").body()).isEqualTo("shop");
        assertThat(get("POST", "/static/app.js", "any", "Content-Length: 0").status()).isEqualTo(404);
    }

    @Test
    void noMatchIs404AndKeepsTheConnection() throws Exception {
        try (RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            RawHttp.Response r = c.send("GET /nowhere HTTP/1.1\r\nHost: nobody\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.body()).isEqualTo("404 Not Found\n");
            assertThat(c.send("GET /api/x HTTP/1.1\r\nHost: api.example.com\r\n\r\n").read().body()).isEqualTo("api");
        }
    }

    @Test
    void absoluteFormRequestTargetIsRoutedByItsPath() throws Exception {
        assertThat(get("GET", "http://api.example.com/api/v1", "api.example.com").body()).isEqualTo("api");
    }
}

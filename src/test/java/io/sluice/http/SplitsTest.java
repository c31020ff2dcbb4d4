package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.config.ConfigLoader;
import io.sluice.filter.StickyCookie;
import io.sluice.runtime.BackendRegistry;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RouteRuntime;
import io.sluice.runtime.RuntimeSnapshot;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which pool of a split a request gets: random, by client, or by its sticky cookie. */
class SplitsTest {
    private static final String SECRET = "splits-test-secret-0123";

    private static List<RouteRuntime> routes() throws Exception {
        return RuntimeSnapshot.build(ConfigLoader.parse("""
                listeners:
                  - name: web
                    bind: "127.0.0.1:0"
                    routes:
                      - match: { path_prefix: /plain }
                        split: [ { pool: v2, weight: 50 }, { pool: v1, weight: 50 } ]
                      - match: { path_prefix: /hashed }
                        split: [ { pool: h2, weight: 50 }, { pool: h1, weight: 50 } ]
                      - split: [ { pool: v2, weight: 50 }, { pool: v1, weight: 50 } ]
                        sticky: { secret: "%s" }
                pools:
                  - { name: v1, backends: [ "127.0.0.1:9001" ] }
                  - { name: v2, backends: [ "127.0.0.1:9002" ] }
                  - { name: h1, strategy: ip_hash, backends: [ "127.0.0.1:9003" ] }
                  - { name: h2, strategy: ip_hash, backends: [ "127.0.0.1:9004" ] }
                """.formatted(SECRET), "test.yaml", k -> null), new BackendRegistry(), null).router("web").routes();
    }

    private static HttpRequest get(String cookie) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        if (cookie != null) {
            r.headers().set(HttpHeaderNames.COOKIE, "SLUICE_AFFINITY=" + cookie);
        }
        return r;
    }

    private static Set<String> pools(RouteRuntime route, HttpRequest req, String ip, int n) {
        Set<String> out = new HashSet<>();
        for (int i = 0; i < n; i++) {
            out.add(Splits.choose(route, req, ip).name());
        }
        return out;
    }

    @Test
    void withoutStickinessTheChoiceIsRandomAndWithItEachClientKeepsOnePool() throws Exception {
        List<RouteRuntime> routes = routes();
        assertThat(pools(routes.get(0), get(null), "10.0.0.1", 200)).containsExactlyInAnyOrder("v1", "v2");
        assertThat(pools(routes.get(1), get(null), "10.0.0.1", 200)).as("ip_hash pools").hasSize(1);
        assertThat(pools(routes.get(2), get(null), "10.0.0.1", 200)).as("sticky route, no cookie").hasSize(1);
        Set<String> across = new HashSet<>();
        for (int i = 0; i < 64; i++) {
            across.addAll(pools(routes.get(1), get(null), "10.0.0." + i, 1));
        }
        assertThat(across).as("different clients spread").containsExactlyInAnyOrder("h1", "h2");
    }

    @Test
    void aValidCookieChoosesThePoolOfItsBackendWhileThatPoolHasWeight() throws Exception {
        RouteRuntime sticky = routes().get(2);
        StickyCookie codec = new StickyCookie(List.of(SECRET));
        long later = System.currentTimeMillis() / 1000 + 600;
        for (String ip : List.of("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4")) {
            assertThat(pools(sticky, get(codec.sign("127.0.0.1:9001", later)), ip, 20)).containsExactly("v1");
            assertThat(pools(sticky, get(codec.sign("127.0.0.1:9002", later)), ip, 20)).containsExactly("v2");
        }
        String forged = new StickyCookie(List.of("someone-elses-key-000")).sign("127.0.0.1:9001", later);
        String unknown = codec.sign("127.0.0.1:9999", later);
        PoolRuntime byIp = Splits.choose(sticky, get(null), "10.0.0.9");
        assertThat(Splits.choose(sticky, get(forged), "10.0.0.9")).isSameAs(byIp);
        assertThat(Splits.choose(sticky, get(unknown), "10.0.0.9")).isSameAs(byIp);

        assertThat(sticky.split().setWeights(Map.of("v1", 0))).isNull();
        assertThat(pools(sticky, get(codec.sign("127.0.0.1:9001", later)), "10.0.0.1", 20))
                .as("a pool with weight 0 keeps nobody").containsExactly("v2");
    }
}

package io.sluice.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class RewriteTest {

    private static String run(RewriteFactory.Settings s, String uri) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        r.headers().set("Host", "orig.test");
        Verdict v = new RewriteFactory.Rewrite(s).onRequest(null, r);
        assertThat(v.passes()).isTrue();
        return r.uri() + " @" + r.headers().get("Host");
    }

    @Test
    void stripPrefixKeepsTheQueryAndAnOriginFormPath() {
        RewriteFactory.Settings s = new RewriteFactory.Settings("/api", null, null, null, null, null);
        assertThat(run(s, "/api/items?id=3")).isEqualTo("/items?id=3 @orig.test");
        assertThat(run(s, "/api")).isEqualTo("/ @orig.test");
        assertThat(run(s, "/api?x")).isEqualTo("/?x @orig.test");
        assertThat(run(s, "/other")).isEqualTo("/other @orig.test");
        assertThat(run(s, "http://orig.test/api/v1?q")).isEqualTo("http://orig.test/v1?q @orig.test");
    }

    @Test
    void replacePrefixAndRegexWithGroups() {
        assertThat(run(new RewriteFactory.Settings(null, "/old", "/new", null, null, null), "/old/page?a=1"))
                .isEqualTo("/new/page?a=1 @orig.test");
        RewriteFactory.Settings rx = new RewriteFactory.Settings(null, null, null, "^/user/(\\d+)$", "/users/$1", null);
        assertThat(run(rx, "/user/42?full=1")).isEqualTo("/users/42?full=1 @orig.test");
        assertThat(run(rx, "/user/abc")).isEqualTo("/user/abc @orig.test");
        RewriteFactory.Settings noSlash = new RewriteFactory.Settings(null, null, null, "^/v1/(.*)$", "$1", null);
        assertThat(run(noSlash, "/v1/x")).isEqualTo("/x @orig.test");
    }

    @Test
    void hostRewriteSetsHostAndSendsOriginForm() {
        RewriteFactory.Settings s = new RewriteFactory.Settings(null, null, null, null, null, "new.example.com");
        assertThat(run(s, "/a?b")).isEqualTo("/a?b @new.example.com");
        assertThat(run(s, "http://orig.test/a?b")).isEqualTo("/a?b @new.example.com");
    }
}

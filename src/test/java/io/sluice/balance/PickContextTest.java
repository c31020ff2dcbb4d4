package io.sluice.balance;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpRequest;
import org.junit.jupiter.api.Test;

/** Where hash keys come from: headers, cookies, query parameters, the path, and the client as fallback. */
class PickContextTest {
    private final PickContext ctx = new PickContext();

    private long hash(HttpRequest r, String key) {
        return ctx.reset(Fixtures.client(1), r, 0).keyHash(HashKey.parse(key));
    }

    @Test
    void queryParameterIsFoundAmongOthers() {
        long u = Hashing.hash("alice");
        assertThat(hash(Fixtures.get("/a?x=1&user=alice&y=2"), "query:user")).isEqualTo(u);
        assertThat(hash(Fixtures.get("/a?user=alice"), "query:user")).isEqualTo(u);
        assertThat(hash(Fixtures.get("/a?username=bob&user=alice#frag"), "query:user")).isEqualTo(u);
        long client = Hashing.hash(Fixtures.client(1));
        assertThat(hash(Fixtures.get("/a?x=1"), "query:user")).as("missing: client").isEqualTo(client);
        assertThat(hash(Fixtures.get("/a?user="), "query:user")).as("empty: client").isEqualTo(client);
    }

    @Test
    void cookieIsFoundInAnyCookieHeaderQuotedOrNot() {
        HttpRequest r = Fixtures.get("/");
        r.headers().add("Cookie", "theme=dark; sid=abc");
        assertThat(hash(r, "cookie:sid")).isEqualTo(Hashing.hash("abc"));
        HttpRequest quoted = Fixtures.get("/");
        quoted.headers().add("Cookie", "a=1");
        quoted.headers().add("Cookie", "sidx=no; sid=\"abc\"");
        assertThat(hash(quoted, "cookie:sid")).isEqualTo(Hashing.hash("abc"));
        assertThat(hash(Fixtures.get("/"), "cookie:sid")).isEqualTo(Hashing.hash(Fixtures.client(1)));
    }

    @Test
    void headerAndPath() {
        HttpRequest r = Fixtures.get("/shop/cart?item=3");
        r.headers().set("X-Tenant", "acme");
        assertThat(hash(r, "header:x-tenant")).isEqualTo(Hashing.hash("acme"));
        assertThat(hash(r, "path")).isEqualTo(Hashing.hash("/shop/cart"));
        assertThat(hash(r, "client_ip")).isEqualTo(Hashing.hash(Fixtures.client(1)));
    }

    @Test
    void clientPortDoesNotMatter() {
        java.net.InetSocketAddress a = new java.net.InetSocketAddress("10.1.2.3", 1111);
        java.net.InetSocketAddress b = new java.net.InetSocketAddress("10.1.2.3", 2222);
        assertThat(Hashing.hash(a)).isEqualTo(Hashing.hash(b));
        assertThat(Hashing.hash(a)).isNotEqualTo(Hashing.hash(new java.net.InetSocketAddress("10.1.2.4", 1111)));
    }
}

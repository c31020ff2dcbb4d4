package io.sluice.filter.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/** Key parsing and cookie lookup. */
class RateLimitKeyTest {
    @Test
    void parsesEveryKind() {
        assertThat(RateLimitKey.parse("client_ip")).isEqualTo(new RateLimitKey(RateLimitKey.Kind.CLIENT_IP, null));
        assertThat(RateLimitKey.parse("route")).isEqualTo(new RateLimitKey(RateLimitKey.Kind.ROUTE, null));
        assertThat(RateLimitKey.parse("header:X-Api-Key").name()).isEqualTo("X-Api-Key");
        assertThat(RateLimitKey.parse("cookie:session").kind()).isEqualTo(RateLimitKey.Kind.COOKIE);
        assertThatThrownBy(() -> RateLimitKey.parse("header:")).hasMessageContaining("needs a header name");
        assertThatThrownBy(() -> RateLimitKey.parse("client_ip:x")).hasMessageContaining("takes no name");
        assertThatThrownBy(() -> RateLimitKey.parse("ip")).hasMessageContaining("unknown key `ip`");
    }

    @Test
    void findsACookieAmongOthers() {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        r.headers().add("Cookie", "a=1; session_x=2;session=\"abc\" ").add("Cookie", "z=9");
        assertThat(RateLimitKey.cookie(r, "session")).isEqualTo("abc");
        assertThat(RateLimitKey.cookie(r, "z")).isEqualTo("9");
        assertThat(RateLimitKey.cookie(r, "sess")).isNull();
        assertThat(RateLimitKey.cookie(r, "b")).isNull();
    }
}

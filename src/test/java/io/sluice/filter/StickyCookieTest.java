package io.sluice.filter;

import io.sluice.testing.TestFilterContext;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.cookie.ClientCookieDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The signed cookie value, and the filter that reads and issues it, without sockets. */
class StickyCookieTest {
    private static final String KEY = "0123456789abcdef-first";
    private static final String OLD = "0123456789abcdef-older";
    private static final long NOW = 1_800_000_000L;

    @Test
    void aSignedValueVerifiesAndNamesItsBackendUntilItExpires() {
        StickyCookie c = new StickyCookie(List.of(KEY));
        String v = c.sign("10.0.0.7:8080", NOW + 3600);
        assertThat(v).matches("[A-Za-z0-9_-]+");
        assertThat(c.verify(v, NOW)).isEqualTo(new StickyCookie.Verified("10.0.0.7:8080", NOW + 3600));
        assertThat(c.verify(v, NOW + 3599)).isNotNull();
        assertThat(c.verify(v, NOW + 3600)).as("expired").isNull();
        assertThat(new StickyCookie(List.of("another-key-of-16-chars")).verify(v, NOW)).as("unknown key").isNull();
    }

    @Test
    void anyChangedByteOrAForgedValueIsRejected() {
        StickyCookie c = new StickyCookie(List.of(KEY));
        byte[] raw = Base64.getUrlDecoder().decode(c.sign("10.0.0.7:8080", NOW + 3600));
        for (int i = 0; i < raw.length; i++) {
            byte[] bad = raw.clone();
            bad[i] ^= 0x01;
            assertThat(c.verify(Base64.getUrlEncoder().withoutPadding().encodeToString(bad), NOW))
                    .as("byte %d flipped", i).isNull();
        }
        // The attacker's own value for another backend and a later expiry, with a made-up MAC.
        byte[] forged = Base64.getUrlDecoder().decode(c.sign("10.0.0.9:8080", NOW + 99_999));
        assertThat(c.verify(Base64.getUrlEncoder().withoutPadding().encodeToString(forged), NOW)).isNotNull();
        String mixed = Base64.getUrlEncoder().withoutPadding().encodeToString(
                splice(forged, raw, forged.length - 32));
        assertThat(c.verify(mixed, NOW)).as("someone else's MAC").isNull();
        assertThat(c.verify("", NOW)).isNull();
        assertThat(c.verify("not base64 !!", NOW)).isNull();
        assertThat(c.verify("AQ", NOW)).isNull();
        assertThat(c.verify("A".repeat(StickyCookie.MAX_LENGTH + 1), NOW)).isNull();
    }

    private static byte[] splice(byte[] head, byte[] macFrom, int macAt) {
        byte[] out = head.clone();
        System.arraycopy(macFrom, macFrom.length - 32, out, macAt, 32);
        return out;
    }

    @Test
    void duringARotationTheNewKeySignsAndBothVerify() {
        StickyCookie before = new StickyCookie(List.of(OLD));
        StickyCookie during = new StickyCookie(List.of(KEY, OLD));
        StickyCookie after = new StickyCookie(List.of(KEY));
        String oldValue = before.sign("b:1", NOW + 60);
        String newValue = during.sign("b:1", NOW + 60);
        assertThat(during.verify(oldValue, NOW)).isNotNull();
        assertThat(during.verify(newValue, NOW)).isNotNull();
        assertThat(after.verify(newValue, NOW)).as("signed with the first key").isNotNull();
        assertThat(after.verify(oldValue, NOW)).as("the retired key").isNull();
    }

    @Test
    void keysMustNotBeEmpty() {
        assertThatThrownBy(() -> new StickyCookie(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StickyCookie(List.of(""))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFilterPrefersTheCookiesBackendAndIssuesACookieOnlyWhenNeeded() {
        AtomicLong clock = new AtomicLong(NOW);
        StickySettings s = new StickySettings("AFF", Duration.ofHours(1), List.of(KEY), true, true, "Strict",
                "/app", "example.com");
        StickyFilter f = new StickyFilter(s, null, null, clock::get);

        // No cookie: nothing preferred; the response names the backend that served.
        TestFilterContext first = new TestFilterContext(null, null, "10.0.0.1:80");
        f.onRequest(first, request(null));
        assertThat(first.preferred).isNull();
        HttpResponse r1 = response();
        f.onResponse(first, r1);
        Cookie issued = ClientCookieDecoder.STRICT.decode(r1.headers().get(HttpHeaderNames.SET_COOKIE));
        assertThat(issued.name()).isEqualTo("AFF");
        assertThat(issued.maxAge()).isEqualTo(3600);
        assertThat(issued.isSecure()).isTrue();
        assertThat(issued.isHttpOnly()).isTrue();
        assertThat(issued.path()).isEqualTo("/app");
        assertThat(issued.domain()).isEqualTo("example.com");
        assertThat(r1.headers().get(HttpHeaderNames.SET_COOKIE)).contains("SameSite=Strict", "Max-Age=3600", "Expires=");

        // With it, among other cookies: preferred, and no new cookie when that backend serves.
        TestFilterContext second = new TestFilterContext(null, null, "10.0.0.1:80");
        f.onRequest(second, request("a=1; AFF=" + issued.value() + "; b=2"));
        assertThat(second.preferred).isEqualTo("10.0.0.1:80");
        HttpResponse r2 = response();
        f.onResponse(second, r2);
        assertThat(r2.headers().contains(HttpHeaderNames.SET_COOKIE)).isFalse();

        // Its backend could not serve (down, drained): another did, and the cookie names that one now.
        TestFilterContext moved = new TestFilterContext(null, null, "10.0.0.2:80");
        f.onRequest(moved, request("AFF=" + issued.value()));
        HttpResponse r3 = response();
        f.onResponse(moved, r3);
        String v3 = ClientCookieDecoder.STRICT.decode(r3.headers().get(HttpHeaderNames.SET_COOKIE)).value();
        assertThat(new StickyCookie(List.of(KEY)).verify(v3, NOW).backend()).isEqualTo("10.0.0.2:80");

        // Past half its life an active session gets a fresh cookie for the same backend.
        clock.set(NOW + 1801);
        TestFilterContext late = new TestFilterContext(null, null, "10.0.0.1:80");
        f.onRequest(late, request("AFF=" + issued.value()));
        assertThat(late.preferred).isEqualTo("10.0.0.1:80");
        HttpResponse r4 = response();
        f.onResponse(late, r4);
        assertThat(r4.headers().get(HttpHeaderNames.SET_COOKIE)).contains("AFF=");

        // Tampered: ignored (nothing preferred) and replaced.
        TestFilterContext bad = new TestFilterContext(null, null, "10.0.0.1:80");
        f.onRequest(bad, request("AFF=x" + issued.value().substring(1)));
        assertThat(bad.preferred).isNull();
        HttpResponse r5 = response();
        f.onResponse(bad, r5);
        assertThat(r5.headers().get(HttpHeaderNames.SET_COOKIE)).contains("AFF=");

        // A local answer (no backend served) gets no cookie.
        TestFilterContext local = new TestFilterContext(null, null, null);
        f.onRequest(local, request(null));
        HttpResponse r6 = response();
        f.onResponse(local, r6);
        assertThat(r6.headers().contains(HttpHeaderNames.SET_COOKIE)).isFalse();
    }

    private static HttpRequest request(String cookie) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/app");
        if (cookie != null) {
            r.headers().set(HttpHeaderNames.COOKIE, cookie);
        }
        return r;
    }

    private static HttpResponse response() {
        return new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    }
}

package io.sluice.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

class HeaderTemplateTest {

    private static HttpRequest get(String uri, String host) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        if (host != null) {
            r.headers().set("Host", host);
        }
        return r;
    }

    @Test
    void fillsEveryPlaceholder() {
        HeaderTemplate t = HeaderTemplate.parse(
                "{scheme}://{hostname}|{host}|{path}|{query}|{uri}|{method}|{client_ip}|{request_id}");
        assertThat(t.isConstant()).isFalse();
        assertThat(t.render(get("/a/b?x=1&y=2", "shop.test:8080"), "203.0.113.7", "abc", true))
                .isEqualTo("https://shop.test|shop.test:8080|/a/b|?x=1&y=2|/a/b?x=1&y=2|GET|203.0.113.7|abc");
        assertThat(t.render(get("/plain", "[::1]:80"), null, null, false))
                .isEqualTo("http://[::1]|[::1]:80|/plain||/plain|GET||");
    }

    @Test
    void absoluteFormTargetsGiveTheirPath() {
        HeaderTemplate t = HeaderTemplate.parse("{path}+{query}+{uri}");
        assertThat(t.render(get("http://a.test/x/y?q", "a.test"), null, null, false)).isEqualTo("/x/y+?q+/x/y?q");
        assertThat(t.render(get("http://a.test", "a.test"), null, null, false)).isEqualTo("/++/");
        assertThat(t.render(get("http://a.test?q=1", "a.test"), null, null, false)).isEqualTo("/+?q=1+/?q=1");
    }

    @Test
    void textWithoutPlaceholdersIsConstant() {
        HeaderTemplate t = HeaderTemplate.parse("max-age=60, public");
        assertThat(t.isConstant()).isTrue();
        assertThat(t.render(get("/", null), null, null, false)).isSameAs(t.render(get("/x", null), null, null, false))
                .isEqualTo("max-age=60, public");
        assertThat(HeaderTemplate.parse("").render(get("/", null), null, null, false)).isEmpty();
        assertThat(HeaderTemplate.parse("a{path}")).isEqualTo(HeaderTemplate.parse("a{path}"))
                .isNotEqualTo(HeaderTemplate.parse("a{uri}"));
    }

    @Test
    void controlCharactersNeverReachTheResult() {
        HeaderTemplate t = HeaderTemplate.parse("id={request_id};ip={client_ip}");
        assertThat(t.render(get("/", null), "1.2.3.4\r\nX-Evil: 1", "a\nb\u0000c", false))
                .isEqualTo("id=abc;ip=1.2.3.4X-Evil: 1").doesNotContain("\r", "\n");
    }

    @Test
    void mistakesAreRefused() {
        assertThatThrownBy(() -> HeaderTemplate.parse("x {nope} y")).hasMessageContaining("unknown placeholder `{nope}`")
                .hasMessageContaining("{client_ip}");
        assertThatThrownBy(() -> HeaderTemplate.parse("x {path")).hasMessageContaining("never closed");
        assertThatThrownBy(() -> HeaderTemplate.parse("a\r\nb")).hasMessageContaining("control character");
    }
}

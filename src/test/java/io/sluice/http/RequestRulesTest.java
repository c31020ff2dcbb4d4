package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The request-head rules that come after the codec: Host, target form, CONNECT, transfer codings. */
class RequestRulesTest {

    private static HttpRequest get(String uri, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a.example | true", "a.example:8080 | true", "[::1]:443 | true", "10.0.0.1 | true", "'' | true",
        "a.example:x | false", "a b | false", "u@a | false", "a/b | false", "a,b | false", "[::1 | false",
        "a:8080:9 | false", "[::1]x | false"})
    void hostValues(String host, boolean ok) {
        assertThat(RequestRules.validHost(host, 0, host.length(), true)).as(host).isEqualTo(ok);
    }

    @Test
    void absoluteFormBecomesOriginFormWithItsAuthorityAsHost() {
        HttpRequest r = get("http://b.example:81?q", "Host", "a.example");
        assertThat(RequestRules.check(r, false)).isNull();
        assertThat(r.uri()).isEqualTo("/?q");
        assertThat(r.headers().getAll("Host")).containsExactly("b.example:81");
    }

    @Test
    void twoHostsOrOddTargetsOrConnectOrOtherCodingsAreRefused() {
        assertThat(RequestRules.check(get("/", "Host", "a", "Host", "b"), false)).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(RequestRules.check(get("*", "Host", "a"), false)).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(RequestRules.check(get("mailto:x", "Host", "a"), false)).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(RequestRules.check(get("/", "Host", "a", "Transfer-Encoding", "gzip, chunked"), false))
                .isEqualTo(HttpResponseStatus.NOT_IMPLEMENTED);
        assertThat(RequestRules.check(get("/", "Host", "a", "Transfer-Encoding", "chunked"), false)).isNull();
        HttpRequest connect = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.CONNECT, "a:443");
        assertThat(RequestRules.check(connect, false)).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        HttpRequest star = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.OPTIONS, "*");
        star.headers().add("Host", "a");
        assertThat(RequestRules.check(star, false)).isNull();
    }
}

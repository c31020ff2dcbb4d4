package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class ForwardHeadersHopByHopTest {

    private static HttpHeaders headers(String... nameValues) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < nameValues.length; i += 2) {
            h.add(nameValues[i], nameValues[i + 1]);
        }
        return h;
    }

    @Test
    void oneConnectionLineRemovesWhatItNames() {
        HttpHeaders h = headers("Connection", "close, X-A", "X-A", "1", "X-B", "2", "Keep-Alive", "timeout=5");
        ForwardHeaders.stripHopByHop(h);
        assertThat(h.names()).containsExactly("X-B");
    }

    @Test
    void everyConnectionLineIsReadWhenThereAreSeveral() {
        HttpHeaders h = headers("Connection", "keep-alive", "X-A", "1", "connection", "X-B", "X-B", "2",
                "Connection", "x-c, X-D", "X-C", "3", "X-D", "4", "X-E", "5");
        ForwardHeaders.stripHopByHop(h);
        assertThat(h.names()).containsExactly("X-A", "X-E");
    }

    @Test
    void keepAliveAloneRemovesOnlyTheHopByHopHeaders() {
        HttpHeaders h = headers("Connection", "Keep-Alive", "Keep-Alive", "timeout=5", "TE", "trailers, deflate",
                "Upgrade", "h2c", "Transfer-Encoding", "chunked", "Trailer", "X-T", "Proxy-Connection", "close",
                "X-Kept", "yes");
        ForwardHeaders.stripHopByHop(h);
        assertThat(h.names()).containsExactlyInAnyOrder("X-Kept", "te");
        assertThat(h.get("TE")).isEqualTo("trailers");
    }
}

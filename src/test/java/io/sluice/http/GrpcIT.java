package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.Sluice;
import io.sluice.config.PoolConfig;
import io.sluice.config.UpstreamProtocol;
import io.sluice.testing.H2Backend;
import io.sluice.testing.H2Client;
import io.sluice.testing.H2Response;
import io.sluice.testing.RawHttp;
import io.sluice.testing.TestConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * gRPC-style exchanges through Sluice to HTTP/2 backends ({@code protocol: h2c}): response trailers
 * arrive intact, over HTTP/2 and as chunked trailers over HTTP/1.1; a server-streaming call streams;
 * many requests share one backend connection.
 */
class GrpcIT {

    private static Sluice proxyTo(H2Backend backend) throws InterruptedException {
        PoolConfig pool = PoolConfig.builder("grpc").protocol(UpstreamProtocol.H2C)
                .backends(TestConfigs.backends(backend.port())).build();
        return Sluice.builder().config(TestConfigs.create().pool(pool).build()).build().start();
    }

    private static Map<String, String> grpcHeaders() {
        return Map.of("content-type", "application/grpc", "te", "trailers", "x-test", "t1");
    }

    @Test
    void aUnaryCallKeepsItsTrailersEndToEnd() throws Exception {
        try (H2Backend backend = new H2Backend();
             Sluice sluice = proxyTo(backend);
             H2Client client = Http2IT.h2c(sluice)) {
            byte[] msg = H2Backend.grpcMessage("hello");
            H2Response r = client.request("POST", "/echo", "api.test", grpcHeaders(), msg).get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-type")).isEqualTo("application/grpc");
            assertThat(r.header("x-test")).isEqualTo("t1");
            assertThat(r.body()).isEqualTo(msg);
            assertThat(r.trailer("grpc-status")).isEqualTo("0");
            assertThat(r.trailer("grpc-message")).isEqualTo("ok");
            assertThat(r.trailer("x-echo-bytes")).isEqualTo(String.valueOf(msg.length));
            assertThat(backend.lastHeaders("/echo").get("te").toString()).isEqualTo("trailers");
        }
    }

    @Test
    void anErrorStatusTravelsInTheTrailers() throws Exception {
        try (H2Backend backend = new H2Backend();
             Sluice sluice = proxyTo(backend);
             H2Client client = Http2IT.h2c(sluice)) {
            H2Response r = client.request("POST", "/status/200", "api.test", grpcHeaders(), new byte[0])
                    .get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.trailer("grpc-status")).isEqualTo("13");
        }
    }

    @Test
    void aServerStreamingCallDeliversEachMessageBeforeTheNextIsSent() throws Exception {
        try (H2Backend backend = new H2Backend();
             Sluice sluice = proxyTo(backend);
             H2Client client = Http2IT.h2c(sluice)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            List<Integer> sentWhenSeen = new CopyOnWriteArrayList<>();
            CompletableFuture<H2Response> call = client.request("POST", "/stream?n=5", "api.test", grpcHeaders(),
                    H2Backend.grpcMessage("go"), data -> {
                        List<String> msgs = H2Response.grpcMessages(data);
                        seen.addAll(msgs);
                        sentWhenSeen.add(backend.streamMessagesSent());
                        backend.streamGate().release(msgs.size()); // only now may the backend send the next
                    });
            H2Response r = call.get(20, TimeUnit.SECONDS);
            assertThat(seen).containsExactly("msg-0", "msg-1", "msg-2", "msg-3", "msg-4");
            // Each message reached the client while the backend had sent no more than that many.
            for (int i = 0; i < sentWhenSeen.size(); i++) {
                assertThat(sentWhenSeen.get(i)).isLessThanOrEqualTo(seen.size());
            }
            assertThat(sentWhenSeen.get(0)).isEqualTo(1);
            assertThat(r.trailer("grpc-status")).isEqualTo("0");
        }
    }

    @Test
    void anHttp11ClientGetsTheTrailersAsChunkedTrailers() throws Exception {
        try (H2Backend backend = new H2Backend();
             Sluice sluice = proxyTo(backend);
             RawHttp c = new RawHttp(sluice.listenerAddress("web"))) {
            c.send("POST /echo HTTP/1.1\r\nHost: api.test\r\nTE: trailers\r\nContent-Type: application/grpc\r\n"
                    + "Content-Length: 5\r\n\r\nhello");
            String text = c.readChunkedMessageRaw().toLowerCase(java.util.Locale.ROOT);
            assertThat(text).startsWith("http/1.1 200").contains("transfer-encoding: chunked")
                    .contains("\r\n0\r\n").contains("grpc-status: 0\r\n").contains("x-echo-bytes: 5\r\n")
                    .doesNotContain("x-http2-stream-id");
        }
    }

    @Test
    void manyConcurrentCallsShareOneBackendConnectionPerEventLoop() throws Exception {
        try (H2Backend backend = new H2Backend();
             Sluice sluice = proxyTo(backend);
             H2Client client = Http2IT.h2c(sluice)) {
            List<CompletableFuture<H2Response>> calls = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                calls.add(client.request("POST", "/echo", "api.test", grpcHeaders(), H2Backend.grpcMessage("m" + i)));
            }
            for (int i = 0; i < 60; i++) {
                H2Response r = calls.get(i).get(20, TimeUnit.SECONDS);
                assertThat(r.grpcMessages()).containsExactly("m" + i);
                assertThat(r.trailer("grpc-status")).isEqualTo("0");
            }
            // One client connection lives on one event loop, so its streams share that loop's backend connection.
            assertThat(backend.connections()).isEqualTo(1);
            assertThat(backend.requests()).isEqualTo(60);
        }
    }
}

package io.sluice.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** What {@code sluice status} prints, from canned admin documents. */
class StatusTableTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String HEALTH = """
            {"healthy":true,"healthy_count":2,"total_count":3,
             "backends":[
              {"pool":"web","address":"127.0.0.1:3001","healthy":true,"circuit_state":"Closed","weight":2,
               "active_connections":4,"down_reasons":[],"health_check":null,"breaker_opened":0},
              {"pool":"web","address":"127.0.0.1:3002","healthy":false,"circuit_state":"Open","weight":1,
               "active_connections":0,"down_reasons":["health_check","circuit_breaker"],
               "health_check":{"up":false,"passed":10,"failed":3,"transitions":1,"last_failure":"503"},"breaker_opened":1},
              {"pool":"api","address":"10.0.0.7:9000","healthy":true,"circuit_state":"HalfOpen","weight":1,
               "active_connections":1,"down_reasons":[],"health_check":null,"breaker_opened":2}],
             "pools":[
              {"name":"web","healthy_count":1,"total_count":2,"panic":false,"retries":12,
               "retries_denied_by_budget":3,"fallback_pool":"api"},
              {"name":"api","healthy_count":1,"total_count":1,"panic":true,"retries":0,
               "retries_denied_by_budget":0,"fallback_pool":null}]}
            """;

    private static final String METRICS = """
            {"total_requests":1500,"total_failures":3,"success_rate":0.998,"backends":[
             {"pool":"web","url":"http://127.0.0.1:3001","address":"127.0.0.1:3001","total_requests":1000,
              "failed_requests":1,"success_rate":0.999,"active_connections":4,"p50_ms":1.2,"p90_ms":2.0,"p99_ms":5.14},
             {"pool":"web","url":"http://127.0.0.1:3002","address":"127.0.0.1:3002","total_requests":0,
              "failed_requests":0,"success_rate":1.0,"active_connections":0,"p50_ms":null,"p90_ms":null,"p99_ms":null},
             {"pool":"api","url":"http://10.0.0.7:9000","address":"10.0.0.7:9000","total_requests":500,
              "failed_requests":2,"success_rate":0.996,"active_connections":1,"p50_ms":20.0,"p90_ms":80.0,"p99_ms":1250.0}]}
            """;

    // seven slots; the newest (99 req/s) may still be filling and is left out; the five before it are averaged:
    // 60 requests over 5 s is 12 req/s, and 10 of them failed (half of the 20 in slot 5) is 16.7%
    private static final String HISTORY = """
            {"resolution_seconds":1,"window_seconds":60,"series":[
             {"kind":"pool","pool":"web","backend":null,"t":[1,2,3,4,5,6,7],
              "rps":[500,10,10,10,20,10,99],"error_rate":[0,0,0,0,0.5,0,0],
              "p50_ms":[1,1,1,1,1,1,1],"p99_ms":[5,5,5,5,5,5,5],"in_flight":[1,1,1,1,1,1,1]},
             {"kind":"backend","pool":"web","backend":"127.0.0.1:3001","t":[1,2,3,4,5,6,7],
              "rps":[500,10,10,10,20,10,99],"error_rate":[0,0,0,0,0.5,0,0],
              "p50_ms":[1,1,1,1,1,1,1],"p99_ms":[5,5,5,5,5,5,5],"in_flight":[1,1,1,1,1,1,1]},
             {"kind":"backend","pool":"web","backend":"127.0.0.1:3002","t":[1,2,3,4,5,6,7],
              "rps":[0,0,0,0,0,0,0],"error_rate":[0,0,0,0,0,0,0],
              "p50_ms":[null,null,null,null,null,null,null],"p99_ms":[null,null,null,null,null,null,null],
              "in_flight":[0,0,0,0,0,0,0]},
             {"kind":"pool","pool":"api","backend":null,"t":[],"rps":[],"error_rate":[],"p50_ms":[],"p99_ms":[],
              "in_flight":[]}]}
            """;

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void printsPoolsThenBackendsWithLiveFigures() throws Exception {
        String out = StatusTable.render(json(HEALTH), json(METRICS), json(HISTORY));
        assertThat(out).isEqualTo("""
                POOL  HEALTHY  REQ/S  ERRORS  NOTES
                web   1/2       12.0   16.7%  retries 12 (3 denied by budget), fallback api
                api   1/1          -       -  PANIC (routing to all backends), retries 0

                POOL  BACKEND         HEALTH                                BREAKER   WEIGHT  IN-FLIGHT  REQ/S  ERRORS     P99
                web   127.0.0.1:3001  up                                    Closed         2          4   12.0   16.7%  5.1 ms
                web   127.0.0.1:3002  DOWN (health_check, circuit_breaker)  Open           1          0    0.0      0%       -
                api   10.0.0.7:9000   up                                    HalfOpen       1          1      -       -  1.25 s

                2 of 3 backends healthy; 1500 requests since start, 99.80% succeeded
                """);
    }

    @Test
    void olderServersWithoutMetricsStillGetATable() throws Exception {
        String out = StatusTable.render(json(HEALTH), null, null);
        assertThat(out).contains("127.0.0.1:3002  DOWN (health_check, circuit_breaker)  Open")
                .contains("2 of 3 backends healthy\n")
                .endsWith("(this server has no /_metrics or /_metrics/history: req/s, errors and p99 are not shown)\n");
        assertThat(StatusTable.render(json(HEALTH), json(METRICS), null))
                .endsWith("(this server has no /_metrics/history: req/s and errors are not shown)\n");
        assertThat(StatusTable.render(json(HEALTH), null, json(HISTORY)))
                .endsWith("(this server has no /_metrics: p99 is not shown)\n");
    }

    @Test
    void missingFieldsAreDashesNotErrors() throws Exception {
        String out = StatusTable.render(json("""
                {"backends":[{"pool":"web","address":"127.0.0.1:3001"},{"healthy":false}]}
                """), json("{\"backends\":[{}]}"), json("{\"series\":[{\"kind\":\"backend\"}]}"));
        assertThat(out).isEqualTo("""
                POOL  BACKEND         HEALTH  BREAKER  WEIGHT  IN-FLIGHT  REQ/S  ERRORS  P99
                web   127.0.0.1:3001  -       -             -          -      -       -    -
                -     -               DOWN    -             -          -      -       -    -

                - of - backends healthy
                """);
        assertThat(StatusTable.render(json("{}"), null, null)).startsWith("no backends\n");
    }

    @Test
    void recentFiguresSkipTheNewestSlot() throws Exception {
        StatusTable.Recent r = StatusTable.recent(json("""
                {"t":[1,2,3],"rps":[4,6,1000],"error_rate":[0.5,0,1]}
                """));
        assertThat(r.rps()).isEqualTo(5.0);
        assertThat(r.errorRate()).isEqualTo(0.2);
        assertThat(StatusTable.recent(json("{\"t\":[1],\"rps\":[7],\"error_rate\":[0]}")).rps()).isEqualTo(7.0);
        assertThat(StatusTable.recent(json("{\"t\":[]}"))).isNull();
        assertThat(StatusTable.recent(null)).isNull();
    }

    @Test
    void tcpAndUdpListenersAreListedWithTheirRoutes() throws Exception {
        String out = StatusTable.render(json("""
                {"healthy":true,"healthy_count":1,"total_count":1,
                 "backends":[{"pool":"tls","address":"10.0.0.5:443","healthy":true,"circuit_state":"Closed",
                   "weight":1,"active_connections":3}],
                 "pools":[{"name":"tls","healthy_count":1,"total_count":1,"panic":false,"retries":0,
                   "retries_denied_by_budget":0,"fallback_pool":null}],
                 "l4_listeners":[
                  {"name":"edge","kind":"tcp","bind":"0.0.0.0:443","open":3,"total":120,
                   "routes":[
                    {"index":0,"match":{"protocol":"tls","sni":["a.example.com","*.b.example.com"],"alpn":["h2"],
                      "prefix":null},"pool":"tls","listener":null},
                    {"index":1,"match":{"protocol":null,"sni":[],"alpn":[],"prefix":"GET "},"pool":null,
                      "listener":"web"}],
                   "fallback":{"pool":"other","listener":null},
                   "routed":{"tls":100,"prefix":20,"fallback":0,"closed":2,"rejected":0}},
                  {"name":"dns","kind":"udp","bind":"0.0.0.0:53","open":0,"total":0,
                   "routes":[{"index":0,"match":{"protocol":null,"sni":[],"alpn":[],"prefix":null},"pool":"tls",
                     "listener":null}],"fallback":null,"routed":{"any":0,"closed":0,"rejected":0}}]}
                """), null, null);
        assertThat(out).startsWith("""
                POOL  HEALTHY  REQ/S  ERRORS  NOTES
                tls   1/1          -       -  retries 0

                LISTENER  KIND  BIND         OPEN  TOTAL  ROUTED
                edge      tcp   0.0.0.0:443     3    120  tls 100, prefix 20, closed 2
                dns       udp   0.0.0.0:53      0      0  -

                LISTENER  ROUTE     MATCH                                            TO
                edge      0         tls, sni a.example.com|*.b.example.com, alpn h2  pool tls (1/1 up)
                edge      1         prefix "GET "                                    listener web
                edge      fallback  anything else                                    pool other
                dns       0         any                                              pool tls (1/1 up)

                POOL  BACKEND       HEALTH  BREAKER  WEIGHT  IN-FLIGHT  REQ/S  ERRORS  P99
                tls   10.0.0.5:443  up      Closed        1          3      -       -    -
                """);
    }
    @Test
    void stunAndTurnListenersShowTheirCounters() throws Exception {
        String out = StatusTable.render(json("""
                {"healthy":false,"healthy_count":0,"total_count":0,"backends":[],"pools":[],"l4_listeners":[],
                 "stun_listeners":[
                  {"name":"relay","kind":"turn","bind":"0.0.0.0:3478","transports":["udp","tcp"],"open_connections":2,
                   "bindings":120,"errors":3,"malformed":7,"ignored":0,
                   "turn":{"allocations":4,"permissions":6,"channels":2,"allocations_made":31,"packets_to_peers":9000,
                     "bytes_to_peers":1572864,"packets_from_peers":12,"bytes_from_peers":1536,"auth_failures":5,
                     "dropped":1}},
                  {"name":"stun","kind":"stun","bind":"0.0.0.0:19302","transports":["udp"],"open_connections":0,
                   "bindings":88000,"errors":0,"malformed":1,"ignored":2,"turn":null}]}
                """), null, null);
        assertThat(out).startsWith("""
                LISTENER  KIND             BIND           BINDINGS  ERRORS  MALFORMED  ALLOCATIONS  PERMISSIONS\
                  CHANNELS            TO PEERS        FROM PEERS  AUTH FAILURES
                relay     turn (udp, tcp)  0.0.0.0:3478        120       3          7            4            6\
                         2  9000 pkts, 1.5 MiB  12 pkts, 1.5 KiB              5
                stun      stun (udp)       0.0.0.0:19302     88000       0          1            -            -\
                         -                   -                 -              -

                no backends
                """);
    }

    @Test
    void bytesAreShownInBinaryUnits() {
        assertThat(StatusTable.bytes(0)).isEqualTo("0 B");
        assertThat(StatusTable.bytes(1023)).isEqualTo("1023 B");
        assertThat(StatusTable.bytes(1024)).isEqualTo("1.0 KiB");
        assertThat(StatusTable.bytes(5L << 30)).isEqualTo("5.0 GiB");
        assertThat(StatusTable.bytes(3L << 50)).isEqualTo("3072.0 TiB");
    }
}

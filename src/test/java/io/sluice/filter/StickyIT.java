package io.sluice.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.Sluice;
import io.sluice.config.ConfigLoader;
import io.sluice.demo.DemoBackend;
import io.sluice.testing.Command;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sticky sessions through a real listener with curl's cookie jar: the first answer sets the cookie, later
 * requests with the jar reach the same backend whatever the strategy, a drained backend's clients move and
 * get a new cookie, and a tampered cookie is replaced.
 */
class StickyIT {
    private static final String TOKEN = "sticky-admin-token";
    private static final String SECRET = "sticky-it-secret-0123456789";

    @TempDir
    Path dir;

    /** What one curl request gave: the backend that answered and the cookie set, if any. */
    record Answer(int status, String servedBy, String setCookie) {
    }

    static Answer curl(Path jar, String url) throws Exception {
        Path curl = Command.require("curl", "curl");
        Command.Result r = Command.run(Duration.ofSeconds(20), List.of(curl.toString(), "-s", "-o", "/dev/null",
                "-D", "-", "-b", jar.toString(), "-c", jar.toString(), url));
        assertThat(r.exit()).as(r.output()).isZero();
        int status = 0;
        String servedBy = null;
        String setCookie = null;
        for (String line : r.output().split("\r\n")) {
            String lower = line.toLowerCase();
            if (line.startsWith("HTTP/")) {
                status = Integer.parseInt(line.split(" ")[1]);
            } else if (lower.startsWith("x-served-by:")) {
                servedBy = line.substring(12).trim();
            } else if (lower.startsWith("set-cookie:")) {
                setCookie = line.substring(11).trim();
            }
        }
        return new Answer(status, servedBy, setCookie);
    }

    static HttpResponse<String> admin(Sluice s, String method, String path, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.adminAddress().getPort() + path))
                .header("Authorization", "Bearer " + TOKEN)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"round_robin", "least_connections"})
    void aClientStaysOnItsBackendUntilItIsDrainedAndATamperedCookieIsReplaced(String strategy) throws Exception {
        List<DemoBackend> backends = new ArrayList<>();
        try {
            for (String n : List.of("a", "b", "c")) {
                backends.add(DemoBackend.start("127.0.0.1", 0, n));
            }
            String yaml = """
                    listeners:
                      - name: web
                        bind: "127.0.0.1:0"
                        routes:
                          - match: { path_prefix: /app }
                            pool: app
                            sticky: { secret: "%s", ttl: 10m, same_site: Strict, path: /app }
                          - pool: app
                    pools:
                      - name: app
                        strategy: %s
                        backends: [ "127.0.0.1:%d", "127.0.0.1:%d", "127.0.0.1:%d" ]
                    admin: { bind: "127.0.0.1:0", token: %s }
                    """.formatted(SECRET, strategy, backends.get(0).port(), backends.get(1).port(),
                    backends.get(2).port(), TOKEN);
            try (Sluice sluice = Sluice.builder().config(ConfigLoader.parse(yaml, "test.yaml", k -> null))
                    .build().start()) {
                String base = "http://127.0.0.1:" + sluice.listenerAddress("web").getPort();
                String url = base + "/app/page";
                Path jar = dir.resolve(strategy + ".jar");

                Answer first = curl(jar, url);
                assertThat(first.status()).isEqualTo(200);
                assertThat(first.setCookie()).startsWith("SLUICE_AFFINITY=")
                        .contains("Max-Age=600", "Path=/app", "SameSite=Strict").containsIgnoringCase("; HttpOnly")
                        .doesNotContain("Secure");
                String home = first.servedBy();
                for (int i = 0; i < 12; i++) {
                    Answer a = curl(jar, url);
                    assertThat(a.servedBy()).as("request %d with the jar", i).isEqualTo(home);
                    assertThat(a.setCookie()).as("a valid cookie is not sent again").isNull();
                }
                if (strategy.equals("round_robin")) {
                    Set<String> without = new HashSet<>();
                    for (int i = 0; i < 6; i++) {
                        without.add(curl(dir.resolve("fresh-" + i + ".jar"), base + "/other").servedBy());
                    }
                    assertThat(without).as("without the cookie the strategy spreads").hasSizeGreaterThan(1);
                }

                int port = backends.stream().filter(b -> b.name().equals(home)).findFirst().orElseThrow().port();
                assertThat(admin(sluice, "POST", "/api/pools/app/backends/127.0.0.1:" + port + "/drain", null)
                        .statusCode()).isEqualTo(200);
                Answer moved = curl(jar, url);
                assertThat(moved.servedBy()).as("the drained backend gets no new request").isNotEqualTo(home);
                assertThat(moved.setCookie()).as("a cookie for the new backend").startsWith("SLUICE_AFFINITY=");
                String second = moved.servedBy();
                for (int i = 0; i < 5; i++) {
                    assertThat(curl(jar, url).servedBy()).isEqualTo(second);
                }
                assertThat(admin(sluice, "POST", "/api/pools/app/backends/127.0.0.1:" + port + "/undrain", null)
                        .statusCode()).isEqualTo(200);
                assertThat(curl(jar, url).servedBy()).as("the new cookie holds after undrain").isEqualTo(second);

                // Tamper with the value in the jar: the cookie is ignored and a new one issued.
                String text = Files.readString(jar);
                String value = moved.setCookie().substring("SLUICE_AFFINITY=".length(),
                        moved.setCookie().indexOf(';'));
                assertThat(text).contains(value);
                char c = value.charAt(12);
                String tampered = value.substring(0, 12) + (c == 'A' ? 'B' : 'A') + value.substring(13);
                Files.writeString(jar, text.replace(value, tampered));
                Answer reissued = curl(jar, url);
                assertThat(reissued.status()).isEqualTo(200);
                assertThat(reissued.setCookie()).as("a tampered cookie is replaced").startsWith("SLUICE_AFFINITY=")
                        .doesNotContain(tampered);
                String now = reissued.servedBy();
                for (int i = 0; i < 5; i++) {
                    assertThat(curl(jar, url).servedBy()).isEqualTo(now);
                }
                String metrics = admin(sluice, "GET", "/metrics", null).body();
                assertThat(metrics)
                        .containsPattern("(?m)sluice_filter_sticky_cookies_issued_total\\{[^}]*filter=\"sticky\"[^}]*} 3(\\.0)?$")
                        .containsPattern("(?m)sluice_filter_sticky_cookies_invalid_total\\{[^}]*} 1(\\.0)?$");
            }
        } finally {
            backends.forEach(DemoBackend::close);
        }
    }
}

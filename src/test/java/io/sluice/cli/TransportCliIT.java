package io.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.sluice.testing.ScriptedBackend;
import io.sluice.testing.SluiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The transport and the leak detector as a user of the command meets them: chosen by default, forced with
 * {@code --transport}, {@code $SLUICE_TRANSPORT} or {@code transport:}, named on the startup line, and refused
 * with exit 2 when unknown.
 */
class TransportCliIT {
    /** The variables a test process otherwise passes to the child (the level and transport of the tests). */
    private static final Map<String, String> PLAIN = Map.of("SLUICE_TRANSPORT", "", "SLUICE_LEAK_DETECTION", "");

    @Test
    void byDefaultTheBestTransportRunsAndTheLeakDetectorIsOff() throws Exception {
        String best = IoUring.isAvailable() ? "io_uring" : Epoll.isAvailable() ? "epoll" : "nio";
        try (ScriptedBackend backend = ScriptedBackend.answering("plain");
             Quick q = quick(PLAIN, backend)) {
            assertThat(startedLine(q.process())).contains(best + " transport").contains("leak detection off");
            assertThat(get(q.port())).isEqualTo("plain");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void eachTransportProxiesWhenForcedOnTheCommandLine(String transport) throws Exception {
        Assumptions.assumeTrue(!transport.equals("io_uring") || IoUring.isAvailable(), "no io_uring here");
        Assumptions.assumeTrue(!transport.equals("epoll") || Epoll.isAvailable(), "no epoll here");
        try (ScriptedBackend backend = ScriptedBackend.answering("via " + transport);
             Quick q = quick(PLAIN, backend, "--transport", transport)) {
            assertThat(startedLine(q.process())).contains(transport + " transport");
            assertThat(get(q.port())).isEqualTo("via " + transport);
        }
    }

    @Test
    void theVariablesChooseTransportAndLeakLevel() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.answering("env");
             Quick q = quick(Map.of("SLUICE_TRANSPORT", "nio", "SLUICE_LEAK_DETECTION", "paranoid"),
                     backend)) {
            assertThat(startedLine(q.process())).contains("nio transport").contains("leak detection paranoid");
            assertThat(get(q.port())).isEqualTo("env");
        }
    }

    @Test
    void theConfigFileCanNameTheTransport() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.answering("file")) {
            int port = SluiceProcess.freePort();
            Path file = SluiceProcess.writeConfig("""
                    transport: nio
                    admin: { enabled: false }
                    listeners: [ { name: web, bind: "127.0.0.1:%d" } ]
                    pools: [ { name: web, backends: [ { address: "127.0.0.1:%d" } ] } ]
                    """.formatted(port, backend.port()));
            try (SluiceProcess p = SluiceProcess.start(PLAIN, List.of(), "run", "-c", file.toString())) {
                p.awaitListening(port);
                assertThat(startedLine(p)).contains("nio transport");
                assertThat(get(port)).isEqualTo("file");
            }
        }
    }

    @Test
    void anUnknownTransportIsAUsageErrorOrAConfigErrorAtItsLine() throws Exception {
        try (SluiceProcess p = SluiceProcess.runToEnd("--transport", "kqueue", "-p", "0")) {
            assertThat(p.exitCode()).isEqualTo(2);
            assertThat(p.output()).contains("unknown transport 'kqueue'").doesNotContain("Exception");
        }
        Path file = SluiceProcess.writeConfig("""
                listeners: [ { name: web, bind: "127.0.0.1:8080" } ]
                pools: [ { name: web, backends: [ { address: "127.0.0.1:3001" } ] } ]
                transport: kqueue
                """);
        try (SluiceProcess p = SluiceProcess.runToEnd("validate", "-c", file.toString())) {
            assertThat(p.exitCode()).isEqualTo(2);
            assertThat(p.output()).contains("3:").contains("unknown transport 'kqueue'");
        }
        try (SluiceProcess p = SluiceProcess.start(Map.of("SLUICE_LEAK_DETECTION", "loud"), List.of(), "-p", "0")) {
            assertThat(p.waitForExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(p.output()).contains("SLUICE_LEAK_DETECTION=loud is not a level");
        }
    }

    /** A quick-mode Sluice and its port. */
    private record Quick(SluiceProcess process, int port) implements AutoCloseable {
        @Override
        public void close() {
            process.close();
        }
    }

    private static Quick quick(Map<String, String> env, ScriptedBackend backend, String... more)
            throws Exception {
        int port = SluiceProcess.freePort();
        int admin = SluiceProcess.freePort();
        List<String> args = new ArrayList<>(List.of(more));
        args.addAll(List.of("-p", Integer.toString(port), "--bind", "127.0.0.1", "--admin", "127.0.0.1:" + admin,
                "-b", "127.0.0.1:" + backend.port()));
        SluiceProcess p = SluiceProcess.start(env, List.of(), args.toArray(String[]::new));
        p.awaitListening(port);
        return new Quick(p, port);
    }

    private static String startedLine(SluiceProcess p) {
        await().atMost(Duration.ofSeconds(30)).until(() -> p.output().contains("sluice started:"));
        return p.output().lines().filter(l -> l.contains("sluice started:")).findFirst().orElseThrow();
    }

    private static String get(int port) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}

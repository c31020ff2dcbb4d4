package io.sluice.cli;

import io.sluice.config.Durations;
import io.sluice.demo.DemoBackend;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice backend}: a test backend server for trying and testing proxies. */
@Command(name = "backend", mixinStandardHelpOptions = true,
        description = {"Run a test backend server (for trying and testing proxies).",
            "Endpoints:",
            "  GET /             JSON naming the server, method, path and headers",
            "  /health           200",
            "  /status/{code}    that status",
            "  /delay/{ms}       answers after ms milliseconds",
            "  /echo             echoes the body and its Content-Type (streaming)",
            "  /sha256           reads the body, answers its length and SHA-256",
            "  /bytes/{n}        n bytes, byte i being i %% 251 (?chunked=1: chunked)",
            "  /headers          the request headers as received",
            "  /drop             closes the connection without answering",
            "  /close            answers, then closes the connection"})
final class BackendCommand implements Callable<Integer> {
    @Option(names = "--port", required = true, description = "Port to listen on.")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--name", description = "Name the backend reports (default: backend-PORT).")
    String name;

    @Option(names = "--delay", paramLabel = "DURATION", defaultValue = "0ms",
            description = "Wait this long before each plain answer (/, /health, /status, /headers), e.g. 50ms:"
                    + " a slow backend for trying latency-aware strategies (default: none).")
    String delay;

    @Override
    public Integer call() throws Exception {
        Duration wait;
        try {
            wait = Durations.parse(delay);
        } catch (IllegalArgumentException e) {
            System.err.println("error: --delay: " + e.getMessage());
            return 2;
        }
        DemoBackend backend;
        try {
            backend = DemoBackend.start(host, port, name == null ? "backend-" + port : name).delay(wait);
        } catch (Exception e) {
            System.err.println("error: cannot listen on " + host + ":" + port + ": " + e.getMessage());
            return 1;
        }
        System.out.println("backend " + backend.name() + " listening on " + host + ":" + backend.port());
        CountDownLatch stopped = new CountDownLatch(1);
        Signals.onStop(() -> {
            backend.close();
            stopped.countDown();
        });
        stopped.await();
        return 0;
    }
}

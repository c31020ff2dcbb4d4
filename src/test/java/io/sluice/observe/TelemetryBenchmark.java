package io.sluice.observe;

import io.sluice.config.AccessLogConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What observability adds to one proxied request, apart from the rest of the data path: {@link #metrics}
 * is what an exchange records when metrics are on (listener, route and pool counts with their latency
 * histograms, the backend's attempt counts and histogram); {@link #accessLogEnqueue} is what an event loop
 * pays for the access log (one record built and queued); {@link #combinedLine} and {@link #jsonLine} are the
 * formatting the writer thread does per line. One instance per benchmark thread; not thread-safe. Not a test.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TelemetryBenchmark {
    private final ListenerStats listener = new ListenerStats("web");
    private final StatusCounts route = new StatusCounts();
    private final StatusCounts pool = new StatusCounts();
    private final StatusCounts attempts = new StatusCounts();
    private final CombinedLine combined = new CombinedLine(ZoneOffset.UTC);
    private AccessLog log;
    private Path file;
    private long n;

    @Setup(Level.Trial)
    public void open() throws Exception {
        file = Files.createTempFile("sluice-bench-access", ".log");
        log = AccessLog.create(new AccessLogConfig(true, AccessLogConfig.Format.COMBINED, file.toString()),
                ZoneOffset.UTC, AccessLog.QUEUE_SIZE);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        log.close();
        Files.deleteIfExists(file);
    }

    private RequestLog record(long nanos) {
        return new RequestLog(1_764_600_000_000L + (nanos >> 20), "10.1.2.3", "GET", "/catalogue/shoes?size=42",
                "HTTP/1.1", 200, 0, 5120, nanos, "127.0.0.1:3001", nanos - 50_000, 0, "web", 0, "web", null,
                "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0", "http://shop.example.com/");
    }

    @Benchmark
    public long metrics() {
        long nanos = 400_000 + (++n & 0xffff) * 16; // 0.4 to 1.4 ms
        listener.record(200, nanos, 0, 5120);
        route.record(200, nanos);
        pool.record(200, nanos);
        attempts.record(200, nanos - 50_000);
        return nanos;
    }

    @Benchmark
    public long accessLogEnqueue() {
        log.log(record(400_000 + (++n & 0xffff) * 16));
        return n;
    }

    @Benchmark
    public String combinedLine() {
        return combined.format(record(400_000 + (++n & 0xffff) * 16));
    }

    @Benchmark
    public String jsonLine() {
        return JsonLine.format(record(400_000 + (++n & 0xffff) * 16));
    }
}

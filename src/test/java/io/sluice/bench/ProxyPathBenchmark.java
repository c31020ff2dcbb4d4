package io.sluice.bench;

import io.sluice.Sluice;
import io.sluice.config.Config;
import io.sluice.config.MetricsConfig;
import io.sluice.testing.TestConfigs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One proxied HTTP/1.1 keep-alive request through a real Sluice on loopback, measured for what its event loop
 * allocates: a blocking client writes a GET and reads the answer, a backend thread answers with a fixed 512-byte
 * body, and the proxy runs in this JVM with one event loop. After each iteration it prints the heap the
 * event-loop thread allocated per request (from the JVM's per-thread allocation counter), which is the figure
 * the lean header path is judged by; the client and the backend use preallocated arrays, so JMH's {@code -prof
 * gc} ({@code gc.alloc.rate.norm}) shows nearly the same. With {@code protocol=h2} the client speaks HTTP/2 with
 * prior knowledge instead ({@link H2Client}): one stream per request, so the figure includes a stream channel,
 * its handlers and the HTTP/2 conversions both ways. The time per request includes two loopback round
 * trips and thread hand-offs, so it is not the proxy's CPU cost; {@code bench/run.sh} measures that. Not a
 * test; {@code bench/jmh.sh ProxyPathBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled", "-XX:+UseParallelGC"})
public class ProxyPathBenchmark {
    private static final byte[] BODY = new byte[512];
    private static final byte[] RESPONSE;

    static {
        java.util.Arrays.fill(BODY, (byte) 'x');
        byte[] head = ("HTTP/1.1 200 OK\r\nServer: bench\r\nDate: Sun, 06 Dec 2026 20:00:00 GMT\r\n"
                + "Content-Type: text/plain\r\nContent-Length: 512\r\nConnection: keep-alive\r\n"
                + "Last-Modified: Sun, 06 Dec 2026 19:00:00 GMT\r\nETag: \"6772-200\"\r\n"
                + "Accept-Ranges: bytes\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        RESPONSE = new byte[head.length + BODY.length];
        System.arraycopy(head, 0, RESPONSE, 0, head.length);
        System.arraycopy(BODY, 0, RESPONSE, head.length, BODY.length);
    }

    /** Metrics on (the default) or off. */
    @Param({"true", "false"})
    public boolean metrics;

    /**
     * How the client speaks: HTTP/1.1, or HTTP/2 with prior knowledge on the same clear-text listener (one stream
     * per request on one connection, so a stream channel, its handlers and the frame conversions are counted).
     */
    @Param({"http1", "h2"})
    public String protocol;

    private ServerSocket backend;
    private final List<Socket> backendSockets = new ArrayList<>();
    private Sluice sluice;
    private Socket client;
    private OutputStream out;
    private InputStream in;
    private byte[] request;
    private final byte[] buf = new byte[64 * 1024];
    private long[] loopThreads;
    private long allocatedBefore;
    private long requests;
    private H2Client h2;

    @Setup(Level.Trial)
    public void start() throws Exception {
        backend = new ServerSocket();
        backend.bind(new InetSocketAddress("127.0.0.1", 0));
        Thread acceptor = new Thread(this::serve, "bench-backend");
        acceptor.setDaemon(true);
        acceptor.start();
        Config c = TestConfigs.create().workers(1).pool("web", backend.getLocalPort()).build();
        c = c.withMetrics(metrics ? MetricsConfig.ON : new MetricsConfig(false));
        sluice = Sluice.builder().config(c).build().start();
        int port = sluice.listenerAddress("web").getPort();
        client = new Socket("127.0.0.1", port);
        client.setTcpNoDelay(true);
        out = client.getOutputStream();
        in = client.getInputStream();
        request = ("GET /catalogue/item?id=42 HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUser-Agent: bench/1.0\r\n"
                + "Accept: */*\r\nAccept-Encoding: gzip\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        if ("h2".equals(protocol)) {
            h2 = new H2Client(in, out, "127.0.0.1:" + port);
        }
    }

    /** The proxy's event-loop threads, which Netty starts when they get their first channel. */
    private static long[] loopThreads() {
        List<Long> ids = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("sluice-io")) {
                ids.add(t.getId());
            }
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    private void serve() {
        try {
            while (!backend.isClosed()) {
                Socket s = backend.accept();
                s.setTcpNoDelay(true);
                synchronized (backendSockets) {
                    backendSockets.add(s);
                }
                Thread t = new Thread(() -> answer(s), "bench-backend-conn");
                t.setDaemon(true);
                t.start();
            }
        } catch (IOException e) {
            // closed at tear-down
        }
    }

    /** Answers every request head (GETs without a body) with the fixed response. */
    private static void answer(Socket s) {
        byte[] b = new byte[16 * 1024];
        try (s) {
            InputStream i = s.getInputStream();
            OutputStream o = s.getOutputStream();
            int have = 0;
            while (true) {
                int n = i.read(b, have, b.length - have);
                if (n < 0) {
                    return;
                }
                have += n;
                int end;
                while ((end = headEnd(b, have)) >= 0) {
                    o.write(RESPONSE);
                    System.arraycopy(b, end, b, 0, have - end);
                    have -= end;
                }
            }
        } catch (IOException e) {
            // connection closed
        }
    }

    private static int headEnd(byte[] b, int len) {
        for (int i = 3; i < len; i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    @Setup(Level.Iteration)
    public void mark() {
        loopThreads = loopThreads();
        allocatedBefore = allocated();
        requests = 0;
    }

    /** Prints what the event loop allocated per request in the iteration just run (JMH shows the fork's output). */
    @TearDown(Level.Iteration)
    public void report() {
        double perRequest = requests == 0 ? 0 : (double) (allocated() - allocatedBefore) / requests;
        System.out.printf("  [event loop: %.0f bytes allocated per request over %d requests]%n", perRequest, requests);
    }

    private long allocated() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long b : mx.getThreadAllocatedBytes(loopThreads)) {
            sum += b;
        }
        return sum;
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        client.close();
        sluice.close();
        backend.close();
        synchronized (backendSockets) {
            for (Socket s : backendSockets) {
                s.close();
            }
        }
    }

    @Benchmark
    public int proxiedRequest() throws IOException {
        if (h2 != null) {
            int body = h2.get("/catalogue/item?id=42");
            requests++;
            return body;
        }
        out.write(request);
        int have = 0;
        int total = -1;
        while (total < 0 || have < total) {
            int n = in.read(buf, have, buf.length - have);
            if (n < 0) {
                throw new IOException("proxy closed the connection");
            }
            have += n;
            if (total < 0) {
                int end = headEnd(buf, have);
                if (end >= 0) {
                    total = end + BODY.length;
                }
            }
        }
        requests++;
        return have;
    }
}

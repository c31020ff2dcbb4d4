package io.sluice.bench;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.balance.Backend;
import io.sluice.balance.BackendState;
import io.sluice.balance.BalanceOptions;
import io.sluice.balance.Endpoint;
import io.sluice.balance.HashKey;
import io.sluice.balance.PickContext;
import io.sluice.balance.Picker;
import io.sluice.balance.Selection;
import io.sluice.balance.Strategies;
import io.sluice.config.HostPort;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one pick as the data path makes it ({@link Selection#select}) for every strategy over 3, 100 and
 * 1,000 backends. Backends carry uneven weights, some in-flight requests and latency and error history; the
 * clock runs on a microsecond per pick, so the latency estimates age and decay the way they would between
 * samples (the costlier case). Run by {@code bench/jmh.sh}, which passes every registered strategy.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class PickBenchmark {
    private static final int VARIANTS = 1024;
    private static final long MS = 1_000_000L;

    @Param({"round_robin"})
    public String strategy;

    @Param({"3", "100", "1000"})
    public int backends;

    private Picker picker;
    private PickContext ctx;
    private final InetSocketAddress[] clients = new InetSocketAddress[VARIANTS];
    private final HttpRequest[] requests = new HttpRequest[VARIANTS];
    private long now;
    private int next;

    @Setup
    public void setup() {
        SplittableRandom random = new SplittableRandom(7);
        BalanceOptions options = new BalanceOptions(HashKey.parse("header:X-User"), 125, Duration.ofSeconds(10),
                Duration.ZERO);
        long halfLife = options.halfLifeNanos();
        now = 1_000_000 * MS;
        List<Backend> list = new ArrayList<>();
        for (int i = 0; i < backends; i++) {
            BackendState state = new BackendState();
            for (int k = 0; k < 5; k++) {
                state.requestStarted();
                state.requestFinished((1 + random.nextInt(40)) * MS, random.nextInt(20) == 0, now - k * MS, halfLife);
            }
            for (int k = random.nextInt(4); k > 0; k--) {
                state.requestStarted();
            }
            list.add(new Backend(new Endpoint("bench", new HostPort("127.0.0.1", 20000 + i), 1 + i % 3), state));
        }
        picker = Strategies.create(strategy, options).newPicker(null, list);
        ctx = new PickContext();
        for (int i = 0; i < VARIANTS; i++) {
            clients[i] = new InetSocketAddress("10.0." + (i >> 8) + "." + (i & 255), 40000 + i);
            HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/items/" + i + "?page=2");
            r.headers().set("Host", "shop.example.com").set("X-User", "user-" + random.nextInt(100_000));
            requests[i] = r;
        }
    }

    @Benchmark
    public Backend select() {
        int i = next++ & (VARIANTS - 1);
        now += 1_000;
        return Selection.select(picker, ctx.reset(clients[i], requests[i], now), null, 0);
    }
}

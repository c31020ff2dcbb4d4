package io.sluice.testing;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Steady GETs from a few keep-alive clients, bounded to a minute whatever happens; every answer that is
 * not a 200 is recorded as an error, every 200 counted by its {@code X-Served-By}. Thread-safe.
 */
public final class Load implements AutoCloseable {
    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

    private final Map<String, LongAdder> servedBy = new ConcurrentHashMap<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final LongAdder requests = new LongAdder();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    public Load(InetSocketAddress proxy, int clients) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> {
                try (RawHttp c = new RawHttp(proxy)) {
                    while (!stop.get() && System.nanoTime() < deadline) {
                        RawHttp.Response r = c.send(GET).read();
                        requests.increment();
                        if (r.status() != 200) {
                            errors.add(r.status() + " " + r.body().strip());
                        } else {
                            servedBy.computeIfAbsent(r.header("X-Served-By"), k -> new LongAdder()).increment();
                        }
                    }
                } catch (Exception e) {
                    errors.add(e.toString());
                }
            }, "load-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    /** 200s served by the backend of this name. */
    public long served(String name) {
        LongAdder a = servedBy.get(name);
        return a == null ? 0 : a.sum();
    }

    /** Every answer read so far. */
    public long requests() {
        return requests.sum();
    }

    /** What went wrong: statuses other than 200 and exceptions. */
    public List<String> errors() {
        return errors;
    }

    public Map<String, LongAdder> servedBy() {
        return servedBy;
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
    }
}

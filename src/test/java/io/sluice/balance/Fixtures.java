package io.sluice.balance;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.sluice.config.HostPort;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/** Fake backend sets and seeded pick contexts for strategy tests. Not thread-safe. */
final class Fixtures {
    private Fixtures() {
    }

    /**
     * Backends named by index (port 10000 + i) with these weights, each with fresh state; like a pool's,
     * they share one {@link TrialSchedule} (their load counters are their own).
     */
    static List<Backend> backends(int... weights) {
        List<Backend> list = new ArrayList<>();
        TrialSchedule trials = new TrialSchedule();
        for (int i = 0; i < weights.length; i++) {
            BackendState state = new BackendState(new AtomicInteger(), new AtomicInteger(), "p/" + i, trials);
            list.add(new Backend(new Endpoint("p", new HostPort("127.0.0.1", 10000 + i), weights[i]), state));
        }
        return list;
    }

    static List<Backend> equal(int n) {
        int[] w = new int[n];
        java.util.Arrays.fill(w, 1);
        return backends(w);
    }

    static PickContext ctx(long seed) {
        return new PickContext(new SplittableRandom(seed));
    }

    static InetSocketAddress client(int i) {
        return new InetSocketAddress("10." + ((i >> 16) & 255) + "." + ((i >> 8) & 255) + "." + (i & 255), 40000 + i % 1000);
    }

    static HttpRequest get(String uri) {
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    }

    static Picker picker(String strategy, List<Backend> backends) {
        return Strategies.create(strategy).newPicker(null, backends);
    }

    /** Index of a backend in its list (by port). */
    static int index(Backend b) {
        return b.endpoint().address().port() - 10000;
    }

    /** Picks {@code n} times with the given context reset per pick (no client, no request); counts per index. */
    static int[] count(Picker p, PickContext ctx, int n, int size) {
        int[] counts = new int[size];
        for (int i = 0; i < n; i++) {
            counts[index(Selection.select(p, ctx.reset(null, null, 0), null))]++;
        }
        return counts;
    }

    static Map<Integer, Integer> histogram(int[] counts) {
        Map<Integer, Integer> m = new HashMap<>();
        for (int i = 0; i < counts.length; i++) {
            m.put(i, counts[i]);
        }
        return m;
    }
}

package io.sluice.balance;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * What a strategy may look at when choosing a backend for one request — the client address, the request,
 * the time — plus a source of randomness and a cursor the strategy may keep between the candidates of
 * that request. One instance per client connection, reset per request; not thread-safe: it lives on the
 * event loop that handles the request.
 */
public final class PickContext {
    private static final long[] NO_MARKS = new long[0];
    private final RandomGenerator random;
    private InetSocketAddress client;
    private HttpRequest request;
    private String sni;
    private long nowNanos;
    private long cursor;
    private long cursor2;
    private int walk;
    /** Made by {@link #clearMarks} (only consistent hashing walks with marks), shared empty until then. */
    private long[] marks = NO_MARKS;
    /** Scoring pickers' scratch, made on first use: most strategies never need it, and on HTTP/2 there is a
     *  context per stream. */
    private int[] sample;
    private double[] sampleLatency;

    /** A context drawing on the calling thread's {@link ThreadLocalRandom}. */
    public PickContext() {
        this(null);
    }

    /** A context with its own random source (seeded, for tests); null means {@link ThreadLocalRandom}. */
    public PickContext(RandomGenerator random) {
        this.random = random;
    }

    /** Resets this context for a new request. */
    public PickContext reset(InetSocketAddress client, HttpRequest request, long nowNanos) {
        this.client = client;
        this.request = request;
        this.sni = null;
        this.nowNanos = nowNanos;
        this.cursor = 0;
        this.cursor2 = 0;
        this.walk = 0;
        return this;
    }

    /**
     * The index of the next candidate {@link Selection} looks at: a retry goes on along the walk its
     * request's first pick began, instead of starting a new one (which would move a round robin on twice).
     */
    int walk() {
        return walk;
    }

    void walk(int next) {
        this.walk = next;
    }

    /** Sets the server name an L4 connection asked for (TLS or QUIC), for {@code hash_key: sni}; after reset. */
    public PickContext sni(String serverName) {
        this.sni = serverName;
        return this;
    }

    /** The server name an L4 connection asked for, or null. */
    public String sni() {
        return sni;
    }

    /** The client's address, or null when unknown. */
    public InetSocketAddress client() {
        return client;
    }

    /** The request being balanced, or null (L4, tests). */
    public HttpRequest request() {
        return request;
    }

    /** The time of the pick, in {@link System#nanoTime()} terms. */
    public long nowNanos() {
        return nowNanos;
    }

    /** Randomness for strategies; never shared between threads. */
    public RandomGenerator random() {
        return random != null ? random : ThreadLocalRandom.current();
    }

    /** Strategy-owned position, set on the first candidate and read on later ones. */
    public long cursor() {
        return cursor;
    }

    public void cursor(long value) {
        this.cursor = value;
    }

    /** A second strategy-owned value (e.g. the loser of two random choices). */
    public long cursor2() {
        return cursor2;
    }

    public void cursor2(long value) {
        this.cursor2 = value;
    }

    /** Scratch space for a scoring picker: backend indexes it looked at. */
    int[] sample() {
        int[] s = sample;
        if (s == null) {
            s = sample = new int[ScoredPicker.SCRATCH];
        }
        return s;
    }

    /** Scratch space for a scoring picker: the latency it read for each entry of {@link #sample()}. */
    double[] sampleLatency() {
        double[] s = sampleLatency;
        if (s == null) {
            s = sampleLatency = new double[ScoredPicker.SCRATCH];
        }
        return s;
    }

    /** Clears the marks for a pool of {@code n} backends (a scratch set for walks over candidates). */
    public void clearMarks(int n) {
        int words = (n + 63) >>> 6;
        if (marks.length < words) {
            marks = new long[words];
        } else {
            Arrays.fill(marks, 0, words, 0L);
        }
    }

    /** Marks backend index {@code i}; true when it was not marked before. */
    public boolean mark(int i) {
        long bit = 1L << i;
        long w = marks[i >>> 6];
        if ((w & bit) != 0) {
            return false;
        }
        marks[i >>> 6] = w | bit;
        return true;
    }

    /** True when backend index {@code i} is marked. */
    public boolean marked(int i) {
        return (marks[i >>> 6] & (1L << i)) != 0;
    }

    /**
     * The hash of this request's key. When the key is missing from the request (no such header, cookie or
     * parameter; no request at all) the client IP is hashed instead, so a client without the key still
     * sticks to one backend.
     */
    public long keyHash(HashKey key) {
        if (key.kind() == HashKey.Kind.SNI) {
            return sni != null ? Hashing.hash(sni) : Hashing.hash(client);
        }
        HttpRequest r = request;
        if (r != null) {
            switch (key.kind()) {
                case HEADER -> {
                    String v = r.headers().get(key.name());
                    if (v != null) {
                        return Hashing.hash(v);
                    }
                }
                case PATH -> {
                    String uri = r.uri();
                    int q = uri.indexOf('?');
                    return Hashing.hash(uri, 0, q < 0 ? uri.length() : q);
                }
                case QUERY -> {
                    long h = queryHash(r.uri(), key.name());
                    if (h != 0) {
                        return h;
                    }
                }
                case COOKIE -> {
                    long h = cookieHash(r, key.name());
                    if (h != 0) {
                        return h;
                    }
                }
                case CLIENT_IP -> {
                }
            }
        }
        return Hashing.hash(client);
    }

    /** Hash of the first value of parameter {@code name} in the URI's query, or 0 when absent. */
    static long queryHash(String uri, String name) {
        int q = uri.indexOf('?');
        if (q < 0) {
            return 0;
        }
        int end = uri.indexOf('#', q);
        end = end < 0 ? uri.length() : end;
        int i = q + 1;
        while (i < end) {
            int amp = uri.indexOf('&', i);
            int stop = amp < 0 || amp > end ? end : amp;
            int eq = uri.indexOf('=', i);
            int nameEnd = eq < 0 || eq > stop ? stop : eq;
            if (nameEnd - i == name.length() && uri.regionMatches(i, name, 0, name.length())) {
                int from = nameEnd == stop ? stop : nameEnd + 1;
                return from == stop ? 0 : Hashing.hash(uri, from, stop);
            }
            i = stop + 1;
        }
        return 0;
    }

    /** Hash of cookie {@code name}'s value in the Cookie headers, or 0 when absent. */
    static long cookieHash(HttpRequest r, String name) {
        for (String header : r.headers().getAll(HttpHeaderNames.COOKIE)) {
            int i = 0;
            int len = header.length();
            while (i < len) {
                while (i < len && (header.charAt(i) == ' ' || header.charAt(i) == ';')) {
                    i++;
                }
                int semi = header.indexOf(';', i);
                int stop = semi < 0 ? len : semi;
                int eq = header.indexOf('=', i);
                if (eq > 0 && eq < stop && eq - i == name.length() && header.regionMatches(i, name, 0, name.length())) {
                    int from = eq + 1;
                    int to = stop;
                    if (to - from >= 2 && header.charAt(from) == '"' && header.charAt(to - 1) == '"') {
                        from++;
                        to--;
                    }
                    return from == to ? 0 : Hashing.hash(header, from, to);
                }
                i = stop + 1;
            }
        }
        return 0;
    }
}

package io.sluice.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Many slow attackers on one thread: each connection sends an opening, then one more byte every
 * {@code interval}, never finishing what it started; it reads whatever comes back and notes when the server
 * closes it. Two kinds: slowloris (a request head that never ends) and slow body (a complete head with a
 * Content-Length, then the body a byte at a time). Connections are opened with blocking connects in the
 * constructor, then served by one selector thread until the server cuts them, {@link #close()} is called or
 * {@code limit} passes, whichever is first. Loopback only. The counters are safe to read from any thread; the
 * rest is confined to the selector thread.
 */
public final class SlowClients implements AutoCloseable {
    /** What each connection dribbles. */
    public enum Kind {
        /** A request head one header byte at a time, never the blank line. */
        SLOW_HEADERS("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ", 'a'),
        /** A complete head announcing a large body, then the body one byte at a time. */
        SLOW_BODY("POST /sha256 HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n", 'b');

        private final byte[] opening;
        private final byte drip;

        Kind(String opening, char drip) {
            this.opening = opening.getBytes(StandardCharsets.ISO_8859_1);
            this.drip = (byte) drip;
        }
    }

    /** One connection's fate, read only after the selector thread ended. */
    private static final class Conn {
        final SocketChannel ch;
        final long openedNanos;
        final StringBuilder received = new StringBuilder();
        long closedNanos = -1;

        Conn(SocketChannel ch) {
            this.ch = ch;
            this.openedNanos = System.nanoTime();
        }
    }

    private final Kind kind;
    private final Duration interval;
    private final List<Conn> conns = new ArrayList<>();
    private final Selector selector;
    private final Thread thread;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stop;
    private volatile int open;

    /**
     * Opens {@code count} connections to {@code target}, each sending its kind's opening at once, and starts
     * dribbling.
     */
    public SlowClients(InetSocketAddress target, Kind kind, int count, Duration interval, Duration limit)
            throws IOException {
        if (!target.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("loopback only: " + target);
        }
        this.kind = kind;
        this.interval = interval;
        this.selector = Selector.open();
        try {
            for (int i = 0; i < count; i++) {
                SocketChannel ch = SocketChannel.open(target);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ch.write(ByteBuffer.wrap(kind.opening));
                ch.configureBlocking(false);
                Conn c = new Conn(ch);
                ch.register(selector, SelectionKey.OP_READ, c);
                conns.add(c);
            }
        } catch (IOException e) {
            closeAll();
            throw e;
        }
        open = conns.size();
        long deadline = System.nanoTime() + limit.toNanos();
        thread = new Thread(() -> run(deadline), "slow-" + kind.name().toLowerCase());
        thread.setDaemon(true);
        thread.start();
    }

    private void run(long deadline) {
        ByteBuffer in = ByteBuffer.allocate(4096);
        ByteBuffer drip = ByteBuffer.allocate(1);
        long nextDrip = System.nanoTime() + interval.toNanos();
        try {
            while (!stop && open > 0 && System.nanoTime() < deadline) {
                long waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextDrip - System.nanoTime()));
                selector.select(Math.min(waitMillis, 100));
                for (SelectionKey key : selector.selectedKeys()) {
                    Conn c = (Conn) key.attachment();
                    if (read(c, in) < 0) {
                        closed(c, key);
                    }
                }
                selector.selectedKeys().clear();
                if (System.nanoTime() >= nextDrip) {
                    nextDrip = System.nanoTime() + interval.toNanos();
                    for (Conn c : conns) {
                        if (c.closedNanos < 0) {
                            try {
                                c.ch.write(drip.clear().put(0, kind.drip));
                            } catch (IOException e) {
                                drain(c, in); // what the server said before it closed may still be unread
                                closed(c, c.ch.keyFor(selector));
                            }
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // the counts say what happened up to here
        } finally {
            closeAll();
            finished.countDown();
        }
    }

    /** Reads what is there: the byte count, or -1 at the end of the stream or on an error. */
    private static int read(Conn c, ByteBuffer in) {
        in.clear();
        int n;
        try {
            n = c.ch.read(in);
        } catch (IOException e) {
            return -1;
        }
        if (n > 0 && c.received.length() < 256) {
            c.received.append(new String(in.array(), 0, n, StandardCharsets.ISO_8859_1));
        }
        return n;
    }

    private static void drain(Conn c, ByteBuffer in) {
        while (read(c, in) > 0) {
            // keep what arrived
        }
    }

    private void closed(Conn c, SelectionKey key) {
        if (c.closedNanos >= 0) {
            return;
        }
        c.closedNanos = System.nanoTime();
        if (key != null) {
            key.cancel();
        }
        try {
            c.ch.close();
        } catch (IOException e) {
            // closing anyway
        }
        open--;
    }

    private void closeAll() {
        for (Conn c : conns) {
            try {
                c.ch.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Connections the server has not closed yet (the selector thread's view). */
    public int open() {
        return open;
    }

    /** Stops dribbling, closes every connection still open and waits for the thread. */
    @Override
    public void close() throws InterruptedException {
        stop = true;
        selector.wakeup();
        finished.await(10, TimeUnit.SECONDS);
    }

    /** After {@link #close()}: what the closed connections got, e.g. {"408": 1000}; "none" for a silent close. */
    public Map<String, Integer> answers() {
        Map<String, Integer> m = new TreeMap<>();
        for (Conn c : conns) {
            if (c.closedNanos >= 0) {
                String r = c.received.toString();
                String key = r.isEmpty() ? "none"
                        : r.startsWith("HTTP/1.1 ") && r.length() >= 12 ? r.substring(9, 12) : "other";
                m.merge(key, 1, Integer::sum);
            }
        }
        return m;
    }

    /** After {@link #close()}: the longest time from connect to the server's close, over the closed ones. */
    public Duration longestLife() {
        long max = 0;
        for (Conn c : conns) {
            if (c.closedNanos >= 0) {
                max = Math.max(max, c.closedNanos - c.openedNanos);
            }
        }
        return Duration.ofNanos(max);
    }

    /** After {@link #close()}: the shortest time from connect to the server's close, over the closed ones. */
    public Duration shortestLife() {
        long min = Long.MAX_VALUE;
        for (Conn c : conns) {
            if (c.closedNanos >= 0) {
                min = Math.min(min, c.closedNanos - c.openedNanos);
            }
        }
        return Duration.ofNanos(min == Long.MAX_VALUE ? 0 : min);
    }

    /** After {@link #close()}: how many the server closed before the test did. */
    public int closedByServer() {
        int n = 0;
        for (Conn c : conns) {
            if (c.closedNanos >= 0) {
                n++;
            }
        }
        return n;
    }
}

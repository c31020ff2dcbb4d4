package io.sluice.observe;

import io.sluice.config.AccessLogConfig;
import io.sluice.l4.L4Record;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The access log: one line per client request, and one per L4 TCP connection or UDP session, to standard output
 * or appended to a file, in the combined or the JSON format ({@link AccessLogConfig}; the L4 forms are described
 * in {@link JsonLine} and {@link CombinedLine}). Thread-safe; {@link #log} is meant for event loops.
 *
 * <p>{@link #log} never blocks, never formats and never wakes anything up: it puts the {@link RequestLog} (or
 * {@link L4Record}) on a lock-free queue. One writer thread of the log's own drains the queue every {@value #BATCH_MILLIS} ms (or
 * at once when it is half full), formats the lines and writes them through a buffer with one flush per
 * batch, so a busy proxy pays one write call per batch rather than per request, and a line is on disk at
 * most a tenth of a second after its request ended. Logback's {@code AsyncAppender} was tried first: it
 * takes a lock, wakes its worker and writes (one system call) once per line. When the queue is full a line
 * is dropped, not waited for, and counted in {@link #dropped()}.
 */
public final class AccessLog implements AutoCloseable {
    /** Lines waiting to be written before further ones are dropped. */
    static final int QUEUE_SIZE = 65_536;
    /** How long the writer sleeps between batches. */
    static final int BATCH_MILLIS = 100;
    /** How long {@link #close()} waits for queued lines to be written. */
    private static final long CLOSE_MILLIS = 2000;

    private static final AccessLog DISABLED = new AccessLog();

    /** {@link RequestLog}s and {@link L4Entry}s, in the order they ended. */
    private final ConcurrentLinkedQueue<Object> queue;
    private final AtomicInteger queued;
    private final LongAdder dropped = new LongAdder();
    private final int capacity;
    private final OutputStream out;
    private final boolean ownsStream;
    private final AccessLogConfig.Format format;
    private final CombinedLine combined;
    private final Thread writer;
    private volatile boolean closing;

    private AccessLog() {
        this.queue = null;
        this.queued = null;
        this.capacity = 0;
        this.out = null;
        this.ownsStream = false;
        this.format = null;
        this.combined = null;
        this.writer = null;
    }

    private AccessLog(AccessLogConfig c, ZoneId zone, int capacity, OutputStream target, boolean ownsStream) {
        this.queue = new ConcurrentLinkedQueue<>();
        this.queued = new AtomicInteger();
        this.capacity = capacity;
        this.out = new BufferedOutputStream(target, 64 * 1024);
        this.ownsStream = ownsStream;
        this.format = c.format();
        this.combined = new CombinedLine(zone);
        this.writer = new Thread(this::run, "sluice-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * The access log {@code c} describes; a shared instance that does nothing when it is off.
     *
     * @throws IllegalArgumentException when the target file cannot be opened for appending
     */
    public static AccessLog create(AccessLogConfig c) {
        return create(c, ZoneId.systemDefault(), QUEUE_SIZE);
    }

    /** As {@link #create(AccessLogConfig)}, with the time zone of combined lines and the queue size given. */
    static AccessLog create(AccessLogConfig c, ZoneId zone, int queueSize) {
        Objects.requireNonNull(c, "c");
        Objects.requireNonNull(zone, "zone");
        if (!c.enabled()) {
            return DISABLED;
        }
        if (c.toStdout()) {
            return new AccessLog(c, zone, queueSize, new NonClosing(System.out), false);
        }
        Path file = Path.of(c.target());
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            return new AccessLog(c, zone, queueSize, new FileOutputStream(file.toFile(), true), true);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot open the access log file " + c.target() + ": " + e.getMessage(), e);
        }
    }

    /** True when lines are written. */
    public boolean enabled() {
        return writer != null;
    }

    /** Queues one line for {@code r}; never blocks (a full queue drops the line). Does nothing when off. */
    public void log(RequestLog r) {
        if (writer == null) {
            return;
        }
        offer(Objects.requireNonNull(r, "r"));
    }

    /**
     * Queues one line for an L4 connection or session that has just ended (its start time is now less its
     * duration); never blocks (a full queue drops the line). Does nothing when off.
     */
    public void log(L4Record r) {
        if (writer == null) {
            return;
        }
        offer(new L4Entry(System.currentTimeMillis(), Objects.requireNonNull(r, "r")));
    }

    /** An L4 record and the wall-clock time it was reported, epoch milliseconds. */
    private record L4Entry(long endMillis, L4Record record) {
        long startMillis() {
            return endMillis - record.durationNanos() / 1_000_000;
        }
    }

    private void offer(Object r) {
        int n = queued.incrementAndGet();
        if (n > capacity || closing) {
            queued.decrementAndGet();
            dropped.increment();
            return;
        }
        queue.offer(r);
        if (n == (capacity >> 1) + 1) {
            LockSupport.unpark(writer); // a burst: write now rather than at the next tick
        }
    }

    /** Lines dropped because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    private void run() {
        try {
            while (!closing) {
                drain();
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(BATCH_MILLIS));
            }
            drain();
        } finally {
            try {
                out.flush();
                if (ownsStream) {
                    out.close();
                }
            } catch (IOException e) {
                System.err.println("sluice access log: cannot close " + e);
            }
        }
    }

    private void drain() {
        Object r;
        boolean wrote = false;
        while ((r = queue.poll()) != null) {
            queued.decrementAndGet();
            String line = format(r);
            try {
                out.write(line.getBytes(StandardCharsets.UTF_8));
                out.write('\n');
                wrote = true;
            } catch (IOException e) {
                dropped.increment();
            }
        }
        if (wrote) {
            try {
                out.flush();
            } catch (IOException e) {
                System.err.println("sluice access log: cannot write: " + e);
            }
        }
    }

    private String format(Object r) {
        boolean json = format == AccessLogConfig.Format.JSON;
        if (r instanceof L4Entry e) {
            return json ? JsonLine.format(e.record(), e.startMillis()) : combined.format(e.record(), e.startMillis());
        }
        RequestLog q = (RequestLog) r;
        return json ? JsonLine.format(q) : combined.format(q);
    }

    /** Writes what is queued (waiting up to two seconds), then closes the target. Blocks; not for event loops. */
    @Override
    public void close() {
        if (writer == null || closing) {
            return;
        }
        closing = true;
        LockSupport.unpark(writer);
        try {
            writer.join(CLOSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Standard output, which the access log writes to but must not close. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(PrintStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}

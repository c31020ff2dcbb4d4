package io.sluice.observe;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.status.Status;
import io.sluice.config.AccessLogConfig;
import java.time.ZoneId;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The access log: one line per client request, to standard output or appended to a file, in the combined or
 * the JSON format ({@link AccessLogConfig}). Thread-safe; {@link #log} is meant for event loops.
 *
 * <p>{@link #log} never blocks and never formats: it hands the {@link RequestLog} itself to a Logback
 * {@code AsyncAppender}, whose one worker thread formats it ({@link AccessLogEncoder}) and writes it. The
 * record travels as the only argument of an empty message, so Logback has no placeholder to fill and does
 * not call {@code toString} on the caller's thread. When the queue is full the line is dropped, not waited
 * for, and counted in {@link #dropped()}.
 *
 * <p>Each instance has a Logback {@link LoggerContext} of its own (logger {@value #LOGGER}, additivity off):
 * the application's logging configuration neither sees these lines nor can detach the appender by being
 * reloaded, and two access logs (before and after a reload, or in tests) do not share a logger.
 */
public final class AccessLog implements AutoCloseable {
    /** The name of the logger lines go through. */
    public static final String LOGGER = "sluice.access";
    /** Lines waiting to be written before further ones are dropped. */
    static final int QUEUE_SIZE = 8192;
    /** How long {@link #close()} waits for queued lines to be written. */
    private static final int FLUSH_MILLIS = 2000;

    private static final AccessLog DISABLED = new AccessLog(null, null, null);

    private final LoggerContext context;
    private final Logger logger;
    private final DropCountingAppender async;

    private AccessLog(LoggerContext context, Logger logger, DropCountingAppender async) {
        this.context = context;
        this.logger = logger;
        this.async = async;
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
        LoggerContext ctx = new LoggerContext();
        ctx.setName("sluice-access");
        ctx.setMDCAdapter(new LogbackMDCAdapter()); // its own, empty: lines carry no MDC
        ctx.getStatusManager().add(AccessLog::reportError);
        ctx.start();

        AccessLogEncoder encoder = new AccessLogEncoder(c.format(), zone);
        encoder.setContext(ctx);
        encoder.start();

        OutputStreamAppender<ILoggingEvent> out;
        if (c.toStdout()) {
            ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
            console.setTarget("System.out");
            out = console;
        } else {
            FileAppender<ILoggingEvent> file = new FileAppender<>();
            file.setFile(c.target());
            file.setAppend(true);
            out = file;
        }
        out.setName("sluice-access-out");
        out.setContext(ctx);
        out.setEncoder(encoder);
        out.setImmediateFlush(true);
        out.start();
        if (!out.isStarted()) {
            ctx.stop();
            throw new IllegalArgumentException("cannot open the access log file " + c.target());
        }

        DropCountingAppender async = new DropCountingAppender();
        async.setName("sluice-access");
        async.setContext(ctx);
        async.setQueueSize(queueSize);
        async.setDiscardingThreshold(0); // never drop lines early because the queue is filling
        async.setNeverBlock(true);
        async.setIncludeCallerData(false);
        async.setMaxFlushTime(FLUSH_MILLIS);
        async.addAppender(out);
        async.start();

        Logger logger = ctx.getLogger(LOGGER);
        logger.setAdditive(false);
        logger.setLevel(Level.INFO);
        logger.addAppender(async);
        return new AccessLog(ctx, logger, async);
    }

    /** True when lines are written. */
    public boolean enabled() {
        return logger != null;
    }

    /** Queues one line for {@code r}; never blocks (a full queue drops the line). Does nothing when off. */
    public void log(RequestLog r) {
        if (logger != null) {
            logger.info("", Objects.requireNonNull(r, "r"));
        }
    }

    /** Lines dropped because the queue was full. */
    public long dropped() {
        return async == null ? 0 : async.dropped.sum();
    }

    /** Writes what is queued (waiting up to two seconds), then closes the target. Blocks; not for event loops. */
    @Override
    public void close() {
        if (context != null) {
            context.stop();
        }
    }

    /** Logback's own errors (a full disk, a file removed): to stderr, as nothing else would show them. */
    private static void reportError(Status s) {
        if (s.getLevel() == Status.ERROR) {
            System.err.println("sluice access log: " + s.getMessage()
                    + (s.getThrowable() == null ? "" : ": " + s.getThrowable()));
        }
    }

    /**
     * An {@code AsyncAppender} that counts what it drops. Logback's own drops a line silently when the queue
     * is full; this one looks first. With several event loops racing for the last free slot a drop can go
     * uncounted; with one caller the count is exact.
     */
    private static final class DropCountingAppender extends AsyncAppender {
        final LongAdder dropped = new LongAdder();

        @Override
        protected void append(ILoggingEvent e) {
            if (getRemainingCapacity() == 0) {
                dropped.increment();
                return;
            }
            super.append(e);
        }
    }
}

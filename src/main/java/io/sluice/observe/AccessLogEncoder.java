package io.sluice.observe;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;
import io.sluice.config.AccessLogConfig;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Objects;

/**
 * Turns an access-log event, whose only argument is a {@link RequestLog}, into one line in the configured
 * format. Runs on the async appender's worker thread, so formatting costs the event loops nothing.
 * Thread-safe (keeps no state between lines).
 */
final class AccessLogEncoder extends EncoderBase<ILoggingEvent> {
    private static final byte[] NOTHING = new byte[0];

    private final AccessLogConfig.Format format;
    private final CombinedLine combined;

    AccessLogEncoder(AccessLogConfig.Format format, ZoneId zone) {
        this.format = Objects.requireNonNull(format, "format");
        this.combined = new CombinedLine(zone);
    }

    @Override
    public byte[] headerBytes() {
        return NOTHING;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        Object[] args = event.getArgumentArray();
        if (args == null || args.length != 1 || !(args[0] instanceof RequestLog r)) {
            return NOTHING; // only AccessLog.log writes to this logger
        }
        String line = format == AccessLogConfig.Format.JSON ? JsonLine.format(r) : combined.format(r);
        return (line + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
        return NOTHING;
    }
}

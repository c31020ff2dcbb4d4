package io.sluice.observe;

import io.sluice.l4.L4Record;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Objects;

/**
 * Formats a {@link RequestLog} as a combined-format line (as Apache and nginx write it) with Sluice's fields
 * after it:
 * <pre>client - - [dd/MMM/yyyy:HH:mm:ss Z] "METHOD uri PROTOCOL" status bytes_out "referer" "user-agent"
 * duration_ms upstream upstream_ms retries route trace_id</pre>
 * A missing value is {@code -}; times are milliseconds with three decimals. In quoted fields {@code "} and
 * {@code \} are escaped with a backslash and control and non-ASCII characters written {@code \xHH}, so one
 * request is always one line.
 *
 * <p>An L4 connection or session ({@link L4Record}) gets a line of the same shape, with the transport, listener
 * and detected protocol where the request line was, how it ended where the status was, and bytes to the client
 * where the combined format has them:
 * <pre>client - - [dd/MMM/yyyy:HH:mm:ss Z] "TCP listener protocol" end bytes_out bytes_in duration_ms pool backend
 * "sni"</pre>
 * e.g. {@code 10.0.0.7 - - [05/Mar/2024:14:07:09 +0000] "TCP edge tls" client_closed 5120 17 12.345 web
 * 127.0.0.1:3001 "example.com"}. The end reason is a word, never a number, so a combined-format parser skips these
 * lines rather than misreading them. Not thread-safe: it caches the last timestamp it formatted; the access log
 * has one writer thread.
 */
final class CombinedLine {
    private final DateTimeFormatter time;
    private long cachedSecond = Long.MIN_VALUE;
    private String cachedTime;

    CombinedLine(ZoneId zone) {
        this.time = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH)
                .withZone(Objects.requireNonNull(zone, "zone"));
    }

    String format(RequestLog r) {
        StringBuilder sb = new StringBuilder(256);
        plain(sb, r.clientIp()).append(" - - [");
        stamp(sb, r.startMillis()).append("] \"");
        quoted(sb, r.method()).append(' ');
        quoted(sb, r.uri()).append(' ');
        quoted(sb, r.protocol()).append("\" ");
        if (r.status() > 0) {
            sb.append(r.status());
        } else {
            sb.append('-');
        }
        sb.append(' ').append(r.bytesOut()).append(" \"");
        quoted(sb, r.referer()).append("\" \"");
        quoted(sb, r.userAgent()).append("\" ");
        millis(sb, r.durationNanos()).append(' ');
        plain(sb, r.upstream()).append(' ');
        if (r.upstream() == null && r.upstreamNanos() == 0) {
            sb.append('-');
        } else {
            millis(sb, r.upstreamNanos());
        }
        sb.append(' ').append(r.retries()).append(' ');
        if (r.route() >= 0) {
            sb.append(r.route());
        } else {
            sb.append('-');
        }
        sb.append(' ');
        plain(sb, r.traceId());
        return sb.toString();
    }

    String format(L4Record r, long startMillis) {
        StringBuilder sb = new StringBuilder(192);
        String client = r.client() == null ? null : r.client().getAddress() == null ? r.client().getHostString()
                : r.client().getAddress().getHostAddress();
        plain(sb, client).append(" - - [");
        stamp(sb, startMillis).append("] \"");
        quoted(sb, r.transport() == null ? null : r.transport().toUpperCase(Locale.ROOT)).append(' ');
        quoted(sb, r.listener()).append(' ');
        quoted(sb, r.protocol()).append("\" ");
        plain(sb, r.end()).append(' ').append(r.bytesOut()).append(' ').append(r.bytesIn()).append(' ');
        millis(sb, r.durationNanos()).append(' ');
        plain(sb, r.pool()).append(' ');
        plain(sb, r.backend()).append(" \"");
        return quoted(sb, r.sni()).append('"').toString();
    }

    private StringBuilder stamp(StringBuilder sb, long millis) {
        long second = Math.floorDiv(millis, 1000);
        if (second != cachedSecond) {
            // Lines of one second share their timestamp: format it once (one writer thread uses this).
            cachedTime = time.format(Instant.ofEpochSecond(second));
            cachedSecond = second;
        }
        return sb.append(cachedTime);
    }

    /** Nanoseconds as milliseconds with three decimals, e.g. {@code 12.034}. */
    static StringBuilder millis(StringBuilder sb, long nanos) {
        long micros = Math.max(0, nanos) / 1000;
        long frac = micros % 1000;
        sb.append(micros / 1000).append('.');
        if (frac < 100) {
            sb.append('0');
        }
        if (frac < 10) {
            sb.append('0');
        }
        return sb.append(frac);
    }

    /** An unquoted field: {@code -} when missing or empty; anything but a plain visible character escaped. */
    private static StringBuilder plain(StringBuilder sb, String s) {
        return s == null || s.isEmpty() ? sb.append('-') : escape(sb, s, true);
    }

    /** A field inside quotes: {@code -} when missing or empty. */
    private static StringBuilder quoted(StringBuilder sb, String s) {
        return s == null || s.isEmpty() ? sb.append('-') : escape(sb, s, false);
    }

    private static StringBuilder escape(StringBuilder sb, String s, boolean spaceToo) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7f || (spaceToo && c == ' ')) {
                if (c > 0xff) {
                    sb.append("\\u").append(hex(c >> 12)).append(hex(c >> 8));
                } else {
                    sb.append("\\x");
                }
                sb.append(hex(c >> 4)).append(hex(c));
            } else {
                sb.append(c);
            }
        }
        return sb;
    }

    private static char hex(int nibble) {
        return "0123456789ABCDEF".charAt(nibble & 0xf);
    }
}

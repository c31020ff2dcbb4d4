package io.sluice.filter.compress;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What the {@code compress} filter was configured with: the codings in order of preference, the smallest body
 * worth compressing, the media types to compress ({@code text/*} matches a whole family) and a level per coding.
 * Immutable; thread-safe.
 *
 * @param algorithms codings the filter may use, preferred first; not empty
 * @param minSize    bodies with a Content-Length below this stay as they are
 * @param types      media types in lower case, e.g. {@code application/json} or {@code text/*}
 * @param levels     the level of each coding that has one configured (others use {@link Encoding#defaultLevel})
 */
public record CompressSettings(List<Encoding> algorithms, long minSize, List<String> types,
                               Map<Encoding, Integer> levels) {
    /** Brotli, zstd, then gzip. */
    public static final List<Encoding> DEFAULT_ALGORITHMS = List.of(Encoding.BR, Encoding.ZSTD, Encoding.GZIP);
    public static final long DEFAULT_MIN_SIZE = 1024;
    public static final List<String> DEFAULT_TYPES = List.of("text/*", "application/json", "application/javascript",
            "application/xml", "image/svg+xml");

    public CompressSettings {
        algorithms = List.copyOf(algorithms);
        if (algorithms.isEmpty()) {
            throw new IllegalArgumentException("no algorithms");
        }
        types = types.stream().map(t -> t.trim().toLowerCase(Locale.ROOT)).toList();
        levels = Map.copyOf(Objects.requireNonNull(levels, "levels"));
    }

    /** The defaults: br, zstd, gzip at their default levels for 1 KiB and more of text, JSON, JS, XML, SVG. */
    public static CompressSettings defaults() {
        return new CompressSettings(DEFAULT_ALGORITHMS, DEFAULT_MIN_SIZE, DEFAULT_TYPES, Map.of());
    }

    /** The level to compress with {@code e}. */
    public int level(Encoding e) {
        Integer l = levels.get(e);
        return l != null ? l : e.defaultLevel();
    }

    /** Whether a Content-Type value (parameters allowed) is one of {@link #types}. */
    public boolean compressible(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        int end = semi < 0 ? contentType.length() : semi;
        int a = 0;
        while (a < end && contentType.charAt(a) == ' ') {
            a++;
        }
        while (end > a && contentType.charAt(end - 1) == ' ') {
            end--;
        }
        int slash = contentType.indexOf('/', a);
        if (slash < 0 || slash >= end) {
            return false;
        }
        for (String t : types) {
            if (t.endsWith("/*")) {
                if (t.length() - 1 == slash - a + 1 && contentType.regionMatches(true, a, t, 0, t.length() - 1)) {
                    return true;
                }
            } else if (t.length() == end - a && contentType.regionMatches(true, a, t, 0, t.length())) {
                return true;
            }
        }
        return false;
    }
}

package io.sluice.config;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses byte sizes as written in configuration. A plain number is bytes. Units, case-insensitive:
 * {@code B}; {@code KB}, {@code MB}, {@code GB}, {@code TB} in powers of 1000; {@code KiB}, {@code MiB},
 * {@code GiB}, {@code TiB} in powers of 1024; and, as nginx does, {@code K}, {@code M}, {@code G}, {@code T}
 * in powers of 1024. Examples: {@code 512KiB}, {@code 10MiB}, {@code 10KB} (= 10000), {@code 512k},
 * {@code 1.5MiB}. Stateless; thread-safe.
 */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([A-Za-z]*)");
    private static final long KI = 1024L;
    private static final Map<String, Long> MULTIPLIERS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("b", 1L),
            Map.entry("k", KI), Map.entry("kib", KI), Map.entry("kb", 1000L),
            Map.entry("m", KI * KI), Map.entry("mib", KI * KI), Map.entry("mb", 1000L * 1000),
            Map.entry("g", KI * KI * KI), Map.entry("gib", KI * KI * KI), Map.entry("gb", 1000L * 1000 * 1000),
            Map.entry("t", KI * KI * KI * KI), Map.entry("tib", KI * KI * KI * KI),
            Map.entry("tb", 1000L * 1000 * 1000 * 1000));

    private Sizes() {
    }

    /**
     * Parses {@code text} into a number of bytes; surrounding whitespace is ignored.
     *
     * @throws IllegalArgumentException with a message that quotes the text and says how to fix it
     */
    public static long parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        if (s.startsWith("-")) {
            throw new IllegalArgumentException("size \"" + text + "\" is negative; sizes must be 0 or more");
        }
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: \"" + text + "\"; write e.g. 512KiB, 10MiB or 1048576 (bytes)");
        }
        Long multiplier = MULTIPLIERS.get(m.group(2).toLowerCase(Locale.ROOT));
        if (multiplier == null) {
            throw new IllegalArgumentException("size \"" + text + "\" has unknown unit \"" + m.group(2)
                    + "\"; use B, KiB, MiB, GiB (1024) or KB, MB, GB (1000)");
        }
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(multiplier));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("size \"" + text + "\" is too large");
        }
        if (bytes.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("size \"" + text + "\" is not a whole number of bytes");
        }
        return bytes.longValueExact();
    }
}

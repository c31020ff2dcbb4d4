package io.sluice.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Parses durations as written in configuration: a number and a unit, possibly several in a row
 * ({@code 250ms}, {@code 10s}, {@code 2m}, {@code 1h}, {@code 1m30s}, {@code 1.5s}). Units are {@code ms},
 * {@code s}, {@code m} and {@code h}. A bare number is refused, because "10" could mean seconds or
 * milliseconds. Stateless; thread-safe.
 */
public final class Durations {
    private static final String UNITS = "ms, s, m or h";
    private static final Map<String, BigDecimal> NANOS_PER_UNIT = Map.of(
            "ms", BigDecimal.valueOf(1_000_000L),
            "s", BigDecimal.valueOf(1_000_000_000L),
            "m", BigDecimal.valueOf(60_000_000_000L),
            "h", BigDecimal.valueOf(3_600_000_000_000L));
    private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

    private Durations() {
    }

    /**
     * Parses {@code text}; surrounding whitespace is ignored.
     *
     * @throws IllegalArgumentException with a message that quotes the text and says how to fix it
     */
    public static Duration parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty duration; write a number and a unit, e.g. 10s");
        }
        if (s.startsWith("-")) {
            throw new IllegalArgumentException("duration \"" + text + "\" is negative; durations must be 0 or more");
        }
        if (isPlainNumber(s)) {
            throw new IllegalArgumentException("duration \"" + text + "\" has no unit; add a unit, e.g. " + s
                    + "s (units: " + UNITS + ")");
        }
        BigDecimal nanos = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int numberStart = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            int unitStart = i;
            while (i < s.length() && Character.isLetter(s.charAt(i))) {
                i++;
            }
            String number = s.substring(numberStart, unitStart);
            String unit = s.substring(unitStart, i);
            if (number.isEmpty() || !isPlainNumber(number)) {
                throw new IllegalArgumentException("not a duration: \"" + text + "\"; write e.g. 250ms, 10s, 2m or 1m30s");
            }
            if (unit.isEmpty()) {
                throw new IllegalArgumentException("duration \"" + text + "\": " + number + " has no unit; use " + UNITS);
            }
            BigDecimal perUnit = NANOS_PER_UNIT.get(unit);
            if (perUnit == null) {
                throw new IllegalArgumentException("duration \"" + text + "\" has unknown unit \"" + unit + "\"; use "
                        + UNITS);
            }
            nanos = nanos.add(new BigDecimal(number).multiply(perUnit));
        }
        if (nanos.compareTo(MAX_NANOS) > 0) {
            throw new IllegalArgumentException("duration \"" + text + "\" is too long");
        }
        return Duration.ofNanos(nanos.longValue());
    }

    /** Digits, optionally with one decimal point between digits. */
    private static boolean isPlainNumber(String s) {
        return s.matches("\\d+(\\.\\d+)?");
    }
}

package io.sluice.config;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;

/**
 * A set of HTTP status codes written as codes and inclusive ranges, such as {@code [200-399]} or
 * {@code [500, 502-504]}. Immutable; thread-safe; {@link #contains} is one bit test.
 */
public final class StatusSet {
    /** Every 5xx status. */
    public static final StatusSet SERVER_ERRORS = parse(List.of("500-599"));
    /** 2xx and 3xx: what a health check accepts by default. */
    public static final StatusSet SUCCESS = parse(List.of("200-399"));
    /** No status at all. */
    public static final StatusSet NONE = new StatusSet(new BitSet(), List.of());

    private final BitSet codes;
    private final List<String> written;

    private StatusSet(BitSet codes, List<String> written) {
        this.codes = codes;
        this.written = List.copyOf(written);
    }

    /**
     * Parses each item as a code ({@code 503}) or a range ({@code 500-599}), every code in 100-599.
     *
     * @throws IllegalArgumentException naming the first bad item
     */
    public static StatusSet parse(List<String> items) {
        BitSet bits = new BitSet(600);
        List<String> out = new ArrayList<>();
        for (String raw : items) {
            String item = raw.strip();
            int dash = item.indexOf('-');
            int from;
            int to;
            try {
                if (dash < 0) {
                    from = Integer.parseInt(item);
                    to = from;
                } else {
                    from = Integer.parseInt(item.substring(0, dash).strip());
                    to = Integer.parseInt(item.substring(dash + 1).strip());
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a status code or range: \"" + raw
                        + "\"; write e.g. 200 or 200-399");
            }
            if (from < 100 || to > 599 || from > to) {
                throw new IllegalArgumentException("status range \"" + raw
                        + "\" must lie within 100-599, low end first");
            }
            bits.set(from, to + 1);
            out.add(from == to ? Integer.toString(from) : from + "-" + to);
        }
        return new StatusSet(bits, out);
    }

    /** A set of single codes. */
    public static StatusSet of(int... codes) {
        List<String> items = new ArrayList<>();
        for (int c : codes) {
            items.add(Integer.toString(c));
        }
        return parse(items);
    }

    public boolean contains(int status) {
        return status >= 0 && codes.get(status);
    }

    public boolean isEmpty() {
        return codes.isEmpty();
    }

    /** The items as written (normalised), e.g. {@code [200-399]}. */
    public List<String> items() {
        return written;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StatusSet s && s.codes.equals(codes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(codes);
    }

    @Override
    public String toString() {
        return written.toString();
    }
}

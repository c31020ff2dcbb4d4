package io.sluice.filter.compress;

/**
 * Picks a content coding from a request's {@code Accept-Encoding} (RFC 9110 section 12.5.3): the offered coding
 * with the highest q-value wins, ties go to the one configured first, {@code q=0} refuses a coding, and
 * {@code *} stands for every coding not named. Scans the header in place without building strings. Stateless;
 * thread-safe.
 */
final class AcceptEncoding {
    private static final int UNSET = -1;

    private AcceptEncoding() {
    }

    /**
     * The coding to use, or null when the client takes none of {@code offered} (in order of preference).
     *
     * @param header the request's Accept-Encoding values joined by commas, or null when absent
     */
    static Encoding choose(String header, Encoding[] offered) {
        if (header == null || header.isEmpty()) {
            return null;
        }
        int[] q = new int[Encoding.values().length];
        java.util.Arrays.fill(q, UNSET);
        int star = UNSET;
        int len = header.length();
        int start = 0;
        while (start < len) {
            int comma = header.indexOf(',', start);
            int end = comma < 0 ? len : comma;
            int semi = header.indexOf(';', start);
            int nameEnd = semi >= 0 && semi < end ? semi : end;
            int a = skipSpace(header, start, nameEnd);
            int b = trimEnd(header, a, nameEnd);
            if (b > a) {
                int value = nameEnd < end ? qValue(header, nameEnd + 1, end) : 1000;
                if (b - a == 1 && header.charAt(a) == '*') {
                    star = value;
                } else {
                    for (Encoding e : offered) {
                        String t = e.token();
                        if (t.length() == b - a && header.regionMatches(true, a, t, 0, t.length())) {
                            q[e.ordinal()] = value;
                        }
                    }
                }
            }
            start = end + 1;
        }
        Encoding best = null;
        int bestQ = 0;
        for (Encoding e : offered) {
            int v = q[e.ordinal()] != UNSET ? q[e.ordinal()] : star;
            if (v > bestQ) {
                best = e;
                bestQ = v;
            }
        }
        return best;
    }

    /** The q parameter among {@code ;}-separated parameters in {@code [from, to)}, in thousandths; 1000 when absent. */
    private static int qValue(String s, int from, int to) {
        int i = from;
        while (i < to) {
            int semi = s.indexOf(';', i);
            int end = semi >= 0 && semi < to ? semi : to;
            int a = skipSpace(s, i, end);
            if (end - a >= 2 && (s.charAt(a) == 'q' || s.charAt(a) == 'Q') && s.charAt(a + 1) == '=') {
                return parseQ(s, a + 2, trimEnd(s, a + 2, end));
            }
            i = end + 1;
        }
        return 1000;
    }

    /** {@code 0}, {@code 0.x..}, {@code 1}, {@code 1.000}; anything malformed counts as 0 (refused). */
    private static int parseQ(String s, int a, int b) {
        if (a >= b) {
            return 0;
        }
        char first = s.charAt(a);
        if (first != '0' && first != '1') {
            return 0;
        }
        int value = (first - '0') * 1000;
        if (a + 1 == b) {
            return value;
        }
        if (s.charAt(a + 1) != '.' || b - a > 5) {
            return 0;
        }
        int scale = 100;
        for (int i = a + 2; i < b; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return 0;
            }
            value += (c - '0') * scale;
            scale /= 10;
        }
        return Math.min(value, 1000);
    }

    private static int skipSpace(String s, int i, int end) {
        while (i < end && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static int trimEnd(String s, int start, int end) {
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return end;
    }
}

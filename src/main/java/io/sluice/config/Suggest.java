package io.sluice.config;

import java.util.Collection;
import java.util.Locale;

/**
 * Finds the likely intended word for a misspelt key or name ({@code strategu} → {@code strategy},
 * {@code path-prefix} → {@code path_prefix}). Stateless; thread-safe.
 */
final class Suggest {

    private Suggest() {
    }

    /** The candidate closest to {@code given} when it is close enough to be a typo, else null. */
    static String closest(String given, Collection<String> candidates) {
        String g = given.toLowerCase(Locale.ROOT);
        int limit = g.length() <= 3 ? 1 : g.length() <= 6 ? 2 : 3;
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            if (squash(c).equals(squash(g))) {
                return c;
            }
            int d = distance(g, c.toLowerCase(Locale.ROOT));
            if (d <= limit && d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /** " (did you mean `x`?)"-style suffix, or "" when nothing is close. */
    static String didYouMean(String given, Collection<String> candidates) {
        String c = closest(given, candidates);
        return c == null ? "" : "; did you mean `" + c + "`?";
    }

    private static String squash(String s) {
        return s.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }

    /** Levenshtein edit distance, with an adjacent swap counting as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}

package io.sluice.config;

import static io.sluice.config.Binder.index;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads HTTP status sets ({@code [200-399]}, {@code [500, 502-504]}, or one code or range alone) and the
 * "a list, or one item alone" values they share with other keys, reporting each bad item at its own node.
 * Stateless; thread-safe (all state is in the {@link Binder} passed in).
 */
final class StatusBinder {

    private StatusBinder() {
    }

    /**
     * The statuses under {@code n}; null when absent or wrong. An empty list is an error unless
     * {@code allowEmpty}.
     */
    static StatusSet statuses(Binder b, YamlNode n, String path, boolean allowEmpty) {
        List<YamlNode> items = listOrOne(b, n, path, "a list of statuses such as [200-399]");
        if (items == null) {
            return null;
        }
        List<String> codes = new ArrayList<>();
        boolean bad = false;
        for (int i = 0; i < items.size(); i++) {
            String at = itemPath(n, path, i);
            String t = b.text(items.get(i), at, "a status code or range such as 503 or 500-599");
            if (t == null) {
                bad |= !Binder.absent(items.get(i));
            } else {
                bad |= !item(b, items.get(i), at, t, codes);
            }
        }
        if (bad) {
            return null;
        }
        if (codes.isEmpty() && !allowEmpty) {
            b.error(path, n, "list at least one status, e.g. [200-399]");
            return null;
        }
        return StatusSet.parse(codes);
    }

    /**
     * Adds {@code text} to {@code codes} when it is a code or range {@link StatusSet#parse} accepts; otherwise
     * reports its message at {@code node} and returns false.
     */
    static boolean item(Binder b, YamlNode node, String path, String text, List<String> codes) {
        try {
            StatusSet.parse(List.of(text));
        } catch (IllegalArgumentException e) {
            b.error(path, node, e.getMessage());
            return false;
        }
        codes.add(text);
        return true;
    }

    /** The items of a list, or a lone scalar as a one-item list; null when absent or not a list. */
    static List<YamlNode> listOrOne(Binder b, YamlNode n, String path, String what) {
        if (n instanceof YamlNode.Scalar s && !s.isNull() && !Binder.reported(s)) {
            return List.of(n);
        }
        return b.sequence(n, path, what);
    }

    /** The path of item {@code i} of what {@link #listOrOne} returned for {@code n}. */
    static String itemPath(YamlNode n, String path, int i) {
        return n instanceof YamlNode.Sequence ? index(path, i) : path;
    }
}

package io.sluice.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds where each key and value of a TOML document is written. Jackson's TOML module parses a whole document
 * into a tree before handing out tokens, so its tokens carry no line or column (only its syntax errors do);
 * this scanner walks the text a second time and records, for every path (keys and array indexes from the
 * root), the 1-based line:column of the key and of the value.
 *
 * <p>It expects text that Jackson has already accepted, so it does not validate; on anything it does not
 * understand it stops quietly, and callers fall back to the enclosing value's place. Positions:
 * a {@code key = value} pair gives the key's and the value's first characters; a {@code [table]} or
 * {@code [[array]]} header gives its name's last key for the key and its opening bracket for the table;
 * a table made implicitly (the {@code a} of {@code [a.b]} or {@code a.b = 1}) is placed where it is first named.
 * Columns count UTF-16 chars, as {@link YamlReader}'s do. Not thread-safe; one per document.
 */
final class TomlLocations {

    /** Where a key and its value are written. */
    record Place(int keyLine, int keyColumn, int line, int column) {
    }

    /** Deeper than Jackson's nesting limit (1000): the pass stops, so that copying paths stays cheap. */
    private static final int MAX_DEPTH = 1100;

    private final String text;
    private final Map<List<Object>, Place> places = new HashMap<>();
    /** How many elements each array of tables ({@code [[x]]}) has so far, by resolved path. */
    private final Map<List<Object>, Integer> tableArrays = new HashMap<>();
    /** Tables opened by a {@code [header]} and keys given a value: defining one again is an error. */
    private final Set<List<Object>> defined = new HashSet<>();
    private Place redefinition;
    private int pos;
    private int line = 1;
    private int lineStart;

    private TomlLocations(String text) {
        this.text = text;
    }

    /** Scans {@code text}; never throws. */
    static TomlLocations scan(String text) {
        TomlLocations s = new TomlLocations(text);
        try {
            s.document();
        } catch (IllegalStateException | IndexOutOfBoundsException e) {
            // Not TOML as expected: keep what was found; the rest falls back to enclosing places.
        }
        return s;
    }

    /** Where the key or table at {@code path} (String keys, Integer indexes) is written, or null. */
    Place place(List<Object> path) {
        return places.get(path);
    }

    /**
     * The key or {@code [table]} header that defines again something defined before, which TOML forbids;
     * null when there is none. Jackson reports such an error after the line, this is the key itself.
     */
    Place redefinition() {
        return redefinition;
    }

    private void define(List<Object> path, Key k) {
        if (!defined.add(path) && redefinition == null) {
            redefinition = new Place(k.line(), k.column(), k.line(), k.column());
        }
    }

    private void document() {
        List<Object> table = List.of();
        while (true) {
            skipBlank(true);
            if (pos >= text.length()) {
                return;
            }
            char c = text.charAt(pos);
            if (c == '[') {
                table = header();
            } else {
                keyValue(table, 0);
            }
        }
    }

    /** Reads {@code [a.b]} or {@code [[a.b]]} and returns the path of the table it opens. */
    private List<Object> header() {
        int hLine = line;
        int hColumn = column();
        boolean array = text.startsWith("[[", pos);
        pos += array ? 2 : 1;
        skipBlank(false);
        List<Key> keys = keys();
        skipBlank(false);
        pos += array ? 2 : 1;
        if (keys.size() > MAX_DEPTH) {
            throw new IllegalStateException("too deep at " + pos);
        }
        List<Object> path = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            Key k = keys.get(i);
            path.add(k.name());
            boolean last = i == keys.size() - 1;
            if (last && array) {
                places.putIfAbsent(List.copyOf(path), new Place(k.line(), k.column(), k.line(), k.column()));
            } else if (last) {
                places.put(List.copyOf(path), new Place(k.line(), k.column(), hLine, hColumn));
                define(List.copyOf(path), k);
            } else {
                places.putIfAbsent(List.copyOf(path), new Place(k.line(), k.column(), k.line(), k.column()));
            }
            Integer n = tableArrays.get(path);
            if (last && array) {
                int index = n == null ? 0 : n;
                tableArrays.put(List.copyOf(path), index + 1);
                path.add(index);
                places.put(List.copyOf(path), new Place(hLine, hColumn, hLine, hColumn));
            } else if (n != null) {
                path.add(n - 1);
            }
        }
        return List.copyOf(path);
    }

    /** Reads {@code a.b = value} in {@code table}. */
    private void keyValue(List<Object> table, int depth) {
        List<Key> keys = keys();
        if (keys.isEmpty()) {
            throw new IllegalStateException("no key at " + pos);
        }
        skipBlank(false);
        if (pos >= text.length() || text.charAt(pos) != '=') {
            throw new IllegalStateException("no = at " + pos);
        }
        pos++;
        skipBlank(false);
        if (table.size() + keys.size() > MAX_DEPTH) {
            throw new IllegalStateException("too deep at " + pos);
        }
        List<Object> path = new ArrayList<>(table);
        for (int i = 0; i < keys.size() - 1; i++) {
            Key k = keys.get(i);
            path.add(k.name());
            places.putIfAbsent(List.copyOf(path), new Place(k.line(), k.column(), k.line(), k.column()));
        }
        Key k = keys.get(keys.size() - 1);
        path.add(k.name());
        define(List.copyOf(path), k);
        places.put(List.copyOf(path), new Place(k.line(), k.column(), line, column()));
        value(path, depth + 1);
    }

    /** Skips one value, recording the places of what it contains; its own place is already recorded. */
    private void value(List<Object> path, int depth) {
        if (path.size() > MAX_DEPTH || depth > MAX_DEPTH || pos >= text.length()) {
            throw new IllegalStateException("too deep or truncated");
        }
        char c = text.charAt(pos);
        if (c == '[') {
            pos++;
            int i = 0;
            while (true) {
                skipBlank(true);
                if (pos >= text.length() || text.charAt(pos) == ']') {
                    pos++;
                    return;
                }
                List<Object> item = new ArrayList<>(path);
                item.add(i++);
                places.put(List.copyOf(item), new Place(line, column(), line, column()));
                value(item, depth + 1);
                skipBlank(true);
                if (pos < text.length() && text.charAt(pos) == ',') {
                    pos++;
                }
            }
        } else if (c == '{') {
            pos++;
            while (true) {
                skipBlank(true);
                if (pos >= text.length() || text.charAt(pos) == '}') {
                    pos++;
                    return;
                }
                keyValue(path, depth);
                skipBlank(true);
                if (pos < text.length() && text.charAt(pos) == ',') {
                    pos++;
                }
            }
        } else if (c == '"' || c == '\'') {
            string();
        } else {
            // A number, boolean, date or time: up to what may follow a value (a date may hold one space).
            int start = pos;
            while (pos < text.length() && ",]}#\r\n".indexOf(text.charAt(pos)) < 0) {
                pos++;
            }
            if (pos == start) {
                // Every value moves on, so that no loop here can spin on text the parser refused.
                throw new IllegalStateException("no value at " + pos);
            }
        }
    }

    /** A dotted key: parts with their places. */
    private record Key(String name, int line, int column) {
    }

    private List<Key> keys() {
        List<Key> keys = new ArrayList<>();
        while (pos < text.length()) {
            int kLine = line;
            int kColumn = column();
            char c = text.charAt(pos);
            String name;
            if (c == '"' || c == '\'') {
                int start = pos;
                string();
                name = c == '\'' ? text.substring(start + 1, pos - 1) : unescape(text.substring(start + 1, pos - 1));
            } else {
                int start = pos;
                while (pos < text.length() && isBare(text.charAt(pos))) {
                    pos++;
                }
                name = text.substring(start, pos);
                if (name.isEmpty()) {
                    return keys;
                }
            }
            keys.add(new Key(name, kLine, kColumn));
            skipBlank(false);
            if (pos < text.length() && text.charAt(pos) == '.') {
                pos++;
                skipBlank(false);
            } else {
                return keys;
            }
        }
        return keys;
    }

    private static boolean isBare(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-';
    }

    /** Skips a string of any of the four kinds, the current char being its first quote. */
    private void string() {
        char q = text.charAt(pos);
        String triple = String.valueOf(q).repeat(3);
        if (text.startsWith(triple, pos)) {
            pos += 3;
            while (pos < text.length() && !text.startsWith(triple, pos)) {
                if (q == '"' && text.charAt(pos) == '\\') {
                    pos++;
                }
                advance();
            }
            pos += 3;
            // Up to two quotes just before the closing three belong to the string.
            for (int extra = 0; extra < 2 && pos < text.length() && text.charAt(pos) == q; extra++) {
                pos++;
            }
            return;
        }
        pos++;
        while (pos < text.length() && text.charAt(pos) != q && text.charAt(pos) != '\n') {
            if (q == '"' && text.charAt(pos) == '\\') {
                pos++;
            }
            pos++;
        }
        pos++;
    }

    /** Skips spaces, tabs and comments; newlines too when {@code newlines}. */
    private void skipBlank(boolean newlines) {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\r') {
                pos++;
            } else if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (c == '\n' && newlines) {
                advance();
            } else {
                return;
            }
        }
    }

    /** Moves past one char, counting lines. */
    private void advance() {
        if (pos < text.length() && text.charAt(pos) == '\n') {
            line++;
            lineStart = pos + 1;
        }
        pos++;
    }

    private int column() {
        return pos - lineStart + 1;
    }

    /** Decodes the escapes of a basic-string key. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                out.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'b' -> out.append('\b');
                case 't' -> out.append('\t');
                case 'n' -> out.append('\n');
                case 'f' -> out.append('\f');
                case 'r' -> out.append('\r');
                case 'e' -> out.append('\u001b');
                case 'u', 'U', 'x' -> {
                    int len = e == 'u' ? 4 : e == 'U' ? 8 : 2;
                    int end = Math.min(s.length(), i + 1 + len);
                    try {
                        out.appendCodePoint(Integer.parseInt(s.substring(i + 1, end), 16));
                    } catch (IllegalArgumentException bad) {
                        out.append('\uFFFD');
                    }
                    i = end - 1;
                }
                default -> out.append(e);
            }
        }
        return out.toString();
    }
}

package io.sluice.config;

import java.math.BigInteger;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Reads typed values out of a {@link YamlNode} tree and collects every problem as a {@link ConfigError},
 * so that binding goes on after a mistake and all of them are reported together. Each reader returns null
 * when the value is absent (or written as an empty value) and also when it is wrong, after recording the
 * error; callers substitute their default and carry on. File names are resolved against a base directory,
 * that of the configuration file. Not thread-safe; one per load.
 */
final class Binder {
    private final List<ConfigError> errors = new ArrayList<>();
    private final Path baseDir;
    /** Values skipped because their error was recorded before binding (see {@link #reported}). */
    private int skipped;

    /** A binder that resolves relative file names against {@code baseDir}. */
    Binder(Path baseDir) {
        this.baseDir = baseDir.toAbsolutePath().normalize();
    }

    /** The directory relative file names are resolved against; absolute. */
    Path baseDir() {
        return baseDir;
    }

    // ---- errors ----

    void error(String path, YamlNode at, String message) {
        errors.add(new ConfigError(path, at == null ? 0 : at.line(), at == null ? 0 : at.column(), message));
    }

    void error(String path, int line, int column, String message) {
        errors.add(new ConfigError(path, line, column, message));
    }

    void addAll(List<ConfigError> more) {
        errors.addAll(more);
    }

    /**
     * Errors recorded, plus values read and skipped because their error was recorded before binding (a bad
     * {@code ${ENV}} reference, an alias). Binders compare it before and after a part to know whether that
     * part went wrong, so it counts both: a part whose value was skipped has a null where a value belongs.
     */
    int errorCount() {
        return errors.size() + skipped;
    }

    /** The errors in file order; those without a location last. */
    List<ConfigError> errors() {
        List<ConfigError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparingInt((ConfigError e) -> e.hasLocation() ? e.line() : Integer.MAX_VALUE)
                .thenComparingInt(ConfigError::column));
        return sorted;
    }

    // ---- paths ----

    /** {@code parent.key}, or {@code parent["key"]} when the key is not a plain word. */
    static String child(String parent, String key) {
        if (!key.matches("[A-Za-z0-9_-]+")) {
            return parent + "[\"" + key.replace("\"", "\\\"") + "\"]";
        }
        return parent.isEmpty() ? key : parent + "." + key;
    }

    /** {@code parent[i]}. */
    static String index(String parent, int i) {
        return parent + "[" + i + "]";
    }

    // ---- structure ----

    /** The value under {@code key}; null when the map is null, the key absent, or the value empty. */
    static YamlNode value(YamlNode.Mapping m, String key) {
        YamlNode v = m == null ? null : m.get(key);
        return absent(v) ? null : v;
    }

    static boolean absent(YamlNode n) {
        return n == null || (n instanceof YamlNode.Scalar s && s.isNull());
    }

    /** True for a value whose error was recorded before binding; readers skip it quietly. */
    static boolean reported(YamlNode n) {
        return n instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.ERROR;
    }

    /** True when a reader has nothing to read: no value, or one already reported (counted as skipped). */
    private boolean skip(YamlNode n) {
        if (reported(n)) {
            skipped++;
            return true;
        }
        return absent(n);
    }

    /** The node as a map; an error when it is something else. */
    YamlNode.Mapping mapping(YamlNode n, String path, String what) {
        if (skip(n)) {
            return null;
        }
        if (n instanceof YamlNode.Mapping m) {
            return m;
        }
        typeError(n, path, what);
        return null;
    }

    /** The node's items; an error when it is not a list. */
    List<YamlNode> sequence(YamlNode n, String path, String what) {
        if (skip(n)) {
            return null;
        }
        if (n instanceof YamlNode.Sequence s) {
            return s.items();
        }
        typeError(n, path, what);
        return null;
    }

    /** Reports every key of {@code m} not in {@code allowed}, suggesting the nearest allowed key. */
    void allowOnly(YamlNode.Mapping m, String path, List<String> allowed) {
        if (m == null) {
            return;
        }
        for (YamlNode.Entry e : m.entries()) {
            if (!allowed.contains(e.key())) {
                error(child(path, e.key()), e.line(), e.column(), "unknown key `" + e.key() + "`"
                        + Suggest.didYouMean(e.key(), allowed) + " (allowed here: " + String.join(", ", allowed) + ")");
            }
        }
    }

    /** The value under {@code key}, reporting it missing or empty; {@code hint} says what it is for. */
    YamlNode require(YamlNode.Mapping m, String key, String path, String hint) {
        if (m == null) {
            return null;
        }
        YamlNode.Entry e = m.entry(key);
        if (e == null) {
            error(child(path, key), m, "missing required key `" + key + "` (" + hint + ")");
            return null;
        }
        if (absent(e.value())) {
            error(child(path, key), e.line(), e.column(), "`" + key + "` has no value (" + hint + ")");
            return null;
        }
        return e.value();
    }

    // ---- scalars ----

    /** The text of a scalar as written; numbers and booleans come back as their text. */
    String text(YamlNode n, String path, String what) {
        YamlNode.Scalar s = scalar(n, path, what);
        return s == null ? null : s.text();
    }

    /** A whole number in {@code [min, max]}; numeric text (e.g. from ${ENV}) is accepted too. */
    Integer integer(YamlNode n, String path, int min, int max) {
        YamlNode.Scalar s = scalar(n, path, "a number");
        if (s == null) {
            return null;
        }
        long v;
        if (s.kind() == YamlNode.Kind.INT) {
            v = s.value() instanceof BigInteger big
                    ? (big.signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE)
                    : ((Number) s.value()).longValue();
        } else if (s.kind() == YamlNode.Kind.STRING && s.text().strip().matches("-?\\d{1,18}")) {
            v = Long.parseLong(s.text().strip());
        } else if (s.kind() == YamlNode.Kind.FLOAT) {
            error(path, s, "expected a whole number, got " + s.text());
            return null;
        } else {
            typeError(s, path, "a number");
            return null;
        }
        if (v < min) {
            error(path, s, "must be at least " + min + ", got " + s.text());
            return null;
        }
        if (v > max) {
            error(path, s, "must be at most " + max + ", got " + s.text());
            return null;
        }
        return (int) v;
    }

    /** A boolean; the text "true" or "false" is accepted too. */
    Boolean bool(YamlNode n, String path) {
        YamlNode.Scalar s = scalar(n, path, "true or false");
        if (s == null) {
            return null;
        }
        if (s.kind() == YamlNode.Kind.BOOL) {
            return (Boolean) s.value();
        }
        String t = s.text().strip().toLowerCase(Locale.ROOT);
        if (s.kind() == YamlNode.Kind.STRING && (t.equals("true") || t.equals("false"))) {
            return Boolean.valueOf(t);
        }
        typeError(s, path, "true or false");
        return null;
    }

    /** A duration such as {@code 10s}; zero only when {@code allowZero}. */
    Duration duration(YamlNode n, String path, boolean allowZero) {
        YamlNode.Scalar s = scalar(n, path, "a duration such as 10s");
        if (s == null) {
            return null;
        }
        try {
            Duration d = Durations.parse(s.text());
            if (d.isZero() && !allowZero) {
                error(path, s, "must be more than 0, got " + s.text());
                return null;
            }
            return d;
        } catch (IllegalArgumentException e) {
            error(path, s, e.getMessage());
            return null;
        }
    }

    /** A byte size such as {@code 16KiB} or a number of bytes, at least {@code min}. */
    Long size(YamlNode n, String path, long min) {
        YamlNode.Scalar s = scalar(n, path, "a size such as 16KiB");
        if (s == null) {
            return null;
        }
        long bytes;
        try {
            bytes = s.kind() == YamlNode.Kind.INT && !(s.value() instanceof BigInteger) && ((Number) s.value()).longValue() >= 0
                    ? ((Number) s.value()).longValue()
                    : Sizes.parse(s.text());
        } catch (IllegalArgumentException e) {
            error(path, s, e.getMessage());
            return null;
        }
        if (bytes < min) {
            error(path, s, "must be at least " + min + " bytes, got " + s.text());
            return null;
        }
        return bytes;
    }

    /** An address {@code host:port}; port 0 only when {@code allowPortZero}. */
    HostPort address(YamlNode n, String path, boolean allowPortZero) {
        YamlNode.Scalar s = scalar(n, path, "an address host:port");
        if (s == null) {
            return null;
        }
        if (s.kind() == YamlNode.Kind.INT) {
            String hostless = path.startsWith("admin.") ? "for 127.0.0.1 (the admin's default host)"
                    : "for every local address";
            error(path, s, "expected host:port, got the number " + s.text() + "; write e.g. \"127.0.0.1:" + s.text()
                    + "\", or \":" + s.text() + "\" (quoted) " + hostless);
            return null;
        }
        try {
            HostPort hp = HostPort.parse(s.text());
            if (hp.port() == 0 && !allowPortZero) {
                error(path, s, "port 0 is not allowed here, in \"" + s.text() + "\"; give the real port");
                return null;
            }
            return hp;
        } catch (IllegalArgumentException e) {
            error(path, s, e.getMessage());
            return null;
        }
    }

    /**
     * A file name, resolved against {@link #baseDir()} when relative; only its spelling is checked here,
     * not whether the file exists.
     */
    Path file(YamlNode n, String path, String what) {
        String t = text(n, path, what);
        if (t == null) {
            return null;
        }
        if (t.isBlank()) {
            error(path, n, "expected " + what + ", got an empty name");
            return null;
        }
        try {
            return baseDir.resolve(t.strip()).normalize();
        } catch (InvalidPathException e) {
            error(path, n, "bad file name \"" + t + "\": " + e.getReason());
            return null;
        }
    }

    /** A listener or pool name: letters, digits, {@code _ - .}. */
    String name(YamlNode n, String path) {
        String t = text(n, path, "a name");
        if (t != null && !t.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            error(path, n, "bad name \"" + t + "\"; use letters, digits, `_`, `-` and `.`, starting with a letter or digit");
            return null;
        }
        return t;
    }

    // ---- helpers ----

    static <T> T or(T value, T otherwise) {
        return value != null ? value : otherwise;
    }

    /** How a node looks to a user, for "expected X, got Y" messages. */
    static String describe(YamlNode n) {
        if (n instanceof YamlNode.Mapping) {
            return "a map";
        }
        if (n instanceof YamlNode.Sequence) {
            return "a list";
        }
        YamlNode.Scalar s = (YamlNode.Scalar) n;
        switch (s.kind()) {
            case INT:
            case FLOAT:
                return "the number " + s.text();
            case BOOL:
                return "the boolean " + s.text();
            case NULL:
                return "nothing";
            case ERROR:
                return "an invalid value";
            default:
                String t = s.text().length() > 40 ? s.text().substring(0, 40) + "..." : s.text();
                return "the text \"" + t + "\"";
        }
    }

    void typeError(YamlNode n, String path, String what) {
        error(path, n, "expected " + what + ", got " + describe(n));
    }

    private YamlNode.Scalar scalar(YamlNode n, String path, String what) {
        if (skip(n)) {
            return null;
        }
        if (n instanceof YamlNode.Scalar s) {
            return s;
        }
        typeError(n, path, what);
        return null;
    }
}

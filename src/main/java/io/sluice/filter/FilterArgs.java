package io.sluice.filter;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A filter's arguments as written in the configuration, with readers that report mistakes at their line and
 * column. A reader returns null when its key is absent and also when the value is wrong (after reporting it),
 * so that a factory can go on and report every mistake at once. Not thread-safe; valid during
 * {@link FilterFactory#configure} only.
 */
public interface FilterArgs {
    /** Where these arguments are, as a path in the file (e.g. {@code listeners[0].routes[1].filters[0].rate_limit}). */
    String path();

    /** True when no value was given ({@code - compress}, or {@code compress: }). */
    boolean isEmpty();

    /** True when the value is a map of keys. */
    boolean isMap();

    /** True when the value is a list. */
    boolean isList();

    /** The value itself as text (a scalar), or null after an error when it is not one. */
    String text();

    /** The items of a list value, or null after an error when it is not one. */
    List<FilterArgs> items();

    /** The keys of a map value, in file order; empty when it is not a map. */
    Set<String> keys();

    /** The value under {@code key} of a map, or null when absent. */
    FilterArgs get(String key);

    /** Reports every key not in {@code allowed}, with a suggestion when one is close. */
    void allowOnly(String... allowed);

    /** Reports that {@code key} is missing, with a hint; returns false then. */
    boolean require(String key, String hint);

    /** Text under {@code key}. */
    String text(String key);

    /** Whole number under {@code key}, within {@code [min, max]}. */
    Long integer(String key, long min, long max);

    /** Number under {@code key} (e.g. 100 or 0.5), within {@code [min, max]}. */
    Double number(String key, double min, double max);

    /** {@code true} or {@code false} under {@code key}. */
    Boolean bool(String key);

    /** A duration under {@code key} ({@code 500ms}, {@code 10s}, {@code 1h}), more than zero. */
    Duration duration(String key);

    /** A size under {@code key} ({@code 512}, {@code 1KiB}, {@code 10MB}), at least {@code min} bytes. */
    Long size(String key, long min);

    /** A file under {@code key} that exists, relative to the configuration file's directory. */
    Path file(String key);

    /** Texts under {@code key}: a list, or one text taken as a list of one. Empty when absent. */
    List<String> texts(String key);

    /** A map of text to text under {@code key}. Empty when absent. */
    Map<String, String> textMap(String key);

    /** Reports a mistake at this value. */
    void error(String message);

    /** Reports a mistake at the value under {@code key} (at the map when the key is absent). */
    void error(String key, String message);

    /** Mistakes reported so far in the whole file: compare before and after to know whether yours went wrong. */
    int errorCount();
}

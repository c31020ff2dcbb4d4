package io.sluice.config;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The shape of a configuration value, as a binder reads it: the vocabulary {@link Section} keys are typed in and
 * {@link JsonSchemaWriter} turns into JSON Schema. A type describes the spellings the documentation uses; the
 * binder is a little more lenient in places (a number written as quoted text, a country code in lower case)
 * and makes checks a schema cannot (keys that exclude each other, files that must exist, pools that routes
 * name), so {@code sluice validate} keeps the last word. Immutable; thread-safe.
 */
sealed interface SchemaType {

    /** Scalars the binder reads with one of its readers. */
    enum Kind {
        /** Text ({@code Binder.text} of a string). */
        STRING,
        /** Any scalar read as text: a header value may be written {@code 1} as well as {@code "1"}. */
        TEXT,
        /** {@code true} or {@code false}. */
        BOOLEAN,
        /** A duration with a unit: {@code 250ms}, {@code 10s}, {@code 1m30s}. */
        DURATION,
        /** A byte size: a number of bytes or {@code 16KiB}, {@code 10MiB}. */
        SIZE,
        /** {@code host:port}, {@code [v6]:port} or {@code :port}. */
        ADDRESS,
        /** A listener or pool name: letters, digits, {@code _ - .}. */
        NAME,
        /** A file name, relative to the configuration file's directory. */
        FILE,
        /** An HTTP status or range: {@code 503}, {@code "500-599"}. */
        STATUS
    }

    /** One of {@link Kind}. */
    record Scalar(Kind kind) implements SchemaType {
        public Scalar {
            Objects.requireNonNull(kind, "kind");
        }
    }

    /** A whole number in {@code [min, max]} (the bounds the binder checks). */
    record Whole(long min, long max) implements SchemaType {
    }

    /** A number, whole or decimal, in {@code [min, max]}. */
    record Decimal(double min, double max) implements SchemaType {
    }

    /**
     * One of a fixed set of words, read when the schema is written, so that a list the binder checks against
     * (strategy names, detector protocols) is the list the schema offers.
     */
    record Words(Supplier<? extends Collection<?>> values) implements SchemaType {
        public Words {
            Objects.requireNonNull(values, "values");
        }
    }

    /**
     * One of a set of words in any case and with or without {@code _}, {@code -} or spaces between letters
     * ({@code RoundRobin} for {@code round_robin}), plus other spellings ({@code aliases}, same rule): offered as
     * {@code canonical} for completion, accepted in every spelling the binder accepts.
     */
    record Spellings(Supplier<? extends Collection<String>> canonical, Supplier<? extends Collection<String>> aliases)
            implements SchemaType {
        public Spellings {
            Objects.requireNonNull(canonical, "canonical");
            Objects.requireNonNull(aliases, "aliases");
        }
    }

    /** A list of {@code item}; with {@code orOne}, a single item alone is accepted too. */
    record ListOf(SchemaType item, boolean orOne) implements SchemaType {
        public ListOf {
            Objects.requireNonNull(item, "item");
        }
    }

    /** A map of free keys (matching {@code keyPattern} when not null) to {@code value}. */
    record MapOf(SchemaType value, String keyPattern) implements SchemaType {
        public MapOf {
            Objects.requireNonNull(value, "value");
        }
    }

    /** A map with the keys of {@code section}. */
    record Ref(Section section) implements SchemaType {
        public Ref {
            Objects.requireNonNull(section, "section");
        }
    }

    /** Any of several shapes, e.g. {@code false} or a map. */
    record OneOf(List<SchemaType> options) implements SchemaType {
        public OneOf {
            options = List.copyOf(options);
        }
    }

    /**
     * A map whose keys depend on the text under {@code key}: {@code cases} by value, {@code otherwise} when the key
     * is absent or has another value (a listener's {@code protocol}).
     */
    record Switch(String key, Map<String, Section> cases, Section otherwise) implements SchemaType {
        public Switch {
            Objects.requireNonNull(key, "key");
            cases = Map.copyOf(cases);
            Objects.requireNonNull(otherwise, "otherwise");
        }
    }

    /**
     * A filter: a name, or a map of one name to its settings. Filters are open-ended (a library user may register
     * more), so their names are offered, not enforced.
     */
    record Filter() implements SchemaType {
    }

    /** A filter's settings, read by the filter itself: a map, or nothing. */
    record Settings() implements SchemaType {
    }

    // ---- factories, for readable section declarations ----

    static SchemaType string() {
        return new Scalar(Kind.STRING);
    }

    static SchemaType text() {
        return new Scalar(Kind.TEXT);
    }

    static SchemaType bool() {
        return new Scalar(Kind.BOOLEAN);
    }

    static SchemaType duration() {
        return new Scalar(Kind.DURATION);
    }

    static SchemaType size() {
        return new Scalar(Kind.SIZE);
    }

    static SchemaType address() {
        return new Scalar(Kind.ADDRESS);
    }

    static SchemaType name() {
        return new Scalar(Kind.NAME);
    }

    static SchemaType file() {
        return new Scalar(Kind.FILE);
    }

    static SchemaType status() {
        return new Scalar(Kind.STATUS);
    }

    /** A list of statuses and ranges, or one alone. */
    static SchemaType statuses() {
        return new ListOf(status(), true);
    }

    static SchemaType integer(long min, long max) {
        return new Whole(min, max);
    }

    static SchemaType number(double min, double max) {
        return new Decimal(min, max);
    }

    static SchemaType oneOf(Collection<?> values) {
        List<?> copy = List.copyOf(values);
        return new Words(() -> copy);
    }

    static SchemaType oneOf(Supplier<? extends Collection<?>> values) {
        return new Words(values);
    }

    static SchemaType list(SchemaType item) {
        return new ListOf(item, false);
    }

    static SchemaType listOrOne(SchemaType item) {
        return new ListOf(item, true);
    }

    static SchemaType map(SchemaType value) {
        return new MapOf(value, null);
    }

    static SchemaType ref(Section section) {
        return new Ref(section);
    }

    static SchemaType anyOf(SchemaType... options) {
        return new OneOf(List.of(options));
    }

    /** {@code true}, {@code false} or the section's map: the blocks that can be switched off. */
    static SchemaType flagOr(Section section) {
        return new OneOf(List.of(bool(), new Ref(section)));
    }

    static SchemaType filter() {
        return new Filter();
    }

    static SchemaType settings() {
        return new Settings();
    }
}

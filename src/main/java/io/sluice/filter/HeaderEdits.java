package io.sluice.filter;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What {@code request_headers} and {@code response_headers} do to a head: remove names, then set (replace)
 * and then add values made from {@link HeaderTemplate}s. The settings value of {@link HeadersFilterFactory};
 * also applies itself. Immutable; thread-safe.
 *
 * @param remove names to remove
 * @param set    names to set, with their values
 * @param add    names to add a value to (after any already there)
 */
public record HeaderEdits(List<String> remove, List<Entry> set, List<Entry> add) {
    /** One header and its value template. */
    public record Entry(String name, HeaderTemplate value) {
        public Entry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    public HeaderEdits {
        remove = List.copyOf(remove);
        set = List.copyOf(set);
        add = List.copyOf(add);
    }

    /**
     * Reads {@code { set: {Name: value}, add: {Name: value}, remove: [Name] }}, reporting bad names, unknown
     * placeholders and unclosed braces at their line and column; null after a mistake.
     */
    static HeaderEdits read(FilterArgs args) {
        int before = args.errorCount();
        if (!args.isMap()) {
            args.error("expected a map with set, add and/or remove, e.g. { set: { X-Env: prod }, remove: [ X-Debug ] }");
            return null;
        }
        args.allowOnly("set", "add", "remove");
        List<String> remove = new ArrayList<>();
        FilterArgs r = args.get("remove");
        if (r != null) {
            List<FilterArgs> items = r.isList() ? r.items() : List.of(r);
            for (FilterArgs item : items == null ? List.<FilterArgs>of() : items) {
                String name = item.text();
                if (name != null && checkName(item, name)) {
                    remove.add(name);
                }
            }
        }
        List<Entry> set = entries(args, "set");
        List<Entry> add = entries(args, "add");
        if (remove.isEmpty() && set.isEmpty() && add.isEmpty() && args.errorCount() == before) {
            args.error("nothing to do: give set, add or remove");
        }
        return args.errorCount() == before ? new HeaderEdits(remove, set, add) : null;
    }

    private static List<Entry> entries(FilterArgs args, String key) {
        FilterArgs m = args.get(key);
        List<Entry> out = new ArrayList<>();
        if (m == null) {
            return out;
        }
        if (!m.isMap()) {
            m.error("expected a map of header names to values, e.g. { X-Env: prod }");
            return out;
        }
        for (String name : m.keys()) {
            FilterArgs v = m.get(name);
            if (!checkName(v, name)) {
                continue;
            }
            String text = v.isEmpty() ? "" : v.text();
            if (text == null) {
                continue;
            }
            try {
                out.add(new Entry(name, HeaderTemplate.parse(text)));
            } catch (IllegalArgumentException e) {
                v.error(e.getMessage());
            }
        }
        return out;
    }

    /** Whether {@code name} is an HTTP token (RFC 9110 tchar); reports it at {@code at} when not. */
    static boolean checkName(FilterArgs at, String name) {
        if (!isToken(name)) {
            at.error("`" + name + "` is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)");
            return false;
        }
        return true;
    }

    static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The edits compiled for the hot path: names as {@link AsciiString}s, templates as parsed. */
    Compiled compile() {
        return new Compiled(this);
    }

    /** {@link HeaderEdits} ready to apply many times. Immutable; thread-safe. */
    static final class Compiled {
        private final AsciiString[] remove;
        private final AsciiString[] setNames;
        private final HeaderTemplate[] setValues;
        private final AsciiString[] addNames;
        private final HeaderTemplate[] addValues;

        private Compiled(HeaderEdits e) {
            remove = e.remove.stream().map(AsciiString::cached).toArray(AsciiString[]::new);
            setNames = e.set.stream().map(x -> AsciiString.cached(x.name())).toArray(AsciiString[]::new);
            setValues = e.set.stream().map(Entry::value).toArray(HeaderTemplate[]::new);
            addNames = e.add.stream().map(x -> AsciiString.cached(x.name())).toArray(AsciiString[]::new);
            addValues = e.add.stream().map(Entry::value).toArray(HeaderTemplate[]::new);
        }

        /** Removes, then sets, then adds, on {@code h}, filling templates in for {@code ctx}. */
        void apply(HttpHeaders h, FilterContext ctx) {
            for (AsciiString name : remove) {
                h.remove(name);
            }
            for (int i = 0; i < setNames.length; i++) {
                h.set(setNames[i], setValues[i].render(ctx));
            }
            for (int i = 0; i < addNames.length; i++) {
                h.add(addNames[i], addValues[i].render(ctx));
            }
        }
    }
}

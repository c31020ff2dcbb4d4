package io.sluice.filter.compress;

import io.netty.handler.codec.compression.Brotli;
import io.sluice.filter.Filter;
import io.sluice.filter.FilterArgs;
import io.sluice.filter.FilterEnv;
import io.sluice.filter.FilterFactory;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in {@code compress} filter: compresses responses with brotli, zstd, gzip or deflate as the client's
 * {@code Accept-Encoding} allows. Arguments (all optional):
 * <pre>
 * - compress:
 *     algorithms: [br, zstd, gzip]     # preferred first; also deflate
 *     min_size: 1KiB
 *     types: [text/*, application/json, application/javascript, application/xml, image/svg+xml]
 *     level: { br: 4, zstd: 3, gzip: 6 }
 * </pre>
 * Stateless; thread-safe.
 */
public final class CompressFactory implements FilterFactory {
    private static final Logger LOG = LoggerFactory.getLogger(CompressFactory.class);

    @Override
    public String name() {
        return "compress";
    }

    @Override
    public Object configure(FilterArgs args) {
        if (args.isEmpty()) {
            return CompressSettings.defaults();
        }
        if (!args.isMap()) {
            args.error("expected a map of settings (algorithms, min_size, types, level), or nothing for the defaults");
            return null;
        }
        int before = args.errorCount();
        args.allowOnly("algorithms", "min_size", "types", "level");
        List<Encoding> algorithms = algorithms(args.get("algorithms"));
        Long minSize = args.size("min_size", 0);
        List<String> types = args.get("types") == null ? CompressSettings.DEFAULT_TYPES : types(args);
        Map<Encoding, Integer> levels = levels(args.get("level"));
        if (args.errorCount() != before) {
            return null;
        }
        return new CompressSettings(algorithms, minSize == null ? CompressSettings.DEFAULT_MIN_SIZE : minSize, types,
                levels);
    }

    private static List<Encoding> algorithms(FilterArgs value) {
        if (value == null) {
            return CompressSettings.DEFAULT_ALGORITHMS;
        }
        List<FilterArgs> items = value.isList() ? value.items() : List.of(value);
        List<Encoding> out = new ArrayList<>();
        if (items == null) {
            return out;
        }
        for (FilterArgs item : items) {
            String name = item.text();
            if (name == null) {
                continue;
            }
            Encoding e = Encoding.of(name);
            if (e == null) {
                item.error("unknown compression algorithm `" + name + "`; known: br, zstd, gzip, deflate");
            } else if (out.contains(e)) {
                item.error("`" + name + "` is listed twice");
            } else {
                out.add(e);
            }
        }
        if (items.isEmpty()) {
            value.error("list at least one algorithm: br, zstd, gzip, deflate");
        }
        return out;
    }

    private static List<String> types(FilterArgs args) {
        List<String> types = args.texts("types");
        for (String t : types) {
            int slash = t.indexOf('/');
            if (slash <= 0 || slash == t.trim().length() - 1 || t.indexOf(';') >= 0
                    || (t.contains("*") && !t.trim().endsWith("/*"))) {
                args.error("types", "`" + t + "` is not a media type such as application/json or text/*");
            }
        }
        if (types.isEmpty()) {
            args.error("types", "list at least one media type, e.g. text/*");
        }
        return types;
    }

    private static Map<Encoding, Integer> levels(FilterArgs level) {
        Map<Encoding, Integer> out = new EnumMap<>(Encoding.class);
        if (level == null) {
            return out;
        }
        if (!level.isMap()) {
            level.error("expected a map of algorithm to level, e.g. { gzip: 6, br: 4 }");
            return out;
        }
        for (String key : level.keys()) {
            Encoding e = Encoding.of(key);
            if (e == null) {
                level.error(key, "unknown compression algorithm `" + key + "`; known: br, zstd, gzip, deflate");
                continue;
            }
            Long n = level.integer(key, e.minLevel(), e.maxLevel());
            if (n != null) {
                out.put(e, n.intValue());
            }
        }
        return out;
    }

    @Override
    public Filter create(Object settings, FilterEnv env) {
        CompressSettings s = (CompressSettings) settings;
        List<Encoding> use = new ArrayList<>(s.algorithms());
        if (use.contains(Encoding.BR) && !brotliAvailable()) {
            LOG.warn("compress on listener {} route {}: brotli is not available on this platform; using {} only",
                    env.listener(), env.route(), use.stream().filter(e -> e != Encoding.BR).map(Encoding::token)
                            .toList());
            use.remove(Encoding.BR);
        }
        return new CompressFilter(s, use.toArray(Encoding[]::new), env);
    }

    private static boolean brotliAvailable() {
        try {
            Brotli.ensureAvailability();
            return Brotli.isAvailable();
        } catch (Throwable t) {
            return false;
        }
    }
}

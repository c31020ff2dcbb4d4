package io.sluice.l4.detect;

import io.sluice.l4.Detector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The built-in detectors, by name, and the way to add a library user's own: those listed in
 * {@code META-INF/services/io.sluice.l4.Detector}. The built-ins come in the order a listener that tries
 * several should try them: the PROXY header first (it comes before anything else), then the stream protocols
 * with the surest signatures, then the datagram ones (QUIC and STUN, whose signatures are strong, before DNS).
 * Stateless; thread-safe.
 */
public final class Detectors {
    private static final List<Detector> BUILT_IN = List.of(
            new ProxyProtocolDetector(),
            new TlsDetector(),
            new H2cDetector(),
            new HttpDetector(),
            new SshDetector(),
            new PostgresDetector(),
            new MqttDetector(),
            new RedisDetector(),
            new QuicDetector(),
            new StunDetector(),
            new DnsDetector());
    private static final List<String> NAMES = BUILT_IN.stream().map(Detector::protocol).toList();
    /** The name of {@link PrefixDetector}, which routes make for themselves: no loaded detector may take it. */
    private static final String PREFIX = "prefix";

    private Detectors() {
    }

    /** The built-in detectors, in the order above; an immutable list. */
    public static List<Detector> builtIn() {
        return BUILT_IN;
    }

    /** The built-in detector of that name (exactly as {@link #names()} spells it), if there is one. */
    public static Optional<Detector> byName(String name) {
        Objects.requireNonNull(name, "name");
        return BUILT_IN.stream().filter(d -> d.protocol().equals(name)).findFirst();
    }

    /** The built-in detectors' names, in order: an immutable list. */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * The built-in detectors, then those that {@link ServiceLoader} finds through {@code loader}, in the order
     * it finds them; an immutable list.
     *
     * @throws IllegalStateException when a found detector has no name, takes a name already taken (a
     *     built-in's, "prefix", or another found one's), or cannot be loaded
     */
    public static List<Detector> load(ClassLoader loader) {
        Map<String, Detector> byName = new LinkedHashMap<>();
        for (Detector d : BUILT_IN) {
            byName.put(d.protocol(), d);
        }
        try {
            for (Detector d : ServiceLoader.load(Detector.class, loader)) {
                add(byName, d);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("could not load a detector listed in META-INF/services/"
                    + Detector.class.getName() + ": " + e.getMessage(), e);
        }
        return List.copyOf(byName.values());
    }

    private static void add(Map<String, Detector> byName, Detector d) {
        String name = d.protocol();
        String what = "detector " + d.getClass().getName();
        if (name == null || name.isBlank()) {
            throw new IllegalStateException(what + " has no protocol name");
        }
        if (name.equals(PREFIX)) {
            throw new IllegalStateException(what + " is named \"prefix\", which routes use for their own byte"
                    + " prefixes; give it another name");
        }
        Detector before = byName.putIfAbsent(name, d);
        if (before != null) {
            String whose = BUILT_IN.contains(before) ? "the built-in " : "";
            throw new IllegalStateException(what + " is named \"" + name + "\", as " + whose + "detector "
                    + before.getClass().getName() + " is; give it another name");
        }
    }
}

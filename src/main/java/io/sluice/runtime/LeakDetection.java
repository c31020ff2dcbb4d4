package io.sluice.runtime;

import io.netty.util.ResourceLeakDetector;
import java.util.Locale;

/**
 * Netty's buffer leak detector for the {@code sluice} command. Netty samples one buffer in 128 by default, which
 * costs about a microsecond of CPU per proxied request here; a proxy in production turns it off and a test or a
 * user chasing a leak turns it on. The command runs with it off unless {@code $SLUICE_LEAK_DETECTION} ({@code
 * disabled}, {@code simple}, {@code advanced} or {@code paranoid}) or Netty's own {@code
 * -Dio.netty.leakDetection.level} asks for a level; the variable wins. The library API leaves Netty's setting
 * alone. Stateless; thread-safe.
 */
public final class LeakDetection {
    /** The environment variable that sets the level. */
    public static final String ENV = "SLUICE_LEAK_DETECTION";

    private LeakDetection() {
    }

    /**
     * The level for the command: {@code env} (the variable) when set, Netty's property when set, otherwise off.
     *
     * @throws IllegalArgumentException when {@code env} names no level
     */
    public static ResourceLeakDetector.Level choose(String env, String property) {
        if (env != null && !env.isBlank()) {
            String v = env.trim().toUpperCase(Locale.ROOT);
            if (v.equals("OFF") || v.equals("FALSE") || v.equals("0")) {
                return ResourceLeakDetector.Level.DISABLED;
            }
            if (v.equals("ON") || v.equals("TRUE") || v.equals("1")) {
                return ResourceLeakDetector.Level.SIMPLE;
            }
            for (ResourceLeakDetector.Level l : ResourceLeakDetector.Level.values()) {
                if (l.name().equals(v)) {
                    return l;
                }
            }
            throw new IllegalArgumentException(ENV + "=" + env + " is not a level; expected disabled, simple,"
                    + " advanced or paranoid");
        }
        if (property != null) {
            return ResourceLeakDetector.getLevel(); // Netty read its own property
        }
        return ResourceLeakDetector.Level.DISABLED;
    }

    /** Sets the command's level from the variable and the properties of this process. */
    public static void applyForCommand() {
        String property = System.getProperty("io.netty.leakDetection.level",
                System.getProperty("io.netty.leakDetectionLevel"));
        ResourceLeakDetector.setLevel(choose(System.getenv(ENV), property));
    }

    /** The level now in force, in lower case, for the startup line. */
    public static String describe() {
        ResourceLeakDetector.Level l = ResourceLeakDetector.getLevel();
        return l == ResourceLeakDetector.Level.DISABLED ? "off" : l.name().toLowerCase(Locale.ROOT);
    }
}

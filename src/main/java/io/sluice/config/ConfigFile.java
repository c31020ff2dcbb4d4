package io.sluice.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A configuration file that a running proxy reloads from: each {@link #load()} reads it once, and gives both
 * the validated {@link Config} and the text it came from (for {@code GET /api/config} and its hash). Also
 * names the files a change of which should trigger a reload (the file itself and its certificates and keys).
 * Stateless apart from the path; thread-safe. Loading blocks on file I/O.
 */
public final class ConfigFile {
    private final Path path;
    private final ConfigFormat format;

    /** What one read of the file gave. */
    public record Loaded(Config config, String text) {
        public Loaded {
            Objects.requireNonNull(config, "config");
            Objects.requireNonNull(text, "text");
        }
    }

    /** A file read as its name says: {@code *.toml} as TOML, anything else as YAML. */
    public ConfigFile(Path path) {
        this(path, null);
    }

    /** A file read as {@code format}; null chooses by the file's name. */
    public ConfigFile(Path path, ConfigFormat format) {
        this.path = Objects.requireNonNull(path, "path");
        this.format = format != null ? format : ConfigFormat.of(path);
    }

    /** How the file is read. */
    public ConfigFormat format() {
        return format;
    }

    public Path path() {
        return path;
    }

    /**
     * Reads and validates the file.
     *
     * @throws ConfigException when it cannot be read or has errors (each with its line:column)
     */
    public Loaded load() throws ConfigException {
        String text;
        try {
            text = Files.readString(path);
        } catch (IOException e) {
            throw new ConfigException(path.toString(), List.of(new ConfigError("", 0, 0, "cannot read " + path
                    + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()))));
        }
        Path dir = path.toAbsolutePath().getParent();
        Config config = ConfigLoader.parse(text, path.toString(), System::getenv, dir == null ? Path.of("") : dir,
                format);
        return new Loaded(config, text);
    }

    /**
     * A digest (SHA-256, hex) of these files' names and content, to tell when any of them changed: the file
     * watch compares it between saves, a listener between the certificates it was built from and the files now.
     * A file that cannot be read adds its error instead, so that becoming unreadable is a change too. Reads the
     * files: call off the event loops.
     */
    public static String digest(List<Path> files) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        for (Path file : files) {
            sha.update(file.toString().getBytes(StandardCharsets.UTF_8));
            try {
                sha.update(Files.readAllBytes(file));
            } catch (IOException e) {
                sha.update(("unreadable " + e).getBytes(StandardCharsets.UTF_8));
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * The files whose change should reload {@code config}: this file, and its listeners' certificates, keys and
     * client CA bundles.
     */
    public List<Path> watched(Config config) {
        Set<Path> files = new LinkedHashSet<>();
        files.add(path.toAbsolutePath());
        for (ListenerConfig lc : config.listeners()) {
            if (lc.tls() != null) {
                lc.tls().files().forEach(f -> files.add(f.toAbsolutePath()));
            }
        }
        return new ArrayList<>(files);
    }
}

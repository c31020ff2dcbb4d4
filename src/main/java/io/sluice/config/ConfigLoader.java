package io.sluice.config;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Loads a YAML or TOML configuration file into a validated {@link Config}: read the text with locations, replace
 * {@code ${ENV}} references, bind into records with defaults, and check the whole file. Every problem is
 * collected, with its YAML path and line:column, and thrown together as one {@link ConfigException}. TOML
 * ({@link ConfigFormat#TOML}) has the same keys; it is read into the same tree, so everything after reading is
 * shared.
 *
 * <p>Two forms are accepted: the full form ({@code listeners}, {@code pools}) and a short single-pool form
 * ({@code listen}, {@code backends}, ...) that becomes one listener and one pool named {@code default}. Both
 * may add {@code admin}, {@code limits}, {@code headers} and {@code workers}.
 *
 * <p>Stateless; thread-safe. Loading blocks on file I/O, so do it off the event loop.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /**
     * Reads and parses a UTF-8 file, taking {@code ${NAME}} values from the process environment; relative
     * file names in it are resolved against the directory the file is in. A name ending in {@code .toml} is
     * read as TOML, any other as YAML ({@link ConfigFormat#of}).
     *
     * @throws ConfigException when the file cannot be read or has any error
     */
    public static Config load(Path file) throws ConfigException {
        Objects.requireNonNull(file, "file");
        return load(file, ConfigFormat.of(file));
    }

    /**
     * As {@link #load(Path)}, reading the file as {@code format} whatever its name.
     *
     * @throws ConfigException when the file cannot be read or has any error
     */
    public static Config load(Path file, ConfigFormat format) throws ConfigException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(format, "format");
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of(new ConfigError("", 0, 0, "cannot read " + file
                    + ": " + readProblem(e))));
        }
        Path dir = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), System::getenv, dir == null ? Path.of("") : dir, format);
    }

    /**
     * Parses YAML text; relative file names in it (certificates, keys, CA bundles) are resolved against the
     * current directory.
     *
     * @param yaml       the configuration text
     * @param sourceName where it came from (a file name), used in {@link ConfigException#getMessage()}; may be null
     * @param env        looks up environment variables for {@code ${NAME}}; returns null for unset ones
     * @throws ConfigException listing every error found
     */
    public static Config parse(String yaml, String sourceName, Function<String, String> env) throws ConfigException {
        return parse(yaml, sourceName, env, Path.of(""));
    }

    /**
     * Parses YAML text, resolving relative file names in it against {@code baseDir}.
     *
     * @param yaml       the configuration text
     * @param sourceName where it came from (a file name), used in {@link ConfigException#getMessage()}; may be null
     * @param env        looks up environment variables for {@code ${NAME}}; returns null for unset ones
     * @param baseDir    the directory relative file names are resolved against, normally the config file's
     * @throws ConfigException listing every error found
     */
    public static Config parse(String yaml, String sourceName, Function<String, String> env, Path baseDir)
            throws ConfigException {
        return parse(yaml, sourceName, env, baseDir, ConfigFormat.YAML);
    }

    /**
     * Parses text in {@code format}, resolving relative file names in it against {@code baseDir}.
     *
     * @param text       the configuration text
     * @param sourceName where it came from (a file name), used in {@link ConfigException#getMessage()}; may be null
     * @param env        looks up environment variables for {@code ${NAME}}; returns null for unset ones
     * @param baseDir    the directory relative file names are resolved against, normally the config file's
     * @param format     the language {@code text} is written in
     * @throws ConfigException listing every error found
     */
    public static Config parse(String text, String sourceName, Function<String, String> env, Path baseDir,
                               ConfigFormat format) throws ConfigException {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(baseDir, "baseDir");
        Objects.requireNonNull(format, "format");
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        YamlReader.Result read = format == ConfigFormat.TOML ? TomlReader.read(body) : YamlReader.read(body);
        Binder binder = new Binder(baseDir);
        binder.addAll(read.errors());
        boolean unreadable = read.root() == null && !read.errors().isEmpty();
        Config config = null;
        if (!unreadable) {
            YamlNode root = read.root() == null ? null : EnvSubstitution.apply(read.root(), "", env, binder);
            config = ConfigBinder.bind(root, binder);
        }
        if (binder.errorCount() > 0 || config == null) {
            throw new ConfigException(sourceName, binder.errors());
        }
        return config;
    }

    private static String readProblem(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof MalformedInputException) {
            return "not UTF-8 text";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}

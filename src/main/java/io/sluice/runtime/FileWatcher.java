package io.sluice.runtime;

import io.sluice.config.ConfigFile;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls an action when the content of any of a set of files changes: the configuration file and the
 * certificates it names. It watches their directories (so editors that save by writing a new file and renaming
 * it, and Kubernetes' symlink swaps, are seen), waits until the directory has been quiet for the debounce time,
 * and then compares a digest of the files' content with the last one, so that a touch or a save of the same
 * bytes does nothing. The set of files is asked for again after each action (a reload may name new
 * certificates). Runs on a daemon thread of its own. Thread-safe.
 */
public final class FileWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FileWatcher.class);

    private final Supplier<List<Path>> files;
    private final Runnable onChange;
    private final long debounceNanos;
    private final WatchService watch;
    private final Thread thread;
    private final Set<Path> dirs = new HashSet<>();
    private volatile boolean closed;
    private String digest;

    /**
     * @param files    the files to watch, asked for at start and after each change
     * @param onChange what to do when their content changed; runs on the watcher's thread
     * @param debounce how long the files must be quiet before the action runs
     * @throws IOException when the file system cannot watch
     */
    public FileWatcher(Supplier<List<Path>> files, Runnable onChange, Duration debounce) throws IOException {
        this.files = Objects.requireNonNull(files, "files");
        this.onChange = Objects.requireNonNull(onChange, "onChange");
        this.debounceNanos = debounce.toNanos();
        this.watch = FileSystems.getDefault().newWatchService();
        this.digest = ConfigFile.digest(files.get());
        register(files.get());
        this.thread = new Thread(this::run, "sluice-config-watch");
        thread.setDaemon(true);
    }

    /** Starts watching; returns at once. */
    public FileWatcher start() {
        thread.start();
        return this;
    }

    private void register(List<Path> paths) {
        for (Path f : paths) {
            Path dir = f.toAbsolutePath().getParent();
            if (dir != null && dirs.add(dir)) {
                try {
                    dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                            StandardWatchEventKinds.ENTRY_DELETE);
                } catch (IOException e) {
                    dirs.remove(dir);
                    log.warn("cannot watch {} for changes: {}", dir, e.toString());
                }
            }
        }
    }

    private void run() {
        try {
            while (!closed) {
                WatchKey key = watch.take();
                drain(key);
                // Quiet period: keep taking events until none came for the debounce time.
                WatchKey more;
                while ((more = watch.poll(debounceNanos, TimeUnit.NANOSECONDS)) != null) {
                    drain(more);
                }
                List<Path> now = files.get();
                String d = ConfigFile.digest(now);
                if (!d.equals(digest)) {
                    digest = d;
                    try {
                        onChange.run();
                    } catch (RuntimeException e) {
                        log.error("reload after a file change failed", e);
                    }
                    List<Path> after = files.get();
                    register(after);
                    digest = ConfigFile.digest(after);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    @Override
    public void close() {
        closed = true;
        try {
            watch.close();
        } catch (IOException e) {
            // nothing more to watch either way
        }
    }
}

package io.sluice.cli;

import io.sluice.Sluice;
import io.sluice.config.Config;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigFile;
import io.sluice.config.ConfigFormat;
import io.sluice.runtime.FileWatcher;
import io.sluice.tls.TlsException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a proxy in the foreground until SIGTERM or SIGINT, then drains and returns 0. When it runs from a file,
 * SIGHUP and (unless turned off) a change of the file or of its certificates reload it in process; a reload
 * with errors changes nothing and logs them. Used by the run, demo and quick-mode commands. Not thread-safe;
 * one per process.
 */
final class Runner {
    private static final Logger log = LoggerFactory.getLogger(Runner.class);
    /** How long the watched files must be quiet before a change reloads: editors write in several steps. */
    private static final Duration DEBOUNCE = Duration.ofMillis(300);

    private Runner() {
    }

    /**
     * Loads, validates and runs a config file read as {@code format} (null: by the file's name), reloading it on
     * SIGHUP and (with {@code watch}) when it changes; exit 2 on a bad file.
     */
    static int runFile(Path file, ConfigFormat format, boolean watch) throws InterruptedException {
        ConfigFile source = new ConfigFile(file, format);
        ConfigFile.Loaded loaded;
        try {
            loaded = source.load();
        } catch (ConfigException e) {
            printErrors(file, e);
            return 2;
        }
        return run(loaded.config(), null, b -> b.configFile(source, loaded), watch);
    }

    static void printErrors(Path file, ConfigException e) {
        System.err.println(file + ": " + e.errors().size() + " error(s)");
        e.errors().forEach(err -> System.err.println("  " + err));
    }

    /** Starts the proxy and blocks until a stop signal has drained it. */
    static int run(Config config) throws InterruptedException {
        return run(config, null);
    }

    /**
     * As {@link #run(Config)}, with something to do after the proxy started and something to stop with it.
     */
    static int run(Config config, Runnable afterStop) throws InterruptedException {
        return run(config, afterStop, b -> { }, false);
    }

    private static int run(Config config, Runnable afterStop, Consumer<Sluice.Builder> setup, boolean watch)
            throws InterruptedException {
        AtomicReference<Sluice> running = new AtomicReference<>();
        CountDownLatch startDone = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        ExecutorService reloads = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sluice-reload");
            t.setDaemon(true);
            return t;
        });
        // Before the listeners open, so a SIGHUP sent once the port answers is never the JVM's default (exit).
        Signals.onReload(() -> reloads.execute(() -> {
            try {
                startDone.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            Sluice s = running.get();
            if (s == null) {
                return;
            }
            if (s.configFile() == null) {
                log.warn("SIGHUP: this proxy runs without a configuration file (quick mode or demo); nothing to reload");
                return;
            }
            log.info("SIGHUP: reloading {}", s.configFile().path());
            s.reload();
        }));
        // The stop handler is in place before the listeners open too: a TERM that comes while start() is still
        // binding the admin listener waits for it, then drains, instead of killing the JVM with 143.
        AtomicReference<FileWatcher> watcher = new AtomicReference<>();
        Signals.onStop(() -> {
            try {
                startDone.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            Sluice s = running.get();
            if (s == null) {
                return; // start failed; run() returns 1 itself
            }
            FileWatcher w = watcher.get();
            if (w != null) {
                w.close();
            }
            Duration drain = s.config().limits().drainTimeout();
            log.info("stop signal: draining for up to {}", drain);
            s.shutdown(drain);
            if (afterStop != null) {
                afterStop.run();
            }
            stopped.countDown();
        });
        try {
            Sluice.Builder b = Sluice.builder().config(config);
            setup.accept(b);
            Sluice s = b.build().start();
            running.set(s);
            if (watch && s.configFile() != null) {
                watcher.set(watch(s, reloads));
            }
        } catch (IllegalStateException | TlsException e) {
            System.err.println("error: " + e.getMessage());
            if (afterStop != null) {
                afterStop.run();
            }
            return 1;
        } finally {
            startDone.countDown();
        }
        stopped.await();
        return 0;
    }

    /** Reloads when the file or its certificates change; null (and a warning) when the system cannot watch. */
    private static FileWatcher watch(Sluice s, ExecutorService reloads) {
        try {
            FileWatcher w = new FileWatcher(() -> s.configFile().watched(s.config()), () -> {
                log.info("{} or its certificates changed: reloading", s.configFile().path());
                try {
                    reloads.submit((Runnable) s::reload).get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException e) {
                    log.error("reload failed", e.getCause());
                }
            }, DEBOUNCE);
            log.info("watching {} for changes (--no-watch turns this off)", s.configFile().path());
            return w.start();
        } catch (IOException e) {
            log.warn("cannot watch {} for changes ({}); reload with SIGHUP or POST /api/reload",
                    s.configFile().path(), e.toString());
            return null;
        }
    }
}

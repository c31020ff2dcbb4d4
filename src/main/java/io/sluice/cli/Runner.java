package io.sluice.cli;

import io.sluice.Sluice;
import io.sluice.config.Config;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigFormat;
import io.sluice.config.ConfigLoader;
import io.sluice.tls.TlsException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a proxy in the foreground until SIGTERM or SIGINT, then drains and returns 0. SIGHUP, the usual
 * "reload" signal, is logged and otherwise ignored until hot reload exists: the process keeps serving the
 * configuration it started with. Used by the run, demo and quick-mode commands. Not thread-safe; one per
 * process.
 */
final class Runner {
    private static final Logger log = LoggerFactory.getLogger(Runner.class);

    private Runner() {
    }

    /** Loads, validates and runs a config file; exit 2 on a bad file. */
    static int runFile(Path file) throws InterruptedException {
        return runFile(file, null);
    }

    /** As {@link #runFile(Path)}, reading the file as {@code format}; null chooses by the file's name. */
    static int runFile(Path file, ConfigFormat format) throws InterruptedException {
        Config config;
        try {
            config = ConfigLoader.load(file, format == null ? ConfigFormat.of(file) : format);
        } catch (ConfigException e) {
            printErrors(file, e);
            return 2;
        }
        return run(config);
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
        // Before the listeners open, so a SIGHUP sent once the port answers is never the JVM's default (exit).
        Signals.onReload(() -> log.warn("SIGHUP: a reload was asked for, but reload is not available yet;"
                + " still serving the configuration loaded at start"));
        // The stop handler is in place before the listeners open too: a TERM that comes while start() is still
        // binding the admin listener waits for it, then drains, instead of killing the JVM with 143.
        AtomicReference<Sluice> running = new AtomicReference<>();
        CountDownLatch startDone = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
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
            log.info("stop signal: draining for up to {}", config.limits().drainTimeout());
            s.shutdown(config.limits().drainTimeout());
            if (afterStop != null) {
                afterStop.run();
            }
            stopped.countDown();
        });
        try {
            running.set(Sluice.builder().config(config).build().start());
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
}

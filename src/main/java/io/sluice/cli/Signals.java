package io.sluice.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns SIGTERM and SIGINT into one call of a stop action, on a thread of its own, so the process can drain
 * and exit 0 rather than die with 143; and SIGHUP into a call of a reload action each time it arrives, so a
 * reload request never kills the process. Thread-safe.
 */
final class Signals {
    private Signals() {
    }

    static void onStop(Runnable stop) {
        AtomicBoolean once = new AtomicBoolean();
        Runnable guarded = () -> {
            if (once.compareAndSet(false, true)) {
                Thread t = new Thread(stop, "sluice-stop");
                t.start();
            }
        };
        for (String name : new String[] {"TERM", "INT"}) {
            handle(name, guarded);
        }
    }

    /**
     * Runs {@code reload} on the JVM's signal thread each time SIGHUP arrives (the JVM's default for SIGHUP
     * is to exit). The action must be quick and must not throw.
     */
    static void onReload(Runnable reload) {
        if (handle("HUP", reload) == SignalHandler.SIG_IGN) {
            // Ignored when the process started (nohup does that): the JVM lets no handler replace that.
            LoggerFactory.getLogger(Signals.class).warn("SIGHUP was ignored when this process started (nohup?),"
                    + " so it cannot ask for a reload; use POST /api/reload, 'sluice reload' or a save of the file");
        }
    }

    /** Installs the action; returns what the signal did before (SIG_IGN when it was ignored), or null. */
    private static SignalHandler handle(String name, Runnable action) {
        try {
            return Signal.handle(new Signal(name), s -> action.run());
        } catch (IllegalArgumentException e) {
            // The signal is not available on this platform, or the JVM keeps it (-Xrs); the JVM's default applies.
            return null;
        }
    }
}

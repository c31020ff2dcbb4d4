package io.sluice.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.Consumer;

/**
 * The accept loop of a test backend, on a daemon thread of its own, with a {@link #close()} that returns only once
 * the port takes no more connections. Closing a {@link ServerSocket} while a thread is blocked in {@code accept}
 * does not do that: the JDK only marks the socket and signals the thread, and the kernel goes on completing
 * handshakes for as long as the blocked call holds the socket, which under CPU load was long enough for the next
 * test step's connection to be accepted by a backend the test had just "closed", and left unanswered. A socket
 * accepted after close was asked for is reset at once. Thread-safe.
 */
public final class AcceptLoop implements AutoCloseable {
    private final ServerSocket server;
    private final Thread thread;
    private volatile boolean closing;

    /** Starts accepting on {@code server}; each accepted socket goes to {@code onAccept}, on the loop's thread. */
    public AcceptLoop(ServerSocket server, String name, Consumer<Socket> onAccept) {
        this.server = server;
        this.thread = new Thread(() -> {
            while (!closing) {
                Socket s;
                try {
                    s = server.accept();
                } catch (IOException e) {
                    return;
                }
                if (closing) {
                    reset(s);
                    return;
                }
                onAccept.accept(s);
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void reset(Socket s) {
        try (s) {
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** Closes the listening socket and waits (at most 10 s) until the loop's thread no longer holds it. */
    @Override
    public void close() throws IOException {
        closing = true;
        server.close();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            throw new IOException("the accept loop of port " + server.getLocalPort() + " did not stop in 10 s");
        }
    }
}

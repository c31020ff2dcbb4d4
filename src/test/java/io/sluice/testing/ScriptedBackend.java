package io.sluice.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A blocking socket backend whose every connection follows a script written in the test: for exact control
 * over what a backend sends, when it closes, and how many connections it saw. Thread-safe.
 */
public final class ScriptedBackend implements AutoCloseable {
    /** What to do with one accepted connection; {@code index} counts connections from 0. */
    @FunctionalInterface
    public interface Script {
        void run(Socket socket, int index) throws Exception;
    }

    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AcceptLoop acceptor;

    public ScriptedBackend(Script script) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new AcceptLoop(server, "scripted-backend", s -> {
            int index = accepted.getAndIncrement();
            sockets.add(s);
            Thread t = new Thread(() -> {
                try (s) {
                    script.run(s, index);
                } catch (Exception e) {
                    // the script ends when its peer goes away
                }
            }, "scripted-backend-conn-" + index);
            t.setDaemon(true);
            t.start();
        });
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** A backend that answers every request head on every connection with a 200 whose body is {@code body}. */
    public static ScriptedBackend answering(String body) throws IOException {
        return new ScriptedBackend((s, i) -> {
            InputStream in = s.getInputStream();
            while (readHead(in) != null) {
                writeOk(s, body);
            }
        });
    }

    /** Reads a request head up to the blank line; null at end of stream. */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int state = 0;
        int b;
        while ((b = in.read()) != -1) {
            buf.write(b);
            state = switch (state) {
                case 0, 2 -> b == '\r' ? state + 1 : 0;
                case 1 -> b == '\n' ? 2 : 0;
                case 3 -> b == '\n' ? 4 : 0;
                default -> 0;
            };
            if (state == 4) {
                return buf.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /** Writes a small 200 response with a Content-Length body. */
    public static void writeOk(Socket s, String body, String... extraHeaders) throws IOException {
        StringBuilder sb = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Length: ").append(body.length()).append("\r\n");
        for (String h : extraHeaders) {
            sb.append(h).append("\r\n");
        }
        sb.append("\r\n").append(body);
        s.getOutputStream().write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    @Override
    public void close() throws IOException {
        acceptor.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}

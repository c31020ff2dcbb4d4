package io.sluice.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP backend on loopback for L4 tests, one thread per connection: it may greet first (a banner, as SSH and
 * SMTP servers do), then echoes every byte back, prefixed by nothing, until the client shuts its side; then it
 * shuts its own. It records every byte each connection sent it, in arrival order, for checks of exactly what
 * crossed the proxy. Thread-safe.
 */
public final class TcpBackend implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tcp-backend");
        t.setDaemon(true);
        return t;
    });
    private final String banner;
    private final List<ByteArrayOutputStream> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger finished = new AtomicInteger();
    private final AcceptLoop acceptLoop;

    private TcpBackend(String banner, int port) throws IOException {
        this.banner = banner;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        acceptLoop = new AcceptLoop(server, "tcp-backend-accept", this::accepted);
    }

    /** An echo backend; {@code banner} (may be null) is sent first on every connection. */
    public static TcpBackend start(String banner) throws IOException {
        return new TcpBackend(banner, 0);
    }

    /** An echo backend on a given port (to bring one back where it was). */
    public static TcpBackend start(String banner, int port) throws IOException {
        return new TcpBackend(banner, port);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    /** Connections whose client shut its side and got everything echoed. */
    public int finished() {
        return finished.get();
    }

    /** The bytes each connection sent, in accept order. */
    public List<byte[]> received() {
        return received.stream().map(ByteArrayOutputStream::toByteArray).toList();
    }

    /** The bytes each connection sent, as ISO-8859-1 text. */
    public List<String> receivedText() {
        return received().stream().map(b -> new String(b, StandardCharsets.ISO_8859_1)).toList();
    }

    private void accepted(Socket s) {
        accepted.incrementAndGet();
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        received.add(record);
        threads.execute(() -> serve(s, record));
    }

    private void serve(Socket s, ByteArrayOutputStream record) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            if (banner != null) {
                out.write(banner.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (record) {
                    record.write(buf, 0, n);
                }
                out.write(buf, 0, n);
            }
            s.shutdownOutput();
            finished.incrementAndGet();
        } catch (IOException e) {
            // the client went away; what it sent is recorded
        }
    }

    @Override
    public void close() throws IOException {
        acceptLoop.close();
        threads.shutdownNow();
    }
}

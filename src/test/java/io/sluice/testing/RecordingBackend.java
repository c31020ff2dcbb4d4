package io.sluice.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket backend that shows what really crosses the proxy: it records every byte each connection
 * receives, and parses requests the way a lenient application server does (the first Content-Length wins,
 * any Transfer-Encoding mentioning chunked means chunked, bare LF ends a line), answering each with
 * {@code 200} and a body naming the request's number. A request Sluice never meant to forward shows up here
 * as an extra parsed request. Thread-safe.
 */
public final class RecordingBackend implements AutoCloseable {
    /** One request as the lenient parser saw it. */
    public record Request(int connection, String requestLine, List<String> headerLines, byte[] body) {
        /** The first value of a header (name ignoring case), or null. */
        public String header(String name) {
            for (String line : headerLines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }

        /** How many header lines have this name (ignoring case). */
        public int count(String name) {
            int n = 0;
            for (String line : headerLines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    n++;
                }
            }
            return n;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    private final ServerSocket server;
    private final AcceptLoop acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<ByteArrayOutputStream> raw = new CopyOnWriteArrayList<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger incomplete = new AtomicInteger();

    public RecordingBackend() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new AcceptLoop(server, "recording-backend", this::accepted);
    }

    private void accepted(Socket s) {
        int index = accepted.getAndIncrement();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        sockets.add(s);
        raw.add(bytes);
        Thread t = new Thread(() -> serve(s, index, bytes), "recording-backend-conn-" + index);
        t.setDaemon(true);
        t.start();
    }

    private void serve(Socket s, int index, ByteArrayOutputStream bytes) {
        try (s) {
            s.setSoTimeout(10_000);
            InputStream in = new Recording(s.getInputStream(), bytes);
            OutputStream out = s.getOutputStream();
            for (;;) {
                String requestLine = line(in);
                if (requestLine == null) {
                    return;
                }
                if (requestLine.isEmpty()) {
                    continue; // a stray empty line between requests
                }
                List<String> headers = new ArrayList<>();
                String h;
                while ((h = line(in)) != null && !h.isEmpty()) {
                    headers.add(h);
                }
                Request head = new Request(index, requestLine, headers, new byte[0]);
                byte[] body = readBody(in, head);
                if (body == null) {
                    incomplete.incrementAndGet();
                    return; // the stream ended inside the body: no request for the application
                }
                requests.add(new Request(index, requestLine, headers, body));
                int n = requests.size();
                String text = "request " + n + "\n";
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + text.length() + "\r\n\r\n" + text)
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (h == null) {
                    return;
                }
            }
        } catch (SocketTimeoutException e) {
            // an idle connection: the proxy keeps it pooled; the backend gives up on it
        } catch (IOException e) {
            // the proxy went away
        }
    }

    /** The body as framed by the lenient rules; null when the stream ends before the body does. */
    private static byte[] readBody(InputStream in, Request head) throws IOException {
        String te = head.header("Transfer-Encoding");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            for (;;) {
                String sizeLine = line(in);
                if (sizeLine == null) {
                    return null;
                }
                int semi = sizeLine.indexOf(';');
                String hex = (semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim();
                int size;
                try {
                    size = Integer.parseInt(hex, 16);
                } catch (NumberFormatException e) {
                    return null; // a lenient server gives up on the message here
                }
                if (size == 0) {
                    String t;
                    while ((t = line(in)) != null && !t.isEmpty()) {
                        // trailers
                    }
                    return t == null ? null : body.toByteArray();
                }
                byte[] data = in.readNBytes(size);
                body.write(data);
                if (data.length < size || line(in) == null) {
                    return null;
                }
            }
        }
        String cl = head.header("Content-Length");
        if (cl != null) {
            int length;
            try {
                length = Integer.parseInt(cl.split(",")[0].trim());
            } catch (NumberFormatException e) {
                return new byte[0];
            }
            byte[] data = in.readNBytes(length);
            return data.length < length ? null : data;
        }
        return new byte[0];
    }

    /** A line ended by LF (a CR before it dropped); null at the end of the stream before any byte. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] a = buf.toByteArray();
                int len = a.length > 0 && a[a.length - 1] == '\r' ? a.length - 1 : a.length;
                return new String(a, 0, len, StandardCharsets.ISO_8859_1);
            }
            buf.write(b);
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Requests whose body the stream ended inside (the backend saw their head only). */
    public int incomplete() {
        return incomplete.get();
    }

    /** Connections accepted so far. */
    public int connections() {
        return accepted.get();
    }

    /** Requests parsed so far, in arrival order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Every byte received so far, all connections in order of acceptance, as ISO-8859-1 text. */
    public String received() {
        StringBuilder sb = new StringBuilder();
        for (ByteArrayOutputStream b : raw) {
            synchronized (b) {
                sb.append(b.toString(StandardCharsets.ISO_8859_1));
            }
        }
        return sb.toString();
    }

    /** Forgets what was recorded so far (connections stay open). */
    public void clear() {
        requests.clear();
        incomplete.set(0);
        for (ByteArrayOutputStream b : raw) {
            synchronized (b) {
                b.reset();
            }
        }
    }

    @Override
    public void close() throws IOException {
        acceptor.close();
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** Copies every byte read into the connection's record. */
    private static final class Recording extends InputStream {
        private final InputStream in;
        private final ByteArrayOutputStream copy;

        Recording(InputStream in, ByteArrayOutputStream copy) {
            this.in = in;
            this.copy = copy;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                synchronized (copy) {
                    copy.write(b);
                }
            }
            return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            int n = in.read(buf, off, len);
            if (n > 0) {
                synchronized (copy) {
                    copy.write(buf, off, n);
                }
            }
            return n;
        }
    }
}

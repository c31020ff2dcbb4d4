package io.sluice.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An HTTP/2 client that writes hand-built frames on a plain socket, for tests that need what no well-behaved
 * client sends: malformed headers, floods of control frames, windows never opened. Frames and header blocks
 * are built byte by byte here (HPACK without Huffman), so nothing checks them on the way out. What the server
 * sends back is read by one reader thread, started by {@link #startReading()} (a flooder that "does not read"
 * simply never starts it), which answers the server's SETTINGS and records GOAWAY, RST_STREAM, response
 * statuses and DATA. Writes are serialised; the recorded outcomes may be read from any thread.
 */
public final class H2Wire implements AutoCloseable {
    public static final int DATA = 0;
    public static final int HEADERS = 1;
    public static final int PRIORITY = 2;
    public static final int RST_STREAM = 3;
    public static final int SETTINGS = 4;
    public static final int PING = 6;
    public static final int GOAWAY = 7;
    public static final int WINDOW_UPDATE = 8;
    public static final int CONTINUATION = 9;
    public static final int END_STREAM = 0x1;
    public static final int ACK = 0x1;
    public static final int END_HEADERS = 0x4;
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private final CompletableFuture<Long> goAway = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Map<Integer, Long> resets = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    private final Map<Integer, Long> dataBytes = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> ended = new ConcurrentHashMap<>();
    private final Map<Integer, Long> windowGranted = new ConcurrentHashMap<>();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong pingAcks = new AtomicLong();
    private volatile long lastStreamOfGoAway = -1;
    private final ReentrantLock writeLock = new ReentrantLock();
    private Thread reader;

    public H2Wire(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.setReceiveBufferSize(64 * 1024); // a flooder that does not read fills this and the server's buffer
        socket.setTcpNoDelay(true); // frames go when sent, not when the previous one is acknowledged
        socket.connect(address, 5000);
        socket.setSoTimeout(20_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
    }

    /** Sends the client preface and a SETTINGS frame with these (identifier, value) pairs. */
    public H2Wire preface(int... settings) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(PREFACE);
        b.writeBytes(settings(settings));
        return send(b.toByteArray());
    }

    /** Writes these bytes at once (after any write under way from another thread). */
    public H2Wire send(byte[] bytes) throws IOException {
        writeLock.lock();
        try {
            out.write(bytes);
            out.flush();
        } finally {
            writeLock.unlock();
        }
        return this;
    }

    /** One frame: 9-byte header (length, type, flags, stream) and the payload. */
    public static byte[] frame(int type, int flags, int stream, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) (stream >>> 24 & 0x7f);
        f[6] = (byte) (stream >>> 16);
        f[7] = (byte) (stream >>> 8);
        f[8] = (byte) stream;
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }

    /** A SETTINGS frame (not an ACK) with these (identifier, value) pairs. */
    public static byte[] settings(int... pairs) {
        byte[] p = new byte[pairs.length / 2 * 6];
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            int o = i / 2 * 6;
            p[o] = (byte) (pairs[i] >>> 8);
            p[o + 1] = (byte) pairs[i];
            putInt(p, o + 2, pairs[i + 1]);
        }
        return frame(SETTINGS, 0, 0, p);
    }

    public static byte[] ping(long data) {
        byte[] p = new byte[8];
        putInt(p, 0, (int) (data >>> 32));
        putInt(p, 4, (int) data);
        return frame(PING, 0, 0, p);
    }

    public static byte[] windowUpdate(int stream, int increment) {
        byte[] p = new byte[4];
        putInt(p, 0, increment);
        return frame(WINDOW_UPDATE, 0, stream, p);
    }

    public static byte[] rstStream(int stream, Http2Error error) {
        byte[] p = new byte[4];
        putInt(p, 0, (int) error.code());
        return frame(RST_STREAM, 0, stream, p);
    }

    public static byte[] data(int stream, byte[] payload, boolean endStream) {
        return frame(DATA, endStream ? END_STREAM : 0, stream, payload);
    }

    /** A HEADERS frame carrying the whole block. */
    public static byte[] headers(int stream, byte[] block, boolean endStream) {
        return frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, block);
    }

    /** The header block of a request with these pseudo-headers (null leaves one out) and other fields. */
    public static byte[] request(String method, String scheme, String authority, String path, String... fields) {
        Hpack h = new Hpack();
        if (method != null) {
            h.literal(":method", method);
        }
        if (scheme != null) {
            h.literal(":scheme", scheme);
        }
        if (authority != null) {
            h.literal(":authority", authority);
        }
        if (path != null) {
            h.literal(":path", path);
        }
        for (int i = 0; i + 1 < fields.length; i += 2) {
            h.literal(fields[i], fields[i + 1]);
        }
        return h.bytes();
    }

    /** A GET of this path that ends its stream: the simplest whole request. */
    public static byte[] get(int stream, String path) {
        return headers(stream, request("GET", "http", "abuse.test", path), true);
    }

    private static void putInt(byte[] b, int o, int v) {
        b[o] = (byte) (v >>> 24);
        b[o + 1] = (byte) (v >>> 16);
        b[o + 2] = (byte) (v >>> 8);
        b[o + 3] = (byte) v;
    }

    /** Builds an HPACK header block field by field, never with Huffman coding. Not thread-safe. */
    public static final class Hpack {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        /** A literal field without indexing, new name. */
        public Hpack literal(String name, String value) {
            b.write(0x00);
            string(name);
            string(value);
            return this;
        }

        /** A literal field that the decoder adds to its dynamic table (new name). */
        public Hpack incremental(String name, String value) {
            b.write(0x40);
            string(name);
            string(value);
            return this;
        }

        /** An indexed field: 1-61 static table, 62 on the newest dynamic entry. */
        public Hpack indexed(int index) {
            integer(0x80, 7, index);
            return this;
        }

        public byte[] bytes() {
            return b.toByteArray();
        }

        private void string(String s) {
            byte[] v = s.getBytes(StandardCharsets.ISO_8859_1);
            integer(0x00, 7, v.length);
            b.writeBytes(v);
        }

        private void integer(int mask, int prefixBits, int value) {
            int max = (1 << prefixBits) - 1;
            if (value < max) {
                b.write(mask | value);
                return;
            }
            b.write(mask | max);
            value -= max;
            while (value >= 128) {
                b.write(value % 128 + 128);
                value /= 128;
            }
            b.write(value);
        }
    }

    /** Starts the reader thread; until then nothing the server sends is read. */
    public H2Wire startReading() {
        reader = new Thread(this::readLoop, "h2-wire-reader");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    private void readLoop() {
        DefaultHttp2HeadersDecoder hpack = new DefaultHttp2HeadersDecoder(false);
        try {
            while (true) {
                int len = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
                int type = in.readUnsignedByte();
                int flags = in.readUnsignedByte();
                int stream = in.readInt() & 0x7fffffff;
                byte[] payload = new byte[len];
                in.readFully(payload);
                bytesRead.addAndGet(9L + len);
                switch (type) {
                    case SETTINGS -> {
                        // Acknowledged unless a flood is being written: the reader must never wait for the writer.
                        if ((flags & ACK) == 0 && writeLock.tryLock()) {
                            try {
                                out.write(frame(SETTINGS, ACK, 0, new byte[0]));
                                out.flush();
                            } finally {
                                writeLock.unlock();
                            }
                        }
                    }
                    case PING -> {
                        if ((flags & ACK) != 0) {
                            pingAcks.incrementAndGet();
                        }
                    }
                    case GOAWAY -> {
                        lastStreamOfGoAway = readInt(payload, 0) & 0x7fffffffL;
                        goAway.complete(readInt(payload, 4) & 0xffffffffL);
                    }
                    case RST_STREAM -> {
                        resets.put(stream, readInt(payload, 0) & 0xffffffffL);
                        ended.put(stream, true);
                    }
                    case HEADERS -> {
                        if ((flags & END_HEADERS) != 0 && !statuses.containsKey(stream)) {
                            ByteBuf block = Unpooled.wrappedBuffer(payload, headerBlockStart(flags, payload),
                                    payload.length - headerBlockStart(flags, payload) - padding(flags, payload));
                            Http2Headers h = hpack.decodeHeaders(stream, block);
                            statuses.put(stream, Integer.parseInt(h.status().toString()));
                        }
                        if ((flags & END_STREAM) != 0) {
                            ended.put(stream, true);
                        }
                    }
                    case DATA -> {
                        dataBytes.merge(stream, (long) len, Long::sum);
                        if ((flags & END_STREAM) != 0) {
                            ended.put(stream, true);
                        }
                    }
                    case WINDOW_UPDATE -> {
                        synchronized (windowGranted) {
                            windowGranted.merge(stream, readInt(payload, 0) & 0x7fffffffL, Long::sum);
                            windowGranted.notifyAll();
                        }
                    }
                    default -> {
                        // PUSH_PROMISE, ...: nothing to record
                    }
                }
            }
        } catch (EOFException e) {
            closed.complete(null);
        } catch (Exception e) {
            closed.complete(null); // reset, or closed by the test
        }
    }

    private static int headerBlockStart(int flags, byte[] p) {
        int start = (flags & 0x8) != 0 ? 1 : 0;
        return (flags & 0x20) != 0 ? start + 5 : start;
    }

    private static int padding(int flags, byte[] p) {
        return (flags & 0x8) != 0 ? p[0] & 0xff : 0;
    }

    private static int readInt(byte[] b, int o) {
        return (b[o] & 0xff) << 24 | (b[o + 1] & 0xff) << 16 | (b[o + 2] & 0xff) << 8 | b[o + 3] & 0xff;
    }

    /** Completes with the error code of the first GOAWAY read. */
    public CompletableFuture<Long> goAway() {
        return goAway;
    }

    /** The last stream id of the first GOAWAY read, or -1. */
    public long lastStreamOfGoAway() {
        return lastStreamOfGoAway;
    }

    /** Completes when the server closed the connection (end of stream or reset) as the reader saw it. */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    /** The error code of the RST_STREAM read for this stream, or null. */
    public Long reset(int stream) {
        return resets.get(stream);
    }

    /** Streams the server reset so far. */
    public int resetCount() {
        return resets.size();
    }

    /** The :status of the response on this stream, or null. */
    public Integer status(int stream) {
        return statuses.get(stream);
    }

    /** True when the stream ended (END_STREAM or RST_STREAM read). */
    public boolean ended(int stream) {
        return ended.containsKey(stream);
    }

    /** DATA payload bytes read on this stream. */
    public long dataBytes(int stream) {
        return dataBytes.getOrDefault(stream, 0L);
    }

    /** What the peer's WINDOW_UPDATE frames added to this stream's send window so far (stream 0: the connection's). */
    public long windowGranted(int stream) {
        return windowGranted.getOrDefault(stream, 0L);
    }

    /**
     * Waits until the window granted to each of these streams (0: the connection) is more than the bytes given for
     * it, at most {@code limit}; false if it is not by then.
     */
    public boolean awaitWindowOver(Duration limit, int streamA, long bytesA, int streamB, long bytesB)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        synchronized (windowGranted) {
            while (windowGranted(streamA) <= bytesA || windowGranted(streamB) <= bytesB) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(windowGranted, left);
            }
            return true;
        }
    }

    /** Every frame byte read so far. */
    public long bytesRead() {
        return bytesRead.get();
    }

    public long pingAcks() {
        return pingAcks.get();
    }

    /** Waits for the reader to see the connection end. */
    public boolean awaitClosed(Duration limit) {
        try {
            closed.get(limit.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** True while the socket is open on this side. */
    public boolean isOpen() {
        return !socket.isClosed();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        if (reader != null) {
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The name of an HTTP/2 error code, for messages. */
    public static String errorName(long code) {
        Http2Error e = Http2Error.valueOf(code);
        return e == null ? Long.toString(code) : e.name();
    }
}

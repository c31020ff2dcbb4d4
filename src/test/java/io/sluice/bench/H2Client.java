package io.sluice.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal blocking HTTP/2 client for benchmarks: prior knowledge over clear text, one GET at a time, each on a
 * new stream. As browsers and h2load do, the first request adds its fields to the proxy's HPACK table and every
 * later one names them by index (the same bytes each time but for the stream id); responses are read frame by
 * frame and not decoded, only their DATA counted, and the connection's receive window is given back in large
 * steps. Allocates nothing per request, so
 * the proxy's allocation is what a benchmark sees. Not thread-safe; not a general client.
 */
final class H2Client {
    private static final int DATA = 0;
    private static final int HEADERS = 1;
    private static final int RST_STREAM = 3;
    private static final int SETTINGS = 4;
    private static final int PING = 6;
    private static final int GOAWAY = 7;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int ACK = 0x1;
    /** Connection window handed back once this much DATA has been read (the default window is 65,535). */
    private static final int WINDOW_STEP = 32 * 1024;

    private final DataInputStream in;
    private final OutputStream out;
    private final String authority;
    private final byte[] frame = new byte[16 * 1024 + 9];
    private final byte[] control = new byte[17];
    private byte[] headers;
    private String headersFor;
    /** The frame in {@link #headers} names every field by its index in the proxy's table. */
    private boolean indexed;
    private int nextStream = 1;
    private int unacknowledged;

    H2Client(InputStream in, OutputStream out, String authority) throws IOException {
        this.in = new DataInputStream(in);
        this.out = out;
        this.authority = authority;
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        writeFrame(SETTINGS, 0, 0, 0); // no settings of our own: the defaults
        out.flush();
    }

    /** Sends a GET for {@code path} and reads its answer; returns the body's length. */
    int get(String path) throws IOException {
        if (headersFor == null) {
            headers = requestFrame(path, true);
            headersFor = path;
        } else if (!path.equals(headersFor)) {
            throw new IllegalArgumentException("one path per client: its fields are in the proxy's table");
        } else if (!indexed) {
            headers = requestFrame(path, false);
            indexed = true;
        }
        int stream = nextStream;
        nextStream += 2;
        headers[5] = (byte) (stream >>> 24);
        headers[6] = (byte) (stream >>> 16);
        headers[7] = (byte) (stream >>> 8);
        headers[8] = (byte) stream;
        out.write(headers);
        int body = 0;
        while (true) {
            in.readFully(frame, 0, 9);
            int length = (frame[0] & 0xff) << 16 | (frame[1] & 0xff) << 8 | frame[2] & 0xff;
            int type = frame[3] & 0xff;
            int flags = frame[4] & 0xff;
            int id = (frame[5] & 0x7f) << 24 | (frame[6] & 0xff) << 16 | (frame[7] & 0xff) << 8 | frame[8] & 0xff;
            if (length > frame.length - 9) {
                throw new IOException("frame of " + length + " bytes, more than the default maximum");
            }
            in.readFully(frame, 9, length);
            switch (type) {
                case SETTINGS -> {
                    if ((flags & ACK) == 0) {
                        writeFrame(SETTINGS, ACK, 0, 0);
                    }
                }
                case PING -> {
                    if ((flags & ACK) == 0) {
                        System.arraycopy(frame, 9, control, 9, 8);
                        writeFrame(PING, ACK, 0, 8);
                    }
                }
                case GOAWAY -> throw new IOException("the proxy sent GOAWAY");
                case RST_STREAM -> {
                    if (id == stream) {
                        throw new IOException("the proxy reset stream " + id);
                    }
                }
                case DATA -> {
                    if (id == stream) {
                        body += length;
                    }
                    unacknowledged += length;
                }
                default -> { }
            }
            if (id == stream && (type == DATA || type == HEADERS) && (flags & END_STREAM) != 0) {
                break;
            }
        }
        if (unacknowledged >= WINDOW_STEP) {
            int n = unacknowledged;
            unacknowledged = 0;
            control[9] = (byte) (n >>> 24);
            control[10] = (byte) (n >>> 16);
            control[11] = (byte) (n >>> 8);
            control[12] = (byte) n;
            writeFrame(8, 0, 0, 4); // WINDOW_UPDATE for the connection; each stream has a fresh window
        }
        out.flush();
        return body;
    }

    private void writeFrame(int type, int flags, int stream, int length) throws IOException {
        control[0] = 0;
        control[1] = 0;
        control[2] = (byte) length;
        control[3] = (byte) type;
        control[4] = (byte) flags;
        control[5] = (byte) (stream >>> 24);
        control[6] = (byte) (stream >>> 16);
        control[7] = (byte) (stream >>> 8);
        control[8] = (byte) stream;
        out.write(control, 0, 9 + length);
    }

    /**
     * A HEADERS frame (END_STREAM, END_HEADERS) for a GET of {@code path}; the stream id is filled in per request.
     * With {@code first}, the fields are literals the proxy adds to its table; else references to those entries
     * (the newest is 62, so the five added are 66 down to 62 in the order sent).
     */
    private byte[] requestFrame(String path, boolean first) {
        java.io.ByteArrayOutputStream block = new java.io.ByteArrayOutputStream();
        block.write(0x82); // :method GET (static table 2)
        block.write(0x86); // :scheme http (static table 6)
        if (first) {
            literal(block, 4, path); // :path, name from the static table
            literal(block, 1, authority); // :authority
            literal(block, 58, "bench/1.0"); // user-agent
            literal(block, 19, "*/*"); // accept
            literal(block, 16, "gzip"); // accept-encoding
        } else {
            for (int index = 66; index >= 62; index--) {
                block.write(0x80 | index); // an indexed field (RFC 7541 §6.1)
            }
        }
        byte[] b = block.toByteArray();
        byte[] f = new byte[9 + b.length];
        f[0] = (byte) (b.length >>> 16);
        f[1] = (byte) (b.length >>> 8);
        f[2] = (byte) b.length;
        f[3] = HEADERS;
        f[4] = END_STREAM | END_HEADERS;
        System.arraycopy(b, 0, f, 9, b.length);
        return f;
    }

    /** A literal field with incremental indexing (RFC 7541 §6.2.1) whose name is static-table entry {@code index}. */
    private static void literal(java.io.ByteArrayOutputStream block, int index, String value) {
        block.write(0x40 | index); // a 6-bit prefix: every static entry used here is below 63
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        if (v.length >= 127) {
            throw new IllegalArgumentException("value too long for this client: " + value);
        }
        block.write(v.length);
        block.write(v, 0, v.length);
    }
}

package io.sluice.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One HTTP/2 response as {@link H2Client} received it: the final headers (pseudo-headers such as
 * {@code :status} included; informational 1xx heads are dropped), every DATA frame's payload in arrival
 * order, and the trailers (empty when the response ended without any). Header names are lower case, as
 * HTTP/2 sends them. Immutable; thread-safe.
 */
public final class H2Response {
    private final int status;
    private final Map<String, List<String>> headers;
    private final Map<String, List<String>> trailers;
    private final List<byte[]> dataFrames;

    H2Response(int status, Map<String, List<String>> headers, Map<String, List<String>> trailers,
               List<byte[]> dataFrames) {
        this.status = status;
        this.headers = freeze(headers);
        this.trailers = freeze(trailers);
        List<byte[]> frames = new ArrayList<>();
        for (byte[] f : dataFrames) {
            frames.add(f.clone());
        }
        this.dataFrames = Collections.unmodifiableList(frames);
    }

    private static Map<String, List<String>> freeze(Map<String, List<String>> m) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(out);
    }

    public int status() {
        return status;
    }

    /** Every header of the final head by name, values in order. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The first value of this header (lower-case name), or null. */
    public String header(String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** The trailers by name; empty when there were none. */
    public Map<String, List<String>> trailers() {
        return trailers;
    }

    /** The first value of this trailer (lower-case name), or null. */
    public String trailer(String name) {
        List<String> v = trailers.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** Copies of the DATA frame payloads in arrival order (empty frames included). */
    public List<byte[]> dataFrames() {
        List<byte[]> out = new ArrayList<>(dataFrames.size());
        for (byte[] f : dataFrames) {
            out.add(f.clone());
        }
        return out;
    }

    /** The whole body: the DATA payloads joined. */
    public byte[] body() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : dataFrames) {
            out.write(f, 0, f.length);
        }
        return out.toByteArray();
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body(), StandardCharsets.UTF_8);
    }

    /**
     * The body read as gRPC length-prefixed messages (flag byte, 4-byte big-endian length, payload), each
     * payload as UTF-8 text, whatever way the DATA frames split them. Fails on a truncated message.
     */
    public List<String> grpcMessages() {
        return grpcMessages(body());
    }

    /** {@link #grpcMessages()} for any byte sequence. */
    public static List<String> grpcMessages(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        List<String> out = new ArrayList<>();
        while (b.hasRemaining()) {
            if (b.remaining() < 5) {
                throw new IllegalArgumentException("a truncated gRPC message prefix at " + b.position());
            }
            b.get(); // compression flag
            int length = b.getInt();
            if (length < 0 || length > b.remaining()) {
                throw new IllegalArgumentException("a gRPC message of " + length + " bytes with "
                        + b.remaining() + " left");
            }
            byte[] payload = new byte[length];
            b.get(payload);
            out.add(new String(payload, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Override
    public String toString() {
        return "H2Response{" + status + " " + headers + ", " + body().length + " body bytes in "
                + dataFrames.size() + " frames, trailers " + trailers + "}";
    }
}

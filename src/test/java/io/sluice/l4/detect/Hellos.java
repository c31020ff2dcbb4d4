package io.sluice.l4.detect;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * ClientHellos for the tests: real ones, as the JDK's SSLEngine writes its first flight, and hand-made ones
 * with chosen extensions; and the TLS records around them. Stateless; thread-safe.
 */
final class Hellos {
    private Hellos() {
    }

    /**
     * The records of the JDK's ClientHello with that server name (none when null) and ALPN list, offering
     * {@code protocols} (e.g. TLSv1.3, TLSv1.2).
     */
    static byte[] jdk(String sni, List<String> alpn, String... protocols) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        if (sni != null) {
            params.setServerNames(List.of(new SNIHostName(sni)));
        }
        params.setApplicationProtocols(alpn.toArray(String[]::new));
        if (protocols.length > 0) {
            params.setProtocols(protocols);
        }
        engine.setSSLParameters(params);
        engine.beginHandshake();
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] records = new byte[out.remaining()];
        out.get(records);
        return records;
    }

    /** The handshake bytes inside well-formed {@code records}, joined. */
    static byte[] content(byte[] records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < records.length; ) {
            int length = (records[at + 3] & 0xff) << 8 | (records[at + 4] & 0xff);
            out.write(records, at + 5, length);
            at += 5 + length;
        }
        return out.toByteArray();
    }

    /** {@code content} in handshake records (TLS 1.0 record version, as clients write) of at most {@code size} bytes. */
    static byte[] records(byte[] content, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < content.length; at += size) {
            int n = Math.min(size, content.length - at);
            out.write(new byte[] {0x16, 3, 1, (byte) (n >> 8), (byte) n}, 0, 5);
            out.write(content, at, n);
        }
        return out.toByteArray();
    }

    /** A ClientHello handshake message (TLS 1.2 layout, one cipher suite) with these extensions, or none at all when null. */
    static byte[] message(byte[]... extensions) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {3, 3});
        body.writeBytes(new byte[32]); // random
        body.write(0); // session id
        body.writeBytes(new byte[] {0, 2, 0x13, 0x01}); // cipher suites
        body.writeBytes(new byte[] {1, 0}); // compression methods
        if (extensions != null) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (byte[] e : extensions) {
                all.writeBytes(e);
            }
            body.writeBytes(u16(all.size()));
            body.writeBytes(all.toByteArray());
        }
        int n = body.size();
        return Feed.concat(new byte[] {1, (byte) (n >> 16), (byte) (n >> 8), (byte) n}, body.toByteArray());
    }

    static byte[] extension(int type, byte[] data) {
        return Feed.concat(u16(type), u16(data.length), data);
    }

    /** A server_name extension with one host_name. */
    static byte[] sni(String host) {
        byte[] name = host.getBytes(StandardCharsets.ISO_8859_1);
        byte[] entry = Feed.concat(new byte[] {0}, u16(name.length), name);
        return extension(0, Feed.concat(u16(entry.length), entry));
    }

    static byte[] alpn(String... names) {
        ByteArrayOutputStream list = new ByteArrayOutputStream();
        for (String n : names) {
            byte[] b = n.getBytes(StandardCharsets.ISO_8859_1);
            list.write(b.length);
            list.writeBytes(b);
        }
        return extension(16, Feed.concat(u16(list.size()), list.toByteArray()));
    }

    static byte[] u16(int v) {
        return new byte[] {(byte) (v >> 8), (byte) v};
    }
}

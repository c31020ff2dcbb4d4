package io.sluice.l4.detect;

import io.netty.buffer.ByteBuf;
import io.sluice.l4.Detection;
import io.sluice.l4.Detector;
import java.nio.charset.StandardCharsets;

/**
 * Detector {@code h2c}: HTTP/2 over clear text with prior knowledge, told by the 24-byte client connection
 * preface {@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n} (RFC 9113 section 3.4). A match once all 24 bytes were seen;
 * no match at the first byte that differs. Stateless; thread-safe.
 */
public final class H2cDetector implements Detector {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    @Override
    public String protocol() {
        return "h2c";
    }

    @Override
    public Detection detect(ByteBuf seen) {
        return Bytes.literal(seen, seen.readerIndex(), seen.writerIndex(), PREFACE);
    }
}

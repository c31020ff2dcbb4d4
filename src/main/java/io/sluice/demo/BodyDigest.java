package io.sluice.demo;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Running SHA-256 and byte count of a request body fed piece by piece, for {@code /sha256}. Reads the
 * pieces without consuming or releasing them. Not thread-safe: one per request, on its event loop.
 */
final class BodyDigest {
    private final MessageDigest sha256;
    private long bytes;

    BodyDigest() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    /** Adds the readable bytes of {@code piece}; its reader index is left where it was. */
    void update(ByteBuf piece) {
        bytes += piece.readableBytes();
        for (ByteBuffer b : piece.nioBuffers()) {
            sha256.update(b);
        }
    }

    /** Bytes added so far. */
    long bytes() {
        return bytes;
    }

    /** The digest of everything added; call once, at the end. */
    byte[] finish() {
        return sha256.digest();
    }
}

package io.sluice.demo;

import java.io.InputStream;
import java.util.SplittableRandom;

/** A repeatable stream of {@code size} pseudo-random bytes, for request bodies. Not thread-safe. */
final class Noise extends InputStream {
    private final SplittableRandom random;
    private long left;

    Noise(long size, long seed) {
        this.left = size;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (left == 0) {
            return -1;
        }
        int n = (int) Math.min(len, left);
        for (int i = 0; i < n; i++) {
            b[off + i] = (byte) random.nextInt(256);
        }
        left -= n;
        return n;
    }
}

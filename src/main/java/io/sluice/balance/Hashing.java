package io.sluice.balance;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * 64-bit hashes for hashing strategies: FNV-1a over the input, then the MurmurHash3 finaliser so that
 * similar inputs (addresses one apart, "user1"/"user2") land far apart. Allocation-free. Stateless;
 * thread-safe.
 */
public final class Hashing {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Hashing() {
    }

    /** Hash of the characters of {@code s} in [from, to). */
    public static long hash(CharSequence s, int from, int to) {
        long h = FNV_OFFSET;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            h = (h ^ (c & 0xff)) * FNV_PRIME;
            h = (h ^ (c >>> 8)) * FNV_PRIME;
        }
        return mix(h);
    }

    public static long hash(CharSequence s) {
        return hash(s, 0, s.length());
    }

    /** Hash of a client's IP address (the port is left out), or 0 when there is none. */
    public static long hash(InetSocketAddress client) {
        if (client == null) {
            return 0;
        }
        InetAddress a = client.getAddress();
        if (a == null) {
            return hash(client.getHostString());
        }
        long h = FNV_OFFSET;
        for (byte b : a.getAddress()) {
            h = (h ^ (b & 0xff)) * FNV_PRIME;
        }
        return mix(h);
    }

    /** Hash of a long, e.g. to derive a backend's points on a ring. */
    public static long hash(long value) {
        return mix(value * 0x9e3779b97f4a7c15L + FNV_OFFSET);
    }

    /** The MurmurHash3 64-bit finaliser. */
    public static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}

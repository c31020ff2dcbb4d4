package io.sluice.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An address range written as {@code 10.0.0.0/8}, {@code ::1/128} or a single address. Immutable; thread-safe.
 *
 * @param network the range's first address bytes (4 for IPv4, 16 for IPv6), host bits zero
 * @param bits    the prefix length
 */
public record CidrBlock(byte[] network, int bits) {
    public CidrBlock {
        Objects.requireNonNull(network, "network");
        if (network.length != 4 && network.length != 16) {
            throw new IllegalArgumentException("an address has 4 or 16 bytes");
        }
        if (bits < 0 || bits > network.length * 8) {
            throw new IllegalArgumentException("prefix length out of range");
        }
        network = mask(network.clone(), bits);
    }

    /**
     * Parses {@code ADDRESS[/BITS]} with a literal address (no name lookup).
     *
     * @throws IllegalArgumentException with a message that says what is wrong
     */
    public static CidrBlock parse(String text) {
        String t = text.strip();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = literal(addr);
        if (bytes == null) {
            throw new IllegalArgumentException("`" + text + "` is not an IP address or range such as 10.0.0.0/8");
        }
        int bits = bytes.length * 8;
        if (slash >= 0) {
            String b = t.substring(slash + 1);
            if (!b.matches("[0-9]{1,3}") || Integer.parseInt(b) > bytes.length * 8) {
                throw new IllegalArgumentException("bad prefix length in `" + text + "`: an IPv" + (bytes.length == 4
                        ? "4" : "6") + " range takes /0 to /" + bytes.length * 8);
            }
            bits = Integer.parseInt(b);
        }
        return new CidrBlock(bytes, bits);
    }

    /** The bytes of an IPv4 or IPv6 literal, or null when {@code s} is not one (never a name lookup). */
    static byte[] literal(String s) {
        String a = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        boolean v4 = a.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = a.indexOf(':') >= 0 && a.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(a).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** Whether the address is in this range (an IPv4-mapped IPv6 address counts as its IPv4 address). */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (a.length == 16 && network.length == 4 && mappedV4(a)) {
            a = Arrays.copyOfRange(a, 12, 16);
        }
        if (a.length != network.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != network[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int m = 0xFF << (8 - rest) & 0xFF;
        return (a[full] & m) == (network[full] & 0xFF);
    }

    private static boolean mappedV4(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF;
    }

    private static byte[] mask(byte[] b, int bits) {
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            b[i] &= (byte) (0xFF << (8 - keep));
        }
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CidrBlock c && bits == c.bits && Arrays.equals(network, c.network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + bits;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + bits;
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}

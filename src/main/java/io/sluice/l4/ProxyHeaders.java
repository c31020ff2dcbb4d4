package io.sluice.l4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.NetUtil;
import io.sluice.config.ProxyVersion;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Writes the PROXY protocol header (HAProxy's specification) that Sluice sends first on a connection to a
 * backend: the text line of version 1 or the binary block of version 2, naming the client's address and the
 * address it connected to. When the two are not both IPv4 or both IPv6 (or either is unknown), the header
 * says the addresses are unknown: {@code PROXY UNKNOWN} in v1, the unspecified family in v2, and the backend
 * then uses the connection's own addresses. A health probe sends {@link #encodeLocal} instead: "this
 * connection is the proxy's own". Stateless; thread-safe.
 */
public final class ProxyHeaders {
    /** The twelve bytes every v2 header starts with. */
    static final byte[] V2_SIGNATURE = {
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    /** The five bytes every v1 header starts with. */
    static final byte[] V1_SIGNATURE = {'P', 'R', 'O', 'X', 'Y'};
    /** Version 2 in the high nibble; the command (LOCAL 0, PROXY 1) in the low one. */
    private static final int V2_LOCAL = 0x20;
    private static final int V2_PROXY = 0x21;
    /** Address family in the high nibble, transport in the low one (1 = stream). */
    private static final int TCP_OVER_IPV4 = 0x11;
    private static final int TCP_OVER_IPV6 = 0x21;
    private static final int UNSPECIFIED = 0x00;
    private static final byte[] V1_UNKNOWN = "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII);

    private ProxyHeaders() {
    }

    /**
     * The header for a client connection from {@code source} to {@code destination}, in a new buffer the
     * caller owns.
     *
     * @param version V1 or V2
     * @param source  the client's address; null when unknown
     * @param destination the address the client connected to; null when unknown
     * @throws IllegalArgumentException for {@link ProxyVersion#NONE}
     */
    public static ByteBuf encode(ByteBufAllocator alloc, ProxyVersion version, InetSocketAddress source,
                                 InetSocketAddress destination) {
        Objects.requireNonNull(alloc, "alloc");
        InetAddress from = source == null ? null : source.getAddress();
        InetAddress to = destination == null ? null : destination.getAddress();
        boolean v4 = from instanceof Inet4Address && to instanceof Inet4Address;
        boolean v6 = from instanceof Inet6Address && to instanceof Inet6Address;
        boolean known = v4 || v6;
        switch (checked(version)) {
            case V1 -> {
                if (!known) {
                    return alloc.buffer(V1_UNKNOWN.length).writeBytes(V1_UNKNOWN);
                }
                String line = "PROXY " + (v4 ? "TCP4 " : "TCP6 ") + NetUtil.toAddressString(from) + ' '
                        + NetUtil.toAddressString(to) + ' ' + source.getPort() + ' ' + destination.getPort() + "\r\n";
                byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
                return alloc.buffer(bytes.length).writeBytes(bytes);
            }
            default -> {
                if (!known) {
                    return v2(alloc, V2_PROXY, UNSPECIFIED, 0);
                }
                byte[] a = from.getAddress();
                byte[] b = to.getAddress();
                ByteBuf buf = v2(alloc, V2_PROXY, v4 ? TCP_OVER_IPV4 : TCP_OVER_IPV6, a.length * 2 + 4);
                return buf.writeBytes(a).writeBytes(b).writeShort(source.getPort()).writeShort(destination.getPort());
            }
        }
    }

    /**
     * The header of a connection the proxy makes for itself (a health probe): v2's LOCAL command, or v1's
     * {@code PROXY UNKNOWN}. A backend that requires a header accepts it and uses the connection's own addresses.
     *
     * @throws IllegalArgumentException for {@link ProxyVersion#NONE}
     */
    public static ByteBuf encodeLocal(ByteBufAllocator alloc, ProxyVersion version) {
        Objects.requireNonNull(alloc, "alloc");
        if (checked(version) == ProxyVersion.V1) {
            return alloc.buffer(V1_UNKNOWN.length).writeBytes(V1_UNKNOWN);
        }
        return v2(alloc, V2_LOCAL, UNSPECIFIED, 0);
    }

    /** The v2 fixed part: signature, version and command, family and transport, length of what follows. */
    private static ByteBuf v2(ByteBufAllocator alloc, int command, int family, int length) {
        ByteBuf buf = alloc.buffer(16 + length);
        return buf.writeBytes(V2_SIGNATURE).writeByte(command).writeByte(family).writeShort(length);
    }

    private static ProxyVersion checked(ProxyVersion version) {
        if (Objects.requireNonNull(version, "version") == ProxyVersion.NONE) {
            throw new IllegalArgumentException("no PROXY header for version NONE");
        }
        return version;
    }
}

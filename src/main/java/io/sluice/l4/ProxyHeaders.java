package io.sluice.l4;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.sluice.config.ProxyVersion;
import java.net.InetSocketAddress;

/** Placeholder until the PROXY protocol work lands. */
public final class ProxyHeaders {
    private ProxyHeaders() {
    }

    public static ByteBuf encode(ByteBufAllocator alloc, ProxyVersion version, InetSocketAddress source,
                                 InetSocketAddress destination) {
        throw new UnsupportedOperationException("not yet");
    }
}

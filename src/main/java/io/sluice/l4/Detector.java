package io.sluice.l4;

import io.netty.buffer.ByteBuf;

/**
 * Recognises one protocol from the first bytes a client sends: the SPI behind L4 routes'
 * {@code match: { protocol: NAME }}. Built-in detectors and a library user's own (registered on the
 * {@code Sluice} builder, or listed in {@code META-INF/services/io.sluice.l4.Detector}) are the same kind
 * of thing.
 * <p>{@link #detect} is called on an event loop each time more bytes arrive, with everything seen so far,
 * until it answers something other than {@link Detection#NEED_MORE}; it must be quick, must not block and
 * must not keep the buffer. Implementations must be thread-safe (one instance serves every connection);
 * the built-ins keep no state at all.
 */
public interface Detector {
    /** The name routes use, lower case, e.g. {@code "tls"}. */
    String protocol();

    /** Whether this detector recognises TCP streams (the default). */
    default boolean stream() {
        return true;
    }

    /** Whether this detector recognises UDP datagrams (then {@link #detect} sees one whole datagram). */
    default boolean datagram() {
        return false;
    }

    /**
     * Looks at the bytes seen so far, from {@code seen.readerIndex()} to {@code seen.writerIndex()}. Must not
     * change the buffer's indexes or content, nor release or retain it. For a datagram the bytes are the
     * whole datagram, so {@link Detection#NEED_MORE} counts as no match.
     */
    Detection detect(ByteBuf seen);
}

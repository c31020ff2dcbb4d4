package io.sluice.demo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;

/**
 * The body of {@code /bytes/{n}}, made on demand in 32 KiB pieces: byte {@code i} of the body is
 * {@code (byte) (i % 251)} (see {@link DemoBackend#patternByte(long)}). Because 251 is prime and not a
 * power of two, a proxy that drops, repeats or reorders any chunk produces a different digest.
 *
 * <p>Meant to be driven by a {@code ChunkedWriteHandler}, which only asks for the next piece while the
 * channel is writable, so the whole body is never held in memory. Not thread-safe: one instance per
 * response, used on that channel's event loop.
 */
final class PatternInput implements ChunkedInput<ByteBuf> {
    /** Size of each generated piece. */
    static final int CHUNK = 32 * 1024;

    /** The pattern repeats every {@code PERIOD} bytes. */
    static final int PERIOD = 251;

    /** One period followed by a chunk's worth more, so any chunk is one contiguous copy out of it. */
    private static final byte[] TABLE = new byte[PERIOD + CHUNK];

    static {
        for (int i = 0; i < TABLE.length; i++) {
            TABLE[i] = (byte) (i % PERIOD);
        }
    }

    private final long length;
    private long offset;

    PatternInput(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0: " + length);
        }
        this.length = length;
    }

    @Override
    public boolean isEndOfInput() {
        return offset >= length;
    }

    @Override
    public void close() {
        // nothing to free: chunks are made on demand
    }

    @Deprecated
    @Override
    public ByteBuf readChunk(ChannelHandlerContext ctx) {
        return readChunk(ctx.alloc());
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator allocator) {
        if (offset >= length) {
            return null;
        }
        int n = (int) Math.min(CHUNK, length - offset);
        ByteBuf buf = allocator.buffer(n);
        buf.writeBytes(TABLE, (int) (offset % PERIOD), n);
        offset += n;
        return buf;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public long progress() {
        return offset;
    }
}

package io.sluice.testing;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A buffer allocator for {@code EmbeddedChannel} tests that remembers every buffer it made, so a test can
 * check, right after one input, that each was released exactly as far as zero (a leak shows up with the
 * input that caused it, not at the next garbage collection). Unpooled heap buffers only. Not thread-safe:
 * one per test input, on the test's thread.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> made = new ArrayList<>();

    public TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf b = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        made.add(b);
        return b;
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** How many buffers this allocator made. */
    public int count() {
        return made.size();
    }

    /** Throws when a buffer this allocator made still holds a reference. */
    public void assertAllReleased(String when) {
        int held = 0;
        StringBuilder sizes = new StringBuilder();
        for (ByteBuf b : made) {
            if (b.refCnt() != 0) {
                held++;
                if (held <= 8) {
                    sizes.append(' ').append(b.capacity()).append("B refCnt=").append(b.refCnt());
                }
            }
        }
        if (held > 0) {
            throw new AssertionError(held + " of " + made.size() + " buffers not released " + when + ":" + sizes);
        }
    }

    /** An {@code EmbeddedChannel} with {@code handler} whose buffers come from this allocator (set before it registers). */
    public EmbeddedChannel channel(ChannelHandler handler) {
        EmbeddedChannel ch = new EmbeddedChannel(false, false, handler);
        ch.config().setAllocator(this);
        try {
            ch.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return ch;
    }

    /** A buffer of this allocator holding {@code input[from, to)} (at least one byte of capacity). */
    public ByteBuf copyOf(byte[] input, int from, int to) {
        ByteBuf b = heapBuffer(Math.max(1, to - from));
        b.writeBytes(input, from, to - from);
        return b;
    }
}

package io.sluice.http;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import java.util.ArrayList;

/**
 * The request body parts already sent to a backend, kept (as retained duplicates) so that a retry can send
 * them again. Holds at most {@link #MAX_BYTES}; past that it lets everything go and reports itself
 * {@link #overflowed()}: a large streamed body is never replayed. One per client connection, emptied
 * between requests. Confined to the connection's event loop.
 */
final class ReplayBuffer {
    /** The most body a retry may replay: 64 KiB. */
    static final int MAX_BYTES = 64 * 1024;

    /** Made when a first part is kept: most requests have no body, and on HTTP/2 there is a buffer per stream. */
    private ArrayList<HttpContent> parts;
    private long bytes;
    private boolean overflowed;

    /** Keeps a duplicate of {@code c}, which is about to be written upstream; false once over the limit. */
    boolean keep(HttpContent c) {
        if (overflowed) {
            return false;
        }
        int n = c.content().readableBytes();
        if (bytes + n > MAX_BYTES) {
            release();
            overflowed = true;
            return false;
        }
        bytes += n;
        if (parts == null) {
            parts = new ArrayList<>(4);
        }
        parts.add(c.retainedDuplicate());
        return true;
    }

    /** True once the body outgrew the buffer: what was sent can no longer be replayed. */
    boolean overflowed() {
        return overflowed;
    }

    /** Writes every kept part to {@code ch} again, keeping the originals for a further retry. */
    void replay(Channel ch) {
        for (int i = 0, n = parts == null ? 0 : parts.size(); i < n; i++) { // by index: no iterator per request
            ch.write(parts.get(i).retainedDuplicate(), ch.voidPromise());
        }
    }

    /** Releases every kept part and starts over empty; idempotent. */
    void release() {
        if (parts != null) {
            for (int i = 0, n = parts.size(); i < n; i++) {
                parts.get(i).release();
            }
            parts.clear();
        }
        bytes = 0;
        overflowed = false;
    }
}

package io.sluice.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;

/**
 * Decides whether a request may go again, once, on a fresh connection when the reused (pooled) connection
 * it was sent on closes before any of the response came: the backend had closed it as idle. A request the
 * backend provably did not process (the connection closed before the request was all written) goes again
 * whatever its method, so its body is kept until written; one written in full goes again only when its
 * method may be sent twice. One per exchange; confined to the client connection's event loop.
 */
final class StaleResend implements ChannelFutureListener {
    private final Attempts attempts;
    private Channel channel;
    private boolean reused;
    private boolean resendable;
    private boolean resent;
    private boolean written;

    StaleResend(Attempts attempts) {
        this.attempts = attempts;
    }

    /** A new attempt starts (on another backend, perhaps): it may be re-sent once again. */
    void newAttempt() {
        resent = false;
        written = false;
    }

    /**
     * The request is about to be written on {@code ch}.
     *
     * @param pooled     the connection was idle in the pool
     * @param resendable the method may be sent twice (idempotent, or allowed by the pool's retry rules)
     */
    void attached(Channel ch, boolean pooled, boolean resendable) {
        channel = ch;
        reused = pooled;
        this.resendable = resendable;
        written = false;
        if (pooled && !resendable) {
            attempts.keepBody(true);
        }
    }

    /** The request's last part was written to the connection (not yet flushed, perhaps). */
    void requestSent() {
        if (reused && !resendable) {
            // Completes once every byte before it reached the socket: from then on a close may follow processing.
            channel.write(Unpooled.EMPTY_BUFFER).addListener(this);
        }
    }

    @Override
    public void operationComplete(ChannelFuture f) {
        if (f.isSuccess() && f.channel() == channel) {
            written = true;
            attempts.releaseBody(); // kept only for a re-send, which can no longer happen
        }
    }

    /** The connection closed before the response started: true (and remembered) when the request may go again. */
    boolean tryResend() {
        if (!reused || resent || attempts.bodyDropped() || (written && !resendable)) {
            return false;
        }
        resent = true;
        return true;
    }
}

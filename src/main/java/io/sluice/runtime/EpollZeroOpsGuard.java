package io.sluice.runtime;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;

/**
 * Works around a defect of Netty 4.2.18's epoll transport that breaks half-closed connections. When a channel
 * has no event left to wait for (its input shut, reads not requested, nothing to write), Netty removes its
 * socket from the epoll set but remembers it as still added; the next write that has to wait for the socket
 * then asks epoll to modify a registration that no longer exists, fails with ENOENT, and the channel loses
 * what it was writing. An L4 relay or an HTTP answer to a client that has shut its sending side hits exactly
 * that. This wrapper keeps such sockets in the set with no event but edge-triggered hang-up and error (which
 * epoll always reports), so the next wait is an ordinary modification. Remove it once Netty is upgraded past
 * the defect. Thread-safe as the handler it wraps (each is confined to its event loop).
 */
final class EpollZeroOpsGuard extends ForwardingIoHandler {
    private static final EpollIoOps IDLE = EpollIoOps.EPOLLET;

    private EpollZeroOpsGuard(IoHandler delegate) {
        super(delegate);
    }

    /** Netty's epoll handler factory, with every handler wrapped. */
    static IoHandlerFactory factory() {
        return wrapping(EpollIoHandler.newFactory(), EpollZeroOpsGuard::new);
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return new Registration(super.register(handle));
    }

    /** A registration whose "no events" request keeps the socket in the set instead of removing it. */
    private record Registration(IoRegistration delegate) implements IoRegistration {
        @Override
        public <T> T attachment() {
            return delegate.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            if (ops instanceof EpollIoOps e && e.value() == 0) {
                return delegate.submit(IDLE);
            }
            return delegate.submit(ops);
        }

        @Override
        public boolean isValid() {
            return delegate.isValid();
        }

        @Override
        public boolean cancel() {
            return delegate.cancel();
        }
    }
}

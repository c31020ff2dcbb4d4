package io.sluice.runtime;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.util.function.UnaryOperator;

/**
 * An {@link IoHandler} that passes every call to the one it wraps; the guards Sluice puts around Netty's native
 * handlers ({@link EpollZeroOpsGuard}, {@code io.netty.channel.uring.PollResultGuard}) override {@link #register}
 * only. Thread-safe as the handler it wraps (each is confined to its event loop).
 */
public abstract class ForwardingIoHandler implements IoHandler {
    private final IoHandler delegate;

    protected ForwardingIoHandler(IoHandler delegate) {
        this.delegate = delegate;
    }

    /** {@code factory}, with every handler it makes passed through {@code wrap}. */
    public static IoHandlerFactory wrapping(IoHandlerFactory factory, UnaryOperator<IoHandler> wrap) {
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor executor) {
                return wrap.apply(factory.newHandler(executor));
            }

            @Override
            public boolean isChangingThreadSupported() {
                return factory.isChangingThreadSupported();
            }
        };
    }

    @Override
    public void initialize() {
        delegate.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        return delegate.run(context);
    }

    @Override
    public void prepareToDestroy() {
        delegate.prepareToDestroy();
    }

    @Override
    public void destroy() {
        delegate.destroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return delegate.register(handle);
    }

    @Override
    public void wakeup() {
        delegate.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return delegate.isCompatible(handleType);
    }
}

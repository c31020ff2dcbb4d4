package io.netty.channel.uring;

import io.netty.channel.IoEvent;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.sluice.runtime.ForwardingIoHandler;

/**
 * Sluice's workaround for a defect of Netty 4.2.18's io_uring transport that stalls writes. A channel keeps up to
 * three polls armed (POLLIN, POLLOUT, POLLRDHUP) and Netty hands each poll completion to the handlers whose bits
 * are set in its result, whichever poll it answers. On a connection whose peer has shut its side, the kernel can
 * answer the POLLOUT poll with POLLRDHUP alone: Netty then treats it as the hang-up poll's answer, the POLLOUT
 * poll counts as armed for ever, and every later flush waits for it, so the connection's pending bytes stay in
 * Sluice until the idle timeout (seen with a logging variant of this class: the stalled connection's POLLOUT poll,
 * submitted with mask 4, completed with 8192).
 *
 * <p>This wraps the io_uring handler and every registration: it remembers the mask each POLL_ADD was submitted
 * with, and before Netty sees a poll's completion it keeps only the bits that poll asked for; a poll that fired for
 * none of them (an error, a hang-up, another poll's event) is reported as firing for what it asked, so its owner
 * tries its read or write again and meets the real condition there. Negative results (cancelled polls) pass
 * unchanged. It lives in Netty's package because the submitted operation's fields are package-private there.
 * Remove it once Netty dispatches poll completions by the poll they answer. Confined to the handler's event loop,
 * like the handler it wraps.
 */
public final class PollResultGuard extends ForwardingIoHandler {

    private PollResultGuard(IoHandler delegate) {
        super(delegate);
    }

    /** Netty's io_uring handler factory, with every handler wrapped. */
    public static IoHandlerFactory factory() {
        return wrapping(IoUringIoHandler.newFactory(), PollResultGuard::new);
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        Polls polls = new Polls((IoUringIoHandle) handle);
        polls.registration = super.register(polls);
        return polls;
    }

    /**
     * The armed polls of one registration (by the 16-bit data Netty gives each operation) and the masks they asked
     * for; both the handle Netty's handler calls and the registration the channel submits through.
     */
    static final class Polls implements IoUringIoHandle, IoRegistration {
        private static final int MAX = 8;
        private final IoUringIoHandle handle;
        private final short[] data = new short[MAX];
        private final int[] mask = new int[MAX];
        private int count;
        IoRegistration registration;

        Polls(IoUringIoHandle handle) {
            this.handle = handle;
        }

        @Override
        public long submit(IoOps ops) {
            IoUringIoOps o = (IoUringIoOps) ops;
            boolean poll = o.opcode() == Native.IORING_OP_POLL_ADD && count < MAX;
            if (poll) {
                short d = o.data();
                int m = o.union3();
                for (int i = 0; i < count; i++) {
                    if (data[i] == d) {
                        // Netty's 16-bit operation ids wrapped onto a poll still armed: the two completions cannot
                        // be told apart, so neither is rewritten (Netty's own behaviour).
                        mask[i] = 0;
                        m = 0;
                    }
                }
                data[count] = d;
                mask[count] = m;
                count++;
            }
            long id = registration.submit(ops);
            if (poll && id == 0) {
                count--; // not submitted: no completion will come
            }
            return id;
        }

        @Override
        public void handle(IoRegistration r, IoEvent event) {
            IoUringIoEvent e = (IoUringIoEvent) event;
            if (e.opcode() == Native.IORING_OP_POLL_ADD) {
                int asked = take((short) e.userData(), (e.flags() & Native.IORING_CQE_F_MORE) == 0);
                int res = e.res();
                if (asked != 0 && res >= 0 && (res & ~asked) != 0) {
                    int kept = (res & asked) != 0 ? res & asked : asked;
                    event = new IoUringIoEvent(kept, e.flags(), e.opcode(), e.userData());
                }
            }
            handle.handle(r, event);
        }

        /**
         * The mask the poll with this data asked for (0 if unknown or ambiguous), forgotten when its last completion
         * came.
         */
        int take(short d, boolean last) {
            for (int i = 0; i < count; i++) {
                if (data[i] == d) {
                    int m = mask[i];
                    if (last) {
                        count--;
                        data[i] = data[count];
                        mask[i] = mask[count];
                    }
                    return m;
                }
            }
            return 0;
        }

        @Override
        public void close() throws Exception {
            handle.close();
        }

        @Override
        public void registered() {
            handle.registered();
        }

        @Override
        public void unregistered() {
            handle.unregistered();
        }

        @Override
        public <T> T attachment() {
            return registration.attachment();
        }

        @Override
        public boolean isValid() {
            return registration.isValid();
        }

        @Override
        public boolean cancel() {
            return registration.cancel();
        }
    }
}

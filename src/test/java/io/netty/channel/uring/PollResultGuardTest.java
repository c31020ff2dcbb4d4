package io.netty.channel.uring;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.IoEvent;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PollResultGuard}: each poll completion reaches Netty with only the bits its own poll asked for, so Netty,
 * which dispatches a poll completion by its bits, cannot take the POLLOUT poll's answer for the hang-up poll's.
 * No ring is needed: the guard sits between the ring's handler and the channel, and both are played here.
 */
class PollResultGuardTest {
    private static final int POLLIN = 0x1;
    private static final int POLLOUT = 0x4;
    private static final int POLLHUP = 0x10;
    private static final int POLLRDHUP = 0x2000;
    private static final int F_MORE = Native.IORING_CQE_F_MORE;
    private static final int ECANCELED = -125;

    private final List<Integer> seen = new ArrayList<>();
    private final PollResultGuard.Polls polls = new PollResultGuard.Polls(new IoUringIoHandle() {
        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            seen.add(((IoUringIoEvent) event).res());
        }

        @Override
        public void close() {
        }
    });

    PollResultGuardTest() {
        polls.registration = new IoRegistration() {
            @Override
            public <T> T attachment() {
                return null;
            }

            @Override
            public long submit(IoOps ops) {
                return 1;
            }

            @Override
            public boolean isValid() {
                return true;
            }

            @Override
            public boolean cancel() {
                return false;
            }
        };
    }

    private void poll(int mask, int data) {
        polls.submit(IoUringIoOps.newPollAdd(7, (byte) 0, mask, 0, (short) data));
    }

    private int complete(int data, int res, int flags) {
        polls.handle(null, new IoUringIoEvent(res, flags, Native.IORING_OP_POLL_ADD, (long) (short) data));
        return seen.get(seen.size() - 1);
    }

    @Test
    void aPollForRoomAnsweredWithHangUpAloneReachesNettyAsRoom() {
        poll(POLLIN, 1);
        poll(POLLOUT, 2);
        poll(POLLRDHUP, 3);
        assertThat(complete(2, POLLRDHUP, 0)).as("the stall: Netty read this as the hang-up poll's answer")
                .isEqualTo(POLLOUT);
        assertThat(complete(3, POLLRDHUP, 0)).isEqualTo(POLLRDHUP);
    }

    @Test
    void extraBitsAreDroppedAndAnswersWithinTheMaskPassUnchanged() {
        poll(POLLIN, 1);
        poll(POLLOUT, 2);
        assertThat(complete(1, POLLIN | POLLRDHUP | POLLHUP, 0)).isEqualTo(POLLIN);
        assertThat(complete(2, POLLOUT, 0)).isEqualTo(POLLOUT);
    }

    @Test
    void cancelledPollsAndUnknownOnesPassUnchanged() {
        poll(POLLOUT, 2);
        assertThat(complete(2, ECANCELED, 0)).isEqualTo(ECANCELED);
        assertThat(complete(9, POLLRDHUP, 0)).as("never submitted through the guard").isEqualTo(POLLRDHUP);
    }

    @Test
    void aMultishotPollKeepsItsMaskUntilItsLastCompletionAndIdsAreForgottenThen() {
        poll(POLLIN, 1);
        assertThat(complete(1, POLLIN | POLLRDHUP, F_MORE)).isEqualTo(POLLIN);
        assertThat(complete(1, POLLRDHUP, F_MORE)).isEqualTo(POLLIN);
        assertThat(complete(1, POLLIN, 0)).isEqualTo(POLLIN);
        assertThat(complete(1, POLLRDHUP, 0)).as("that poll is done; the data may be reused").isEqualTo(POLLRDHUP);
        for (int i = 0; i < 100; i++) { // a long-lived channel arms and answers polls without end
            poll(POLLOUT, 100 + i);
            assertThat(complete(100 + i, POLLRDHUP, 0)).isEqualTo(POLLOUT);
        }
    }

    @Test
    void twoArmedPollsWithTheSameIdAreLeftAsNettySeesThem() {
        poll(POLLIN, 5); // a long-lived multishot poll
        poll(POLLOUT, 5); // Netty's 16-bit operation ids wrapped onto it
        assertThat(complete(5, POLLRDHUP, 0)).as("cannot tell which poll answered").isEqualTo(POLLRDHUP);
        assertThat(complete(5, POLLIN | POLLRDHUP, 0)).isEqualTo(POLLIN | POLLRDHUP);
        poll(POLLOUT, 6);
        assertThat(complete(6, POLLRDHUP, 0)).as("other ids are still guarded").isEqualTo(POLLOUT);
    }
}

package io.sluice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.sluice.runtime.Transport;
import java.lang.ref.WeakReference;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A closed connection must leave nothing in its event loop's scheduler: a waiting timer task holds the whole
 * channel until it runs, and with a header or idle timeout of a minute a stream of short connections piles up
 * tens of thousands of dead channels on the heap (what Connection: close traffic did before).
 */
class DeadlineTimerTest {

    @Test
    void aClosedClientConnectionLeavesNoTimerWaiting() {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestTimer(TimeUnit.SECONDS.toNanos(60),
                TimeUnit.SECONDS.toNanos(60)));
        assertThat(ch.runScheduledPendingTasks()).as("the header timeout waits").isPositive();
        ch.close();
        assertThat(ch.runScheduledPendingTasks()).as("nothing waits once the connection closed").isEqualTo(-1);
    }

    /**
     * On a real event loop (the transport this JVM runs): once the client has gone, the server side of the
     * connection can be collected. Before, the header timer's task kept it until its deadline, a minute later.
     */
    @Test
    void aClosedConnectionCanBeCollectedBeforeItsTimeoutsWouldHaveRun() throws Exception {
        EventLoopGroup group = Transport.newGroup(1, "timer-test");
        List<WeakReference<Channel>> accepted = new CopyOnWriteArrayList<>();
        try {
            Channel server = Transport.proxyServer(group, group)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            accepted.add(new WeakReference<>(ch));
                            ch.pipeline().addLast(new RequestTimer(TimeUnit.SECONDS.toNanos(60),
                                    TimeUnit.SECONDS.toNanos(60)));
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            for (int i = 0; i < 20; i++) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.getOutputStream().write('G');
                }
            }
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                System.gc();
                assertThat(accepted).hasSize(20);
                assertThat(accepted).allSatisfy(r -> assertThat(r.get()).isNull());
            });
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** A timer on an embedded channel that counts its expiries. */
    private static final class Fixture {
        final AtomicInteger expired = new AtomicInteger();
        DeadlineTimer timer;
        final EmbeddedChannel ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                timer = new DeadlineTimer(ctx, expired::incrementAndGet);
            }
        });
    }

    @Test
    void anEarlierDeadlineTakesTheLaterTaskOutAndCancelTakesTheLastOne() {
        Fixture f = new Fixture();
        f.timer.arm(TimeUnit.HOURS.toNanos(1));
        long first = f.ch.runScheduledPendingTasks();
        f.timer.arm(TimeUnit.MINUTES.toNanos(1));
        long second = f.ch.runScheduledPendingTasks();
        assertThat(second).isPositive().isLessThan(first).isLessThanOrEqualTo(TimeUnit.MINUTES.toNanos(1));
        f.timer.cancel();
        // had the hour-long task stayed when the minute-long one replaced it, it would be next now
        assertThat(f.ch.runScheduledPendingTasks()).as("neither task is left").isEqualTo(-1);
        assertThat(f.expired).hasValue(0);
        f.ch.finishAndReleaseAll();
    }

    @Test
    void anArmedTimerStillExpires() {
        Fixture f = new Fixture();
        f.timer.arm(TimeUnit.MILLISECONDS.toNanos(1));
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1)).untilAsserted(() -> {
            f.ch.runScheduledPendingTasks();
            assertThat(f.expired).hasValue(1);
        });
        f.ch.finishAndReleaseAll();
    }
}

package io.sluice.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;

/** The test backends' accept loop: once {@code close()} returns, the port refuses connections. */
class AcceptLoopTest {

    @RepeatedTest(20)
    void aConnectAfterCloseIsRefusedNotAcceptedAndLeftUnanswered() throws Exception {
        LinkedBlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
        AcceptLoop loop = new AcceptLoop(server, "accept-loop-test", accepted::add);
        try (Socket first = new Socket(at.getAddress(), at.getPort())) {
            Socket served = accepted.poll(10, TimeUnit.SECONDS);
            assertThat(served).as("the loop hands over what it accepts").isNotNull();
            served.close();
            // The loop is blocked in accept again (or about to be) when it is closed.
            loop.close();
            assertThatThrownBy(() -> new Socket(at.getAddress(), at.getPort()).close())
                    .isInstanceOf(ConnectException.class);
            assertThat(accepted).isEmpty();
        }
    }
}

package io.sluice.turn;

import io.sluice.testing.Command;
import io.sluice.testing.SluiceProcess;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;

/**
 * coturn's {@code turnutils_peer} on a free loopback port: it echoes every datagram, the peer TURN clients relay to
 * in tests. Started and waited for (until it echoes) by the constructor; stopped by {@link #close()}.
 */
final class EchoPeer implements AutoCloseable {
    private final Process process;
    private final int port;

    EchoPeer() throws Exception {
        String command = Command.require("turnutils_peer", "coturn").toString();
        port = SluiceProcess.freePort();
        process = new ProcessBuilder(command, "-L", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(200);
            for (int i = 0; i < 100; i++) {
                s.send(new DatagramPacket(new byte[] {1}, 1, new InetSocketAddress("127.0.0.1", port)));
                try {
                    s.receive(new DatagramPacket(new byte[16], 16));
                    return;
                } catch (SocketTimeoutException e) {
                    // not bound yet: the next datagram asks again
                }
            }
        }
        process.destroyForcibly();
        throw new AssertionError("turnutils_peer did not start on port " + port);
    }

    int port() {
        return port;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}

package io.sluice.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server on loopback with one certificate (the JDK's {@code SSLServerSocket}), for checking TLS
 * passthrough: whoever reaches it sees its own certificate. Per connection it completes the handshake, records
 * the server name the client asked for, reads one line and answers {@code "<name>: <line>\n"}, then closes.
 * Thread-safe.
 */
public final class TlsBackend implements AutoCloseable {
    private final String name;
    private final SSLServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tls-backend");
        t.setDaemon(true);
        return t;
    });
    private final List<String> serverNames = new CopyOnWriteArrayList<>();
    private final AcceptLoop acceptLoop;

    private TlsBackend(String name, TestCerts.Issued cert) throws Exception {
        this.name = name;
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] password = "test".toCharArray();
        ks.setKeyEntry("server", cert.privateKey(), password, new Certificate[] {cert.x509()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptLoop = new AcceptLoop(server, "tls-backend-accept", s -> threads.execute(() -> serve((SSLSocket) s)));
    }

    /** Starts a backend that shows {@code cert} and names itself {@code name} in its answers. */
    public static TlsBackend start(String name, TestCerts.Issued cert) throws Exception {
        return new TlsBackend(name, cert);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The server name (SNI) each completed handshake asked for, "" for none, in order. */
    public List<String> serverNames() {
        return List.copyOf(serverNames);
    }

    private void serve(SSLSocket s) {
        try (s) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            String sni = "";
            if (s.getSession() instanceof ExtendedSSLSession e) {
                for (SNIServerName n : e.getRequestedServerNames()) {
                    if (n instanceof SNIHostName h) {
                        sni = h.getAsciiName();
                    }
                }
            }
            serverNames.add(sni);
            InputStream in = s.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                line.write(c);
            }
            OutputStream out = s.getOutputStream();
            out.write((name + ": " + line.toString(StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // a client that went away, or a probe that never spoke TLS
        }
    }

    @Override
    public void close() throws IOException {
        acceptLoop.close();
        threads.shutdownNow();
    }
}

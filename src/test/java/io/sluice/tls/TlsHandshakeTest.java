package io.sluice.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.sluice.config.ListenerTlsConfig;
import io.sluice.config.UpstreamProtocol;
import io.sluice.config.UpstreamTlsConfig;
import io.sluice.testing.TestCerts;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real handshakes over loopback, with each TLS provider: a Netty server with {@code SniHandler} over
 * {@link ServerTls} gives each SNI name its certificate and negotiates ALPN; a Netty client over
 * {@link ClientTls} sends the configured name and checks the server's certificate against it.
 */
class TlsHandshakeTest {
    @TempDir
    static Path dir;
    static TestCerts.Ca ca;
    static TestCerts.Issued a;
    static TestCerts.Issued b;
    static EventLoopGroup group;
    private Channel server;

    @BeforeAll
    static void setUp() {
        ca = TestCerts.ca(dir, "Test CA");
        a = ca.issue(dir, "a", List.of("DNS:a.test", "IP:127.0.0.1"));
        b = ca.issue(dir, "b", List.of("DNS:b.test"));
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void closeServer() {
        System.clearProperty(TlsProvider.PROPERTY);
        if (server != null) {
            server.close().syncUninterruptibly();
        }
    }

    private static void use(String provider) {
        if (provider.equals("openssl")) {
            assumeThat(OpenSsl.isAvailable()).as("OpenSSL (netty-tcnative) loads here").isTrue();
        }
        System.setProperty(TlsProvider.PROPERTY, provider);
    }

    /** Starts a server on 127.0.0.1:0 that serves {@code tls} and echoes one line "ok". */
    private int serve(ServerTls tls) {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new SniHandler(tls.sniMapping()), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ReferenceCountUtil.release(msg);
                                ctx.writeAndFlush(Unpooled.copiedBuffer("ok\n".getBytes()));
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close(); // failed handshakes are part of the test
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private static ServerTls serverTls(boolean http2) {
        return ServerTls.build("test", new ListenerTlsConfig(List.of(a.tls(), b.tls()),
                ListenerTlsConfig.DEFAULT_PROTOCOLS, ListenerTlsConfig.DEFAULT_ALPN, ListenerTlsConfig.ClientAuth.NONE,
                null), http2);
    }

    /** A JDK client handshake with {@code sni} (null for none); returns the socket after one round trip. */
    private static SSLSocket jdkClient(SSLContext ctx, int port, String sni) throws Exception {
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        p.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        s.setSSLParameters(p);
        s.startHandshake();
        s.getOutputStream().write("hi\n".getBytes());
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        assertThat(new String(in.readNBytes(3))).isEqualTo("ok\n");
        return s;
    }

    private static String peerSubject(SSLSocket s) throws Exception {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void eachSniNameGetsItsCertificate(String provider) throws Exception {
        use(provider);
        int port = serve(serverTls(true));
        // a new client context each time: the JDK client resumes a session by host and port, and then sends
        // the SNI name of the session it resumes rather than the one asked for

        try (SSLSocket s = jdkClient(TestCerts.trusting(ca), port, "a.test")) {
            assertThat(peerSubject(s)).isEqualTo("CN=a");
            assertThat(s.getApplicationProtocol()).isEqualTo("h2");
        }
        try (SSLSocket s = jdkClient(TestCerts.trusting(ca), port, "b.test")) {
            assertThat(peerSubject(s)).isEqualTo("CN=b");
        }
        try (SSLSocket s = jdkClient(TestCerts.trusting(ca), port, "other.test")) {
            assertThat(peerSubject(s)).isEqualTo("CN=a");
        }
        try (SSLSocket s = jdkClient(TestCerts.trusting(ca), port, null)) {
            assertThat(peerSubject(s)).isEqualTo("CN=a");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void withoutHttp2AlpnPicksHttp11(String provider) throws Exception {
        use(provider);
        int port = serve(serverTls(false));

        try (SSLSocket s = jdkClient(TestCerts.trusting(ca), port, "b.test")) {
            assertThat(s.getApplicationProtocol()).isEqualTo("http/1.1");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void clientSendsTheNameAndChecksIt(String provider) throws Exception {
        use(provider);
        int port = serve(serverTls(true));
        UpstreamTlsConfig trustCa = new UpstreamTlsConfig(true, ca.cert(), null, null, null);

        assertThat(handshake(trustCa, UpstreamProtocol.HTTP1, "a.test", port)).isEqualTo("CN=a http/1.1");
        assertThat(handshake(trustCa, UpstreamProtocol.H2, "127.0.0.1", port)).isEqualTo("CN=a h2");
        UpstreamTlsConfig sniB = new UpstreamTlsConfig(true, ca.cert(), "b.test", null, null);
        assertThat(handshake(sniB, UpstreamProtocol.HTTP1, "127.0.0.1", port)).isEqualTo("CN=b http/1.1");

        UpstreamTlsConfig wrongName = new UpstreamTlsConfig(true, ca.cert(), "wrong.test", null, null);
        assertThat(handshake(wrongName, UpstreamProtocol.HTTP1, "127.0.0.1", port)).startsWith("failed");
        UpstreamTlsConfig defaultTrust = UpstreamTlsConfig.DEFAULTS;
        assertThat(handshake(defaultTrust, UpstreamProtocol.HTTP1, "a.test", port)).startsWith("failed");
        UpstreamTlsConfig noVerify = new UpstreamTlsConfig(false, null, "wrong.test", null, null);
        assertThat(handshake(noVerify, UpstreamProtocol.HTTP1, "127.0.0.1", port)).isEqualTo("CN=a http/1.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void clientCertificateIsShownToAServerThatRequiresOne(String provider) throws Exception {
        use(provider);
        TestCerts.Issued client = ca.issue(dir, "client-" + provider, List.of("DNS:client.test"));
        ServerTls tls = ServerTls.build("mtls", new ListenerTlsConfig(List.of(a.tls()),
                ListenerTlsConfig.DEFAULT_PROTOCOLS, ListenerTlsConfig.DEFAULT_ALPN,
                ListenerTlsConfig.ClientAuth.REQUIRE, ca.cert()), true);
        int port = serve(tls);

        UpstreamTlsConfig withCert = new UpstreamTlsConfig(true, ca.cert(), "a.test", client.cert(), client.key());
        assertThat(handshake(withCert, UpstreamProtocol.HTTP1, "127.0.0.1", port)).isEqualTo("CN=a http/1.1");
        try (SSLSocket s = jdkClient(TestCerts.trustingWithClientCert(ca.cert(), client), port, "a.test")) {
            assertThat(peerSubject(s)).isEqualTo("CN=a");
        }
    }

    /** Connects with ClientTls; "subject protocol" after a round trip, or "failed: reason". */
    private static String handshake(UpstreamTlsConfig cfg, UpstreamProtocol protocol, String host, int port)
            throws Exception {
        SslContext ctx = ClientTls.build(cfg, protocol);
        SslHandler[] handler = new SslHandler[1];
        java.util.concurrent.CompletableFuture<String> reply = new java.util.concurrent.CompletableFuture<>();
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        handler[0] = ClientTls.newHandler(ctx, cfg, ByteBufAllocator.DEFAULT, host, port,
                                Duration.ofSeconds(5));
                        c.pipeline().addLast(handler[0], new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext c2, Object msg) {
                                ReferenceCountUtil.release(msg);
                                reply.complete("ok");
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext c2, Throwable cause) {
                                c2.close(); // the handshake future carries the failure
                            }
                        });
                    }
                }).connect("127.0.0.1", port).syncUninterruptibly().channel();
        try {
            Future<Channel> done = handler[0].handshakeFuture().await();
            if (!done.isSuccess()) {
                return "failed: " + done.cause();
            }
            ch.writeAndFlush(Unpooled.copiedBuffer("hi\n".getBytes())).syncUninterruptibly();
            assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
            X509Certificate peer = (X509Certificate) handler[0].engine().getSession().getPeerCertificates()[0];
            return peer.getSubjectX500Principal().getName() + " " + handler[0].applicationProtocol();
        } finally {
            ch.close().syncUninterruptibly();
        }
    }
}

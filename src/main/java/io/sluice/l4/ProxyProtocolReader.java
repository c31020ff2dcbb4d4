package io.sluice.l4;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.sluice.config.CidrBlock;
import io.sluice.config.ProxyProtocolConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of a connection on a listener with {@code proxy_protocol}: reads the PROXY header (v1 or v2,
 * HAProxy's specification) a trusted proxy sends ahead of the client's bytes, records the addresses it names
 * in {@link ClientAddress#SOURCE} and {@link ClientAddress#DESTINATION}, and removes itself. The header's bytes
 * are never passed on; the bytes after it are, exactly as they came.
 *
 * <p>The rules, by peer and mode:
 * <ul>
 *   <li>a peer in {@code trusted} may send a header (v2's LOCAL command and v1's UNKNOWN keep the socket's
 *       addresses); in {@code require} mode it must, and a connection that starts otherwise is closed;</li>
 *   <li>a peer outside {@code trusted} never may: a connection from it that starts with a PROXY signature is
 *       closed, and in {@code require} mode every connection from it is closed at once;</li>
 *   <li>a malformed header, one longer than {@link #V1_MAX} (v1) or {@link #V2_MAX} (v2) bytes, and a trusted
 *       peer that sends no complete header within the header timeout are closed too.</li>
 * </ul>
 * Each such close is counted in {@code refused} and logged at DEBUG only (a client can cause them at will).
 *
 * <p>The channel reads with AUTO_READ off. While the header is incomplete this handler asks for more bytes
 * itself, holding at most the header's maximum; once it is done it asks for one more read if nothing followed
 * the header, so the next handler gets data. For a trusted peer, {@code channelActive} goes on only when the
 * header has been read, so handlers after this one see the client's real address from their first event; an
 * untrusted peer's addresses cannot change, so its {@code channelActive} goes on at once (a protocol where the
 * server speaks first still works) and this handler stays only to screen its first bytes. Decoding is Netty's
 * {@link HAProxyMessageDecoder}, run on the bytes held here. One per connection; confined to its event loop.
 */
public final class ProxyProtocolReader extends ChannelInboundHandlerAdapter {
    /** The longest v1 header, CRLF included, as the specification bounds it. */
    public static final int V1_MAX = 107;
    /**
     * The longest v2 header accepted: the 16 fixed bytes and up to 4080 bytes of addresses and TLVs. The
     * format allows 65535 bytes after the fixed part, but no proxy sends more than a few hundred (addresses
     * plus TLVs such as AWS's endpoint id or the TLS details), and every byte here is held per connection.
     */
    public static final int V2_MAX = 4096;
    private static final int V2_FIXED = 16;
    /** What Netty's decoder counts as the fixed part and the largest address block (for its TLV limit). */
    private static final int NETTY_V2_MIN = 16 + 216;
    private static final Logger log = LoggerFactory.getLogger(ProxyProtocolReader.class);

    private enum Signature { NEED_MORE, NONE, V1, V2 }

    private final ProxyProtocolConfig config;
    private final long timeoutNanos;
    private final LongAdder refused;
    private Decoder decoder;
    private ByteBuf held;
    private ScheduledFuture<?> timer;
    private boolean started;
    private boolean trusted;
    /** channelActive arrived here and has not gone on yet. */
    private boolean activeHeld;
    private boolean done;

    /**
     * @param config        the listener's settings; must be enabled
     * @param headerTimeout how long a trusted peer has to send its whole header
     * @param refused       counts the connections this handler closes
     */
    public ProxyProtocolReader(ProxyProtocolConfig config, Duration headerTimeout, LongAdder refused) {
        this.config = Objects.requireNonNull(config, "config");
        if (!config.enabled()) {
            throw new IllegalArgumentException("proxy_protocol is off");
        }
        this.timeoutNanos = Math.max(1, Objects.requireNonNull(headerTimeout, "headerTimeout").toNanos());
        this.refused = Objects.requireNonNull(refused, "refused");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx); // added to a live connection: its channelActive has gone by already
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        activeHeld = true;
        start(ctx); // usually done already: an accepted socket is active when its handlers are added
        if (!trusted && !done) {
            passActive(ctx);
        }
    }

    private void start(ChannelHandlerContext ctx) {
        if (started) {
            return;
        }
        started = true;
        trusted = trusted(ctx.channel().remoteAddress());
        if (!trusted && config.mode() == ProxyProtocolConfig.Mode.REQUIRE) {
            refuse(ctx, "is not a trusted proxy");
            return;
        }
        if (trusted) {
            timer = ctx.executor().schedule(() -> onTimeout(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
        }
        ctx.read();
    }

    private boolean trusted(SocketAddress peer) {
        if (!(peer instanceof InetSocketAddress isa) || isa.getAddress() == null) {
            return false;
        }
        InetAddress a = isa.getAddress();
        for (CidrBlock block : config.trusted()) {
            if (block.contains(a)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done) {
            ReferenceCountUtil.release(msg); // read in the same batch as a header that closed the connection
            return;
        }
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        held = held == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), held, in);
        decide(ctx);
    }

    private void decide(ChannelHandlerContext ctx) {
        Signature s = signature(held);
        if (s == Signature.NEED_MORE) {
            ctx.read();
        } else if (s == Signature.NONE) {
            if (trusted && config.mode() == ProxyProtocolConfig.Mode.REQUIRE) {
                refuse(ctx, "sent no PROXY header");
            } else {
                finish(ctx, false);
            }
        } else if (!trusted) {
            refuse(ctx, "sent a PROXY header but is not a trusted proxy");
        } else {
            decodeHeader(ctx, s);
        }
    }

    /** Which signature the bytes so far start with, if they are long enough to tell. */
    private static Signature signature(ByteBuf b) {
        boolean v1 = startsWith(b, ProxyHeaders.V1_SIGNATURE);
        boolean v2 = startsWith(b, ProxyHeaders.V2_SIGNATURE);
        int n = b.readableBytes();
        if (v2 && n >= ProxyHeaders.V2_SIGNATURE.length) {
            return Signature.V2;
        }
        if (v1 && n >= ProxyHeaders.V1_SIGNATURE.length) {
            return Signature.V1;
        }
        return v1 || v2 ? Signature.NEED_MORE : Signature.NONE;
    }

    /** Whether the readable bytes, as far as they go, agree with the start of {@code prefix}. */
    private static boolean startsWith(ByteBuf b, byte[] prefix) {
        int n = Math.min(b.readableBytes(), prefix.length);
        int start = b.readerIndex();
        for (int i = 0; i < n; i++) {
            if (b.getByte(start + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private void decodeHeader(ChannelHandlerContext ctx, Signature s) {
        String tooLong = tooLong(held, s);
        if (tooLong != null) {
            refuse(ctx, tooLong);
            return;
        }
        if (decoder == null) {
            decoder = new Decoder();
        }
        List<Object> out = new ArrayList<>(1);
        try {
            decoder.decodeFrom(ctx, held, out);
        } catch (Exception e) {
            releaseAll(out);
            refuse(ctx, "sent a malformed PROXY header (" + e.getMessage() + ")");
            return;
        }
        if (out.isEmpty()) {
            ctx.read(); // the header goes on in the next read
            return;
        }
        HAProxyMessage m = (HAProxyMessage) out.get(0);
        try {
            if (!record(ctx, m)) {
                refuse(ctx, "sent a PROXY header with unusable addresses");
                return;
            }
        } finally {
            releaseAll(out);
        }
        finish(ctx, true);
    }

    /** Why the header is over its limit, or null while it is within it so far. */
    private static String tooLong(ByteBuf b, Signature s) {
        int n = b.readableBytes();
        int start = b.readerIndex();
        if (s == Signature.V2) {
            if (n >= V2_FIXED && V2_FIXED + b.getUnsignedShort(start + 14) > V2_MAX) {
                return "sent a PROXY v2 header longer than " + V2_MAX + " bytes";
            }
            return null;
        }
        int limit = Math.min(n, V1_MAX);
        for (int i = 1; i < limit; i++) {
            if (b.getByte(start + i - 1) == '\r' && b.getByte(start + i) == '\n') {
                return null;
            }
        }
        return n >= V1_MAX ? "sent a PROXY v1 header with no CRLF in " + V1_MAX + " bytes" : null;
    }

    /** Records the addresses the header names; false when it names addresses that cannot be read. */
    private static boolean record(ChannelHandlerContext ctx, HAProxyMessage m) {
        if (m.command() == HAProxyCommand.LOCAL) {
            return true; // the proxy's own connection (a health check): the socket's addresses stand
        }
        HAProxyProxiedProtocol.AddressFamily family = m.proxiedProtocol().addressFamily();
        if (family != HAProxyProxiedProtocol.AddressFamily.AF_IPv4
                && family != HAProxyProxiedProtocol.AddressFamily.AF_IPv6) {
            return true; // UNKNOWN or a Unix socket: nothing the socket's addresses should give way to
        }
        InetAddress source = NetUtil.createInetAddressFromIpAddressString(m.sourceAddress());
        InetAddress destination = NetUtil.createInetAddressFromIpAddressString(m.destinationAddress());
        if (source == null || destination == null) {
            return false;
        }
        ctx.channel().attr(ClientAddress.SOURCE).set(new InetSocketAddress(source, m.sourcePort()));
        ctx.channel().attr(ClientAddress.DESTINATION).set(new InetSocketAddress(destination, m.destinationPort()));
        return true;
    }

    /**
     * Steps aside: channelActive goes on if held, then whatever followed the header (or, with no header, every
     * byte read), or one read for the next handler when nothing did.
     */
    private void finish(ChannelHandlerContext ctx, boolean headerRead) {
        ByteBuf rest = held;
        held = null;
        ctx.pipeline().remove(this); // sets done and stops the timer
        passActive(ctx);
        if (rest.isReadable()) {
            ctx.fireChannelRead(rest);
        } else {
            rest.release();
            if (headerRead) {
                ctx.read();
            }
        }
    }

    private void passActive(ChannelHandlerContext ctx) {
        if (activeHeld) {
            activeHeld = false;
            ctx.fireChannelActive();
        }
    }

    private void onTimeout(ChannelHandlerContext ctx) {
        if (!done) {
            refuse(ctx, "sent no complete PROXY header in time");
        }
    }

    private void refuse(ChannelHandlerContext ctx, String why) {
        if (done) {
            return;
        }
        stop();
        refused.increment();
        if (log.isDebugEnabled()) {
            log.debug("PROXY protocol: closing the connection from {}: it {}", ctx.channel().remoteAddress(), why);
        }
        ctx.close();
    }

    /** Done either way: the held bytes are released and the timer stopped. */
    private void stop() {
        done = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        if (held != null) {
            ByteBuf b = held;
            held = null;
            b.release();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent && started && !done && (trusted || held != null)) {
            stop(); // the peer stopped sending before its first bytes could be told apart
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    private static void releaseAll(List<Object> out) {
        for (Object o : out) {
            ReferenceCountUtil.release(o);
        }
        out.clear();
    }

    /**
     * Netty's PROXY header decoder, driven directly on the bytes the reader holds rather than placed in the
     * pipeline, so the reader keeps the say over trust, limits and what goes on. Its limit matches
     * {@link #V2_MAX}; on a malformed header it closes the connection and throws.
     */
    private static final class Decoder extends HAProxyMessageDecoder {
        Decoder() {
            super(V2_MAX - NETTY_V2_MIN);
        }

        void decodeFrom(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            decode(ctx, in, out);
        }
    }
}

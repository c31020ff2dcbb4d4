package io.sluice.l4;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.sluice.config.CidrBlock;
import io.sluice.config.ProxyProtocolConfig;
import io.sluice.config.ProxyProtocolConfig.Mode;
import io.sluice.testing.TrackingAllocator;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fuzz target for {@link ProxyProtocolReader}: the input is the raw bytes a peer sends, delivered in up to three
 * reads split where the input's last two bytes say. The last byte also picks whether the peer is a trusted
 * proxy (bit 0x10 clear) and whether the listener requires a header (bit 0x20 set). Checked for every input:
 * <ul>
 *   <li>no exception leaves the pipeline, and every buffer is released (a {@link TrackingAllocator} per input);</li>
 *   <li>what the next handler gets is exactly the input minus a header: a tail of the input, cut where a
 *       valid header ends (v2: 16 bytes plus its length field; v1: its first CRLF, within 107 bytes) or not
 *       cut at all when the input starts with no PROXY signature;</li>
 *   <li>a header is only ever taken from a trusted peer; with {@code require} nothing passes without one;</li>
 *   <li>an input with no PROXY signature passes whole in {@code accept} mode;</li>
 *   <li>a client address is only recorded when a header was cut off.</li>
 * </ul>
 */
class ProxyProtocolReaderFuzzTest {
    private static final InetSocketAddress TRUSTED = new InetSocketAddress("10.1.2.3", 40001);
    private static final InetSocketAddress OTHER = new InetSocketAddress("198.51.100.9", 40002);
    private static final List<CidrBlock> TRUSTED_PROXIES = List.of(CidrBlock.parse("10.0.0.0/8"));

    @DictionaryEntries({"PROXY ", "TCP4 ", "TCP6 ", "UNKNOWN", "127.0.0.1 ", "::1 ", "2001:db8::7 ", "65535",
            "QUIT", "GET / HTTP/1.1"})
    @FuzzTest(maxDuration = "30s")
    void forwardsExactlyTheBytesAfterAValidHeader(byte[] input) {
        int last = input.length == 0 ? 0 : input[input.length - 1] & 0xff;
        boolean trusted = (last & 0x10) == 0;
        Mode mode = (last & 0x20) != 0 ? Mode.REQUIRE : Mode.ACCEPT;
        TrackingAllocator alloc = new TrackingAllocator();
        ByteArrayOutputStream passed = new ByteArrayOutputStream();
        EmbeddedChannel ch = channel(alloc, trusted ? TRUSTED : OTHER, mode, passed);
        InetSocketAddress source;
        try {
            int a = last % (input.length + 1);
            int b = input.length < 2 ? input.length : (input[input.length - 2] & 0xff) % (input.length + 1);
            int first = Math.min(a, b);
            int second = Math.max(a, b);
            feed(ch, alloc, input, 0, first);
            feed(ch, alloc, input, first, second);
            feed(ch, alloc, input, second, input.length);
            source = ch.attr(ClientAddress.SOURCE).get();
            ch.checkException();
        } finally {
            ch.finishAndReleaseAll();
        }
        alloc.assertAllReleased("after the input");
        check(input, passed.toByteArray(), trusted, mode, source);
    }

    private static void check(byte[] input, byte[] out, boolean trusted, Mode mode, InetSocketAddress source) {
        int cut = input.length - out.length;
        if (cut < 0 || !Arrays.equals(out, Arrays.copyOfRange(input, cut, input.length))) {
            throw new AssertionError("passed on bytes that are not the input's tail");
        }
        int header = headerLength(input);
        if (out.length > 0) {
            if (header < 0 && cut != 0) {
                throw new AssertionError("cut " + cut + " bytes off an input with no PROXY signature");
            }
            if (header >= 0 && cut != header) {
                throw new AssertionError("cut " + cut + " bytes, but the header is " + header);
            }
            if (header > 0 && !trusted) {
                throw new AssertionError("took a header from an untrusted peer");
            }
            if (mode == Mode.REQUIRE && (header <= 0 || !trusted)) {
                throw new AssertionError("passed bytes on without a header in require mode");
            }
        }
        if (header == -1 && input.length > 0 && mode == Mode.ACCEPT && out.length != input.length) {
            throw new AssertionError("held back " + cut + " bytes of an input with no PROXY signature");
        }
        if (source != null && (cut == 0 || header <= 0)) {
            throw new AssertionError("recorded a client address without a header");
        }
    }

    /**
     * Where a header of the input would end going by its framing alone: -1 when it starts with no signature
     * (or too few bytes to tell, and those are not a signature's start: -1 too), 0 when it starts with part of
     * a signature and stops there, else the framed length (not whether the content is valid).
     */
    private static int headerLength(byte[] in) {
        if (startsWith(in, ProxyHeaders.V2_SIGNATURE)) {
            return in.length >= 16 ? 16 + ((in[14] & 0xff) << 8 | (in[15] & 0xff)) : 0;
        }
        if (startsWith(in, ProxyHeaders.V1_SIGNATURE)) {
            for (int i = 1; i < Math.min(in.length, ProxyProtocolReader.V1_MAX); i++) {
                if (in[i - 1] == '\r' && in[i] == '\n') {
                    return i + 1;
                }
            }
            return 0;
        }
        if (in.length > 0 && (prefixOf(in, ProxyHeaders.V2_SIGNATURE) || prefixOf(in, ProxyHeaders.V1_SIGNATURE))) {
            return 0;
        }
        return -1;
    }

    private static boolean startsWith(byte[] in, byte[] sig) {
        return in.length >= sig.length && Arrays.equals(in, 0, sig.length, sig, 0, sig.length);
    }

    private static boolean prefixOf(byte[] in, byte[] sig) {
        return in.length < sig.length && Arrays.equals(in, 0, in.length, sig, 0, in.length);
    }

    private static EmbeddedChannel channel(TrackingAllocator alloc, SocketAddress peer, Mode mode,
                                           ByteArrayOutputStream passed) {
        EmbeddedChannel ch = new EmbeddedChannel(false, false) {
            @Override
            protected SocketAddress remoteAddress0() {
                return peer;
            }
        };
        ch.config().setAllocator(alloc);
        ch.config().setAutoRead(false);
        ch.pipeline().addLast(new ProxyProtocolReader(new ProxyProtocolConfig(mode, TRUSTED_PROXIES),
                Duration.ofSeconds(5), new LongAdder()));
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                try {
                    ByteBuf b = (ByteBuf) msg;
                    byte[] copy = new byte[b.readableBytes()];
                    b.getBytes(b.readerIndex(), copy);
                    passed.writeBytes(copy);
                } finally {
                    ReferenceCountUtil.release(msg);
                }
            }
        });
        try {
            ch.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return ch;
    }

    private static void feed(EmbeddedChannel ch, TrackingAllocator alloc, byte[] input, int from, int to) {
        if (to <= from || !ch.isOpen()) {
            return;
        }
        ByteBuf b = alloc.heapBuffer(to - from);
        b.writeBytes(input, from, to - from);
        ch.writeInbound(b);
    }
}

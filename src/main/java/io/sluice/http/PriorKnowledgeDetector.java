package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Tells HTTP/2 with prior knowledge from HTTP/1.1 on a clear-text connection by its first bytes: the HTTP/2
 * client preface ("PRI * HTTP/2.0...") makes it an HTTP/2 connection, anything else an HTTP/1.1 one. Waits
 * only while the bytes so far are a prefix of the preface, so an HTTP/1.1 request is told after its first
 * byte. Removes itself once decided. Confined to the connection's event loop.
 */
final class PriorKnowledgeDetector extends ByteToMessageDecoder {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final HttpListener listener;

    PriorKnowledgeDetector(HttpListener listener) {
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.read();
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        super.userEventTriggered(ctx, evt); // decodes what is left first, which may decide the protocol
        if (evt instanceof ChannelInputShutdownEvent && ctx.pipeline().context(this) != null) {
            ctx.close(); // the client went quiet before saying which protocol: nothing to answer
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.length);
        int start = in.readerIndex();
        for (int i = 0; i < n; i++) {
            if (in.getByte(start + i) != PREFACE[i]) {
                listener.http1(ctx.pipeline());
                ctx.pipeline().remove(this);
                return;
            }
        }
        if (n == PREFACE.length) {
            listener.h2(ctx.pipeline());
            ctx.pipeline().remove(this);
        }
    }
}

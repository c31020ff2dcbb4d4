package io.sluice.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * First handler of a TLS listener's connection: looks at the first byte. A TLS handshake record goes on to
 * the SNI handler; plain HTTP (a letter, as in "GET") gets a 400 that says so and the connection closes, as
 * nginx does; anything else closes at once. Removes itself after the first byte. Confined to the
 * connection's event loop.
 */
final class TlsSniffer extends ByteToMessageDecoder {
    private static final byte HANDSHAKE = 0x16;
    private static final byte[] PLAIN_HTTP = ("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 52\r\nConnection: close\r\n\r\n"
            + "400 Bad Request: plain HTTP sent to an HTTPS port.\r\n").getBytes(StandardCharsets.US_ASCII);

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.read();
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        byte first = in.getByte(in.readerIndex());
        if (first == HANDSHAKE) {
            ctx.pipeline().remove(this); // what was read goes on to the SNI handler
            return;
        }
        in.skipBytes(in.readableBytes());
        if ((first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z')) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(PLAIN_HTTP)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}

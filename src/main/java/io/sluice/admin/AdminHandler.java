package io.sluice.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.sluice.balance.Backend;
import io.sluice.runtime.PoolRuntime;
import io.sluice.runtime.RuntimeSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Answers admin API requests. Stateless apart from the snapshot supplier; shared by all admin connections;
 * thread-safe.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<RuntimeSnapshot> snapshot;

    AdminHandler(Supplier<RuntimeSnapshot> snapshot) {
        this.snapshot = snapshot;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
        String path = new QueryStringDecoder(req.uri()).path();
        FullHttpResponse res;
        if (!req.decoderResult().isSuccess()) {
            res = text(HttpResponseStatus.BAD_REQUEST, "bad request\n");
        } else if (path.equals("/_health")) {
            if (req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD)) {
                res = json(HttpResponseStatus.OK, health(snapshot.get()));
            } else {
                res = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "use GET\n");
                res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            }
        } else {
            res = text(HttpResponseStatus.NOT_FOUND, "not found; try GET /_health\n");
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        HttpUtil.setKeepAlive(res, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(res);
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The /_health document: every backend with its health, weight and requests in flight. */
    static ObjectNode health(RuntimeSnapshot snap) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode backends = JSON.createArrayNode();
        int healthy = 0;
        int total = 0;
        for (PoolRuntime pool : snap.pools()) {
            for (Backend b : pool.backends()) {
                ObjectNode n = backends.addObject();
                n.put("pool", pool.name());
                n.put("address", b.addressText());
                n.put("healthy", b.available());
                n.put("weight", b.endpoint().weight());
                n.put("active_connections", b.state().inFlight());
                total++;
                if (b.available()) {
                    healthy++;
                }
            }
        }
        root.put("healthy", healthy > 0);
        root.set("backends", backends);
        root.put("healthy_count", healthy);
        root.put("total_count", total);
        return root;
    }

    private static FullHttpResponse json(HttpResponseStatus status, Object body) throws Exception {
        byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return r;
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}

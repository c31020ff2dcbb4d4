package io.sluice.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.sluice.runtime.RuntimeSnapshot;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers admin API requests. Stateless apart from the snapshot supplier; shared by all admin connections;
 * thread-safe.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String POOLS = "/api/pools";
    private static final String STRATEGY = "/strategy";

    private final Supplier<RuntimeSnapshot> snapshot;
    private final LongSupplier clock;
    private final byte[] token;
    private final PoolsApi pools = new PoolsApi(JSON);

    /**
     * @param token bearer token that mutating calls must present, or null when none is configured
     * @param clock the data path's clock, for breaker states
     */
    AdminHandler(Supplier<RuntimeSnapshot> snapshot, String token, LongSupplier clock) {
        this.snapshot = snapshot;
        this.clock = clock;
        this.token = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
        FullHttpResponse res;
        try {
            res = answer(req);
        } catch (RuntimeException e) {
            log.warn("admin request {} {} failed", req.method(), req.uri(), e);
            res = text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error\n");
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        HttpUtil.setKeepAlive(res, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(res);
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private FullHttpResponse answer(FullHttpRequest req) throws Exception {
        if (!req.decoderResult().isSuccess()) {
            return text(HttpResponseStatus.BAD_REQUEST, "bad request\n");
        }
        String path = new QueryStringDecoder(req.uri()).path();
        HttpMethod method = req.method();
        boolean read = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
        if (path.equals("/_health")) {
            return read ? json(HttpResponseStatus.OK, HealthDoc.build(JSON, snapshot.get(), clock.getAsLong()))
                    : notAllowed("GET, HEAD");
        }
        if (path.equals(POOLS) || path.equals(POOLS + "/")) {
            return read ? json(HttpResponseStatus.OK, pools.list(snapshot.get())) : notAllowed("GET, HEAD");
        }
        if (path.startsWith(POOLS + "/") && path.endsWith(STRATEGY)) {
            String pool = QueryStringDecoder.decodeComponent(
                    path.substring(POOLS.length() + 1, path.length() - STRATEGY.length()));
            if (!method.equals(HttpMethod.PUT)) {
                return notAllowed("PUT");
            }
            if (!authorized(req)) {
                FullHttpResponse r = text(HttpResponseStatus.UNAUTHORIZED, "this call needs Authorization: Bearer <admin.token>\n");
                r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
                return r;
            }
            byte[] body = new byte[req.content().readableBytes()];
            req.content().getBytes(req.content().readerIndex(), body);
            PoolsApi.Reply reply = pools.putStrategy(snapshot.get(), pool, body);
            if (reply.status() == 200) {
                log.info("pool {}: strategy is now {}", pool, reply.body().get("strategy").asText());
            }
            return json(HttpResponseStatus.valueOf(reply.status()), reply.body());
        }
        return text(HttpResponseStatus.NOT_FOUND, "not found; try GET /_health or GET /api/pools\n");
    }

    /** True when no token is configured or the request carries it; compared in constant time. */
    private boolean authorized(FullHttpRequest req) {
        if (token == null) {
            return true;
        }
        String given = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        return given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
    }

    private static FullHttpResponse notAllowed(String allow) {
        FullHttpResponse r = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "use " + allow + "\n");
        r.headers().set(HttpHeaderNames.ALLOW, allow);
        return r;
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

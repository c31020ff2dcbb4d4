package io.sluice.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.sluice.runtime.RuntimeSnapshot;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
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

    private static final String BACKENDS = "/backends/";

    private final Supplier<RuntimeSnapshot> snapshot;
    private final AdminContext context;
    private static final String RELOAD = "/api/reload";
    /** Read per call: a reload may change the token ({@link #token(String)}). */
    private volatile byte[] token;
    private final PoolsApi pools = new PoolsApi(JSON);
    private final BackendsApi backends = new BackendsApi(JSON);
    private final SplitApi splits = new SplitApi(JSON);
    private final TurnApi turn = new TurnApi(JSON);
    private final MetricsApi metrics;

    /**
     * @param token bearer token that mutating calls must present, or null when none is configured
     */
    AdminHandler(AdminContext context, String token) {
        this.context = context;
        this.snapshot = context.snapshot();
        this.metrics = new MetricsApi(JSON, context);
        token(token);
    }

    /** The token mutating calls need from now on (a reload changed it), or null for none. */
    void token(String value) {
        this.token = value == null ? null : ("Bearer " + value).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
        if (req.decoderResult().isSuccess() && RELOAD.equals(new QueryStringDecoder(req.uri()).path())
                && req.method().equals(HttpMethod.POST) && context.reloads() != null && authorized(req)) {
            reload(ctx, HttpUtil.isKeepAlive(req));
            return;
        }
        FullHttpResponse res;
        try {
            res = answer(req);
        } catch (RuntimeException e) {
            log.warn("admin request {} {} failed", req.method(), req.uri(), e);
            res = text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error\n");
        }
        // After a request it could not decode, the codec discards the rest of the stream: close.
        send(ctx, res, HttpUtil.isKeepAlive(req) && req.decoderResult().isSuccess());
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive) {
        HttpUtil.setKeepAlive(res, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(res);
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * {@code POST /api/reload}: the reload runs off this event loop; the answer is written when it ends. 200 with
     * what changed (or {@code "result": "unchanged"}), 422 with every error when the new configuration is refused.
     */
    private void reload(ChannelHandlerContext ctx, boolean keepAlive) {
        context.reloads().reload().whenComplete((answer, err) -> ctx.executor().execute(() -> {
            FullHttpResponse res;
            try {
                if (err != null) {
                    Throwable cause = err.getCause() != null ? err.getCause() : err;
                    res = text(HttpResponseStatus.CONFLICT, cause.getMessage() + "\n");
                } else {
                    res = json("error".equals(answer.get("result")) ? HttpResponseStatus.UNPROCESSABLE_ENTITY
                            : HttpResponseStatus.OK, answer);
                }
            } catch (Exception e) {
                log.warn("admin reload answer failed", e);
                res = text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error\n");
            }
            send(ctx, res, keepAlive);
        }));
    }

    private FullHttpResponse answer(FullHttpRequest req) throws Exception {
        if (!req.decoderResult().isSuccess()) {
            Throwable cause = req.decoderResult().cause();
            if (cause instanceof TooLongHttpHeaderException) {
                return text(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large\n");
            }
            if (cause instanceof TooLongHttpLineException) {
                return text(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long\n");
            }
            return text(HttpResponseStatus.BAD_REQUEST, "bad request\n");
        }
        QueryStringDecoder query = new QueryStringDecoder(req.uri());
        String path = query.path();
        HttpMethod method = req.method();
        boolean read = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
        switch (path) {
            case "/_health" -> {
                if (!read) {
                    return notAllowed("GET, HEAD");
                }
                RuntimeSnapshot snap = snapshot.get(); // one snapshot for the document and its status
                ObjectNode doc = HealthDoc.build(JSON, snap, context.clock().getAsLong(), context.metrics(),
                        context.stun().get());
                if (context.reloads() != null) {
                    doc.set("config_reloads", JSON.valueToTree(context.reloads().status()));
                }
                return json(HealthDoc.everyPoolUp(snap) ? HttpResponseStatus.OK
                        : HttpResponseStatus.SERVICE_UNAVAILABLE, doc);
            }
            case "/_ready" -> {
                if (!read) {
                    return notAllowed("GET, HEAD");
                }
                if (context.draining().getAsBoolean()) {
                    return text(HttpResponseStatus.SERVICE_UNAVAILABLE, "draining\n");
                }
                return HealthDoc.everyPoolUp(snapshot.get()) ? text(HttpResponseStatus.OK, "ready\n")
                        : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "a pool has no healthy backend\n");
            }
            case "/_live" -> {
                return read ? text(HttpResponseStatus.OK, "live\n") : notAllowed("GET, HEAD");
            }
            case "/metrics" -> {
                if (!read) {
                    return notAllowed("GET, HEAD");
                }
                MetricsApi.Body b = metrics.prometheus(req.headers().get(HttpHeaderNames.ACCEPT));
                return bytes(HttpResponseStatus.OK, b.bytes(), b.contentType());
            }
            case "/_metrics" -> {
                return read ? json(HttpResponseStatus.OK, metrics.summary()) : notAllowed("GET, HEAD");
            }
            case "/_metrics/history" -> {
                if (!read) {
                    return notAllowed("GET, HEAD");
                }
                List<String> w = query.parameters().get("window");
                try {
                    return json(HttpResponseStatus.OK, metrics.history(w == null || w.isEmpty() ? null : w.get(0)));
                } catch (IllegalArgumentException e) {
                    return text(HttpResponseStatus.BAD_REQUEST, e.getMessage() + "\n");
                }
            }
            case "/dashboard", "/dashboard/" -> {
                return read ? DashboardPage.response() : notAllowed("GET, HEAD");
            }
            case "/api/listeners" -> {
                return read ? json(HttpResponseStatus.OK, backends.listeners(snapshot.get())) : notAllowed("GET, HEAD");
            }
            case RELOAD -> {
                if (context.reloads() == null) {
                    return text(HttpResponseStatus.NOT_FOUND, "reload is not available here\n");
                }
                if (!method.equals(HttpMethod.POST)) {
                    return notAllowed("POST");
                }
                return unauthorized(); // an authorized POST was taken in channelRead0
            }
            case "/api/config" -> {
                if (context.reloads() == null) {
                    return text(HttpResponseStatus.NOT_FOUND, "the running configuration is not available here\n");
                }
                return read ? json(HttpResponseStatus.OK, context.reloads().config()) : notAllowed("GET, HEAD");
            }
            case POOLS, POOLS + "/" -> {
                return read ? json(HttpResponseStatus.OK, pools.list(snapshot.get())) : notAllowed("GET, HEAD");
            }
            case TurnApi.ALLOCATIONS, TurnApi.ALLOCATIONS + "/" -> {
                if (!read) {
                    return notAllowed("GET, HEAD");
                }
                List<String> only = query.parameters().get("listener");
                PoolsApi.Reply reply = turn.list(context.stun().get(),
                        only == null || only.isEmpty() ? null : only.get(0));
                return json(HttpResponseStatus.valueOf(reply.status()), reply.body());
            }
            default -> {
                if (SplitApi.handles(path)) {
                    return splitCall(req, path);
                }
                if (path.startsWith(POOLS + "/")) {
                    return poolCall(req, path.substring(POOLS.length() + 1));
                }
                if (path.startsWith(TurnApi.ALLOCATIONS + "/")) {
                    return turnDelete(req, path.substring(TurnApi.ALLOCATIONS.length() + 1));
                }
                return text(HttpResponseStatus.NOT_FOUND,
                        "not found; try GET /_health, /metrics, /_metrics, /api/pools or /dashboard\n");
            }
        }
    }

    /**
     * The mutating calls under {@code /api/pools/}: {@code {pool}/strategy} (PUT),
     * {@code {pool}/backends/{address}/drain} and {@code /undrain} (POST), {@code .../weight} (PUT).
     */
    private FullHttpResponse poolCall(FullHttpRequest req, String rest) throws Exception {
        HttpMethod method = req.method();
        String pool;
        String action;
        String address = null;
        int b = rest.indexOf(BACKENDS);
        if (b >= 0) {
            pool = rest.substring(0, b);
            String tail = rest.substring(b + BACKENDS.length());
            int slash = tail.lastIndexOf('/');
            if (slash <= 0) {
                return text(HttpResponseStatus.NOT_FOUND, "use /api/pools/{pool}/backends/{address}/drain, /undrain or /weight\n");
            }
            address = QueryStringDecoder.decodeComponent(tail.substring(0, slash));
            action = tail.substring(slash + 1);
        } else if (rest.endsWith(STRATEGY)) {
            pool = rest.substring(0, rest.length() - STRATEGY.length());
            action = "strategy";
        } else {
            return text(HttpResponseStatus.NOT_FOUND, "not found\n");
        }
        pool = QueryStringDecoder.decodeComponent(pool);
        HttpMethod wanted = switch (action) {
            case "strategy", "weight" -> HttpMethod.PUT;
            case "drain", "undrain" -> HttpMethod.POST;
            default -> null;
        };
        if (wanted == null) {
            return text(HttpResponseStatus.NOT_FOUND, "unknown action \"" + action + "\"; use drain, undrain or weight\n");
        }
        if (!method.equals(wanted)) {
            return notAllowed(wanted.name());
        }
        if (!authorized(req)) {
            FullHttpResponse r = text(HttpResponseStatus.UNAUTHORIZED, "this call needs Authorization: Bearer <admin.token>\n");
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
            return r;
        }
        byte[] body = new byte[req.content().readableBytes()];
        req.content().getBytes(req.content().readerIndex(), body);
        PoolsApi.Reply reply = switch (action) {
            case "strategy" -> pools.putStrategy(snapshot.get(), pool, body);
            case "weight" -> backends.weight(snapshot.get(), pool, address, body);
            default -> backends.drain(snapshot.get(), pool, address, action.equals("drain"));
        };
        if (reply.status() == 200) {
            log.info("admin: pool {}{}: {} ({})", pool, address == null ? "" : " backend " + address, action,
                    reply.body());
        }
        return json(HttpResponseStatus.valueOf(reply.status()), reply.body());
    }

    /** {@code DELETE /api/turn/allocations/{listener}/{id}} (with the token): ends one TURN allocation. */
    private FullHttpResponse turnDelete(FullHttpRequest req, String rest) throws Exception {
        if (!req.method().equals(HttpMethod.DELETE)) {
            return notAllowed("DELETE");
        }
        if (!authorized(req)) {
            return unauthorized();
        }
        PoolsApi.Reply reply = turn.delete(context.stun().get(), rest);
        if (reply.status() == 200) {
            log.info("admin: turn allocation {} of listener {} (user {}, client {}) deleted", reply.body().get("id"),
                    reply.body().get("listener").asText(), reply.body().get("user").asText(),
                    reply.body().get("client").asText());
        }
        return json(HttpResponseStatus.valueOf(reply.status()), reply.body());
    }

    /** {@code GET} or {@code PUT} (with the token) of a route's traffic split weights. */
    private FullHttpResponse splitCall(FullHttpRequest req, String path) throws Exception {
        boolean put = req.method().equals(HttpMethod.PUT);
        if (!put && !req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
            return notAllowed("GET, HEAD, PUT");
        }
        if (put && !authorized(req)) {
            FullHttpResponse r = text(HttpResponseStatus.UNAUTHORIZED, "this call needs Authorization: Bearer <admin.token>\n");
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
            return r;
        }
        byte[] body = null;
        if (put) {
            body = new byte[req.content().readableBytes()];
            req.content().getBytes(req.content().readerIndex(), body);
        }
        PoolsApi.Reply reply = splits.call(snapshot.get(), QueryStringDecoder.decodeComponent(path), body);
        if (put && reply.status() == 200) {
            log.info("admin: split of {}: {}", path, reply.body().get("split"));
        }
        return json(HttpResponseStatus.valueOf(reply.status()), reply.body());
    }

    private static FullHttpResponse unauthorized() {
        FullHttpResponse r = text(HttpResponseStatus.UNAUTHORIZED, "this call needs Authorization: Bearer <admin.token>\n");
        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        return r;
    }

    /** True when no token is configured or the request carries it; compared in constant time. */
    private boolean authorized(FullHttpRequest req) {
        byte[] want = token;
        if (want == null) {
            return true;
        }
        String given = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        return given != null && MessageDigest.isEqual(want, given.getBytes(StandardCharsets.UTF_8));
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

    static FullHttpResponse text(HttpResponseStatus status, String body) {
        return bytes(status, body.getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8");
    }

    private static FullHttpResponse bytes(HttpResponseStatus status, byte[] bytes, String contentType) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}

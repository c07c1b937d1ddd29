package io.skep.core.api;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection's requests, answered one at a time and in order: each is handed to a worker thread (a write waits for
 * Raft), and the next starts only once the answer before it is written. A client that pipelines gets its answers in
 * the order of its requests, and holds one thread at most.
 *
 * <p>The connection is still read while a request is answered, so that a client that hangs up is noticed at once (the
 * dispatcher counts on it: a node always holds a long poll of its assignments open, and its connection's end means the
 * node is gone); requests that arrive meanwhile wait in a queue, and reading stops while one waits there. A
 * {@link Refusal}, or a request the decoder could not read, is answered in its turn and then the connection closes.
 */
final class InOrderRequests extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(InOrderRequests.class);

    /** What a route is given of a request, read off the event loop: the decoder's buffers are released by then. */
    record Received(String method, String uri, HttpHeaders headers, byte[] body, boolean keepAlive, boolean head) {}

    /** What the server does with a request and its answer. */
    interface Server {
        /** The answer to {@code request} (never throws): called on a worker thread. */
        ApiResponse answer(ChannelHandlerContext ctx, Received request);

        /** The HTTP form of an answer. */
        FullHttpResponse encode(ApiResponse response, boolean keepAlive, boolean head);
    }

    private final Server server;
    private final Executor workers;
    private final Queue<Object> waiting = new ArrayDeque<>();
    private RequestTimeouts timeouts;
    private LingeringClose lingering;
    private boolean answering;
    /** A refusal is queued: nothing after it will be answered, and the connection closes after it. */
    private boolean closing;

    InOrderRequests(Server server, Executor workers) {
        this.server = server;
        this.workers = workers;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timeouts = ctx.pipeline().get(RequestTimeouts.class);
        lingering = ctx.pipeline().get(LingeringClose.class);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Object item;
        if (msg instanceof FullHttpRequest request) {
            try {
                item = received(request);
            } finally {
                request.release();
            }
        } else if (msg instanceof Refusal refusal) {
            item = refusal;
        } else {
            ctx.fireChannelRead(msg);
            return;
        }
        timeouts.requestComplete();
        if (closing) {
            return; // after a refusal: never answered
        }
        if (item instanceof Refusal) {
            closing = true;
        }
        waiting.add(item);
        if (answering) {
            ctx.channel().config().setAutoRead(false); // one waits already: the client can wait too
        } else {
            next(ctx);
        }
    }

    /** A request as a route takes it, or a refusal for one the decoder could not read. */
    private static Object received(FullHttpRequest request) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpLineException) {
                return new Refusal(
                        414,
                        "request line too long: at most " + ListenerLimits.size(ApiServer.MAX_REQUEST_LINE)
                                + " (method, path and query)");
            }
            if (cause instanceof TooLongHttpHeaderException) {
                return new Refusal(
                        431, "request headers too large: at most " + ListenerLimits.size(ApiServer.MAX_HEADERS));
            }
            return new Refusal(400, "malformed HTTP request: " + (cause == null ? "unreadable" : cause.getMessage()));
        }
        return new Received(
                request.method().name(),
                request.uri(),
                request.headers().copy(),
                ByteBufUtil.getBytes(request.content()),
                HttpUtil.isKeepAlive(request),
                request.method().equals(HttpMethod.HEAD));
    }

    /** Answers the next request that waits, or waits for the client when none does. */
    private void next(ChannelHandlerContext ctx) {
        Object item = waiting.poll();
        if (item == null) {
            answering = false;
            timeouts.waiting();
            ctx.channel().config().setAutoRead(true);
            return;
        }
        answering = true;
        timeouts.answering();
        if (item instanceof Refusal refusal) {
            ctx.channel().config().setAutoRead(false);
            ctx.writeAndFlush(server.encode(ApiResponse.error(refusal.status(), refusal.message()), false, false))
                    .addListener(f -> {
                        if (f.isSuccess()) {
                            lingering.closeSoon(ctx); // the client may still be sending what was refused
                        } else {
                            ctx.close();
                        }
                    });
            return;
        }
        Received request = (Received) item;
        try {
            workers.execute(() -> {
                ApiResponse response;
                try {
                    response = server.answer(ctx, request);
                } catch (Throwable e) { // the connection must get an answer whatever happened
                    LOG.error("{} {} failed", request.method(), request.uri(), e);
                    response = ApiResponse.error(500, e.toString());
                }
                ApiResponse answer = response;
                try {
                    ctx.executor()
                            .execute(() -> write(
                                    ctx,
                                    server.encode(answer, request.keepAlive(), request.head()),
                                    request.keepAlive()));
                } catch (RejectedExecutionException stopping) {
                    // the server stopped while the route ran: the connection is closed already
                }
            });
        } catch (RejectedExecutionException stopping) {
            ctx.close(); // the server is shutting down
        }
    }

    private void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        ChannelFuture written = ctx.writeAndFlush(response);
        written.addListener(f -> {
            if (!f.isSuccess() || !keepAlive) {
                ctx.close();
            } else {
                next(ctx);
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        waiting.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("API connection {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}

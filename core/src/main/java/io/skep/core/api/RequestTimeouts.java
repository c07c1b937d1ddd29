package io.skep.core.api;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose client keeps the server waiting: open with no request under way for longer than the idle
 * timeout, or sending a request for longer than the request timeout from its first byte (slowloris: headers or a body
 * a byte at a time). While the server answers, nothing is timed here: a route may take long (a write waits for Raft,
 * the dispatcher's fetch of assignments is a long poll, an answer may be streamed); {@link InOrderRequests} says when
 * it answers and when it waits again.
 *
 * <p>It sits before the HTTP decoder (after TLS), where it sees a request's first bytes; the decoder would show the
 * request only once its headers are all in. All of it runs on the connection's event loop.
 */
final class RequestTimeouts extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RequestTimeouts.class);

    private final long idleNanos;
    private final long requestNanos;
    private ChannelHandlerContext ctx;
    /** The server is answering (or has requests queued to answer): no timer runs. */
    private boolean answering;
    /** Bytes of a request not yet whole have arrived; the first of them at {@link #partialSince}. */
    private boolean partial;

    private long partialSince;
    /** When the connection last began to wait for a request. */
    private long waitingSince;

    private ScheduledFuture<?> timer;

    RequestTimeouts(Duration idle, Duration request) {
        this.idleNanos = idle.toNanos();
        this.requestNanos = request.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        waitingSince = System.nanoTime();
        rearm();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!partial && msg instanceof ByteBuf b && b.isReadable()) {
            partial = true;
            partialSince = System.nanoTime();
            rearm();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    /** A request arrived whole: its bytes no longer count as a request under way. */
    void requestComplete() {
        partial = false;
        rearm();
    }

    /** The server answers a request: nothing is timed until it waits again. */
    void answering() {
        answering = true;
        rearm();
    }

    /** The server answered everything it had: the client has the idle timeout to send its next request. */
    void waiting() {
        answering = false;
        waitingSince = System.nanoTime();
        rearm();
    }

    /** Cancels the timer and schedules the one the connection's state calls for. */
    private void rearm() {
        cancel();
        if (!answering) {
            timer = ctx.executor()
                    .schedule(this::check, Math.max(0, deadline() - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** When the client's time is up (while the server is not answering). */
    private long deadline() {
        return partial ? partialSince + requestNanos : waitingSince + idleNanos;
    }

    private void check() {
        timer = null;
        if (answering || ctx.isRemoved()) {
            return;
        }
        if (System.nanoTime() - deadline() >= 0) {
            LOG.debug(
                    "closing {}: {}",
                    ctx.channel().remoteAddress(),
                    partial
                            ? "its request took longer than " + Duration.ofNanos(requestNanos) + " to arrive"
                            : "idle for " + Duration.ofNanos(idleNanos));
            ctx.close();
        } else {
            rearm();
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}

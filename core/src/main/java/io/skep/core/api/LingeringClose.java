package io.skep.core.api;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection after a refusal without losing the refusal. A client refused for its body (413) is often still
 * sending that body when the answer is written; closing with its bytes unread makes the kernel reset the connection,
 * and a reset can reach the client before it read the answer (it sees "broken pipe" or "connection reset" instead of
 * why). So the connection first lingers: what the client still sends is read and dropped, until the client hangs up,
 * {@link #MAX_BYTES} have been dropped or {@link #MAX_TIME} has passed, and only then is it closed (nginx's
 * lingering close, bounded the same way).
 *
 * <p>It sits before the HTTP decoder (after TLS), where it sees raw bytes; until {@link #closeSoon} it passes
 * everything on.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {
    /** At most this much of a refused client's input is read before the connection is closed regardless. */
    static final long MAX_BYTES = 1024 * 1024;
    /** At most this long is a refused client's input read before the connection is closed regardless. */
    static final Duration MAX_TIME = Duration.ofSeconds(2);

    private boolean lingering;
    private long dropped;

    /** The answer is written: read and drop what the client still sends, then close (see the class). */
    void closeSoon(ChannelHandlerContext ctx) {
        if (lingering) {
            return;
        }
        lingering = true;
        ctx.executor().schedule(() -> ctx.close(), MAX_TIME.toMillis(), TimeUnit.MILLISECONDS);
        ctx.channel().config().setAutoRead(true);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!lingering) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof ByteBuf bytes) {
            dropped += bytes.readableBytes();
        }
        ReferenceCountUtil.release(msg);
        if (dropped > MAX_BYTES) {
            ctx.close();
        }
    }
}

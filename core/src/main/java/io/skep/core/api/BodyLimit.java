package io.skep.core.api;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Refuses a request whose body is over its connection's cap before the body is buffered: its declared
 * {@code Content-Length} is checked as its headers arrive, and a chunked body is counted as it comes. The cap is
 * small for a client of the cluster port that showed no certificate (a node that only fetches the root CA and
 * joins), larger for everyone else (the control API's clients, whatever their TLS). A refused request becomes a
 * {@link Refusal} (413), answered in its turn; what follows it on the connection is dropped, as the connection closes
 * after the answer.
 *
 * <p>It sits between the HTTP decoder, which hands over a request's headers and then its body in pieces, and the
 * aggregator, which gathers the pieces.
 */
final class BodyLimit extends ChannelInboundHandlerAdapter {
    private final ListenerLimits limits;
    private long cap;
    private long received;
    private boolean refused;

    BodyLimit(ListenerLimits limits) {
        this.limits = limits;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg); // the rest of a refused body, or what a client pipelined after it
            return;
        }
        if (msg instanceof HttpRequest request && request.decoderResult().isSuccess()) {
            boolean anonymous = anonymous(ctx);
            cap = anonymous ? limits.bodyBeforeAuthentication() : limits.body();
            received = 0;
            if (declaredLength(request) > cap) {
                refuse(ctx, msg, anonymous);
                return;
            }
        }
        if (msg instanceof HttpContent content) {
            received += content.content().readableBytes();
            if (received > cap) {
                refuse(ctx, msg, anonymous(ctx));
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** A client of the cluster port without a certificate. */
    private static boolean anonymous(ChannelHandlerContext ctx) {
        return Boolean.TRUE.equals(ctx.channel().attr(ApiServer.NODES_PORT).get())
                && PeerIdentities.anonymousTls(ctx.channel());
    }

    private static long declaredLength(HttpRequest request) {
        try {
            return HttpUtil.getContentLength(request, -1L);
        } catch (NumberFormatException e) {
            return -1; // the decoder has refused such a header already
        }
    }

    private void refuse(ChannelHandlerContext ctx, Object msg, boolean anonymous) {
        ReferenceCountUtil.release(msg);
        refused = true;
        ctx.fireChannelRead(new Refusal(
                413,
                "request body too large: at most " + ListenerLimits.size(cap)
                        + (anonymous ? " from a client without a node certificate" : "")));
    }
}

package io.skep.core.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * The front of a TLS listener of the control API: a connection that starts with a TLS record gets TLS; one that
 * starts in plaintext gets Go's answer to an HTTP request on an HTTPS server (what dockerd sends, and what the docker
 * CLI then shows: "Client sent an HTTP request to an HTTPS server.") and is closed. Nothing it sent is read.
 */
final class HttpsOnly extends OptionalSslHandler {
    private static final byte[] PLAINTEXT_ANSWER = ("HTTP/1.0 400 Bad Request\r\n\r\n"
                    + "Client sent an HTTP request to an HTTPS server.\n")
            .getBytes(StandardCharsets.US_ASCII);

    HttpsOnly(SslContext tls) {
        super(tls);
    }

    @Override
    protected ChannelHandler newNonSslHandler(ChannelHandlerContext ctx) {
        return new ChannelInboundHandlerAdapter() {
            private boolean answered;

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object plaintext) {
                ReferenceCountUtil.release(plaintext);
                if (!answered) {
                    answered = true;
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(PLAINTEXT_ANSWER))
                            .addListener(ChannelFutureListener.CLOSE);
                }
            }
        };
    }
}

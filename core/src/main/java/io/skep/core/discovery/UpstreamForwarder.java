package io.skep.core.discovery;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the queries that are not ours to the node's own resolvers and hands back their reply byte for byte. Each
 * query gets its own socket (a fresh source port, so a forged reply must guess it as well as the ID) and the asker's
 * query ID, so the reply needs no rewriting. As Docker does, an upstream that fails (no reply within the timeout, an
 * unreachable port, SERVFAIL or REFUSED) passes the query to the next one, at most three.
 *
 * <p>The state of a query is touched only on the server's event loop, which has one thread: upstream channels are
 * registered on the same group.
 */
final class UpstreamForwarder {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamForwarder.class);
    /** Docker's {@code maxExtDNS}: the resolvers tried for one query. */
    static final int MAX_UPSTREAMS = 3;
    /** How often a full forwarder logs that it answers SERVFAIL. */
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final EventLoopGroup group;
    private final List<InetSocketAddress> upstreams;
    private final long timeoutMillis;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long lastFullLog;

    UpstreamForwarder(EventLoopGroup group, List<InetSocketAddress> upstreams, Duration timeout, int maxInFlight) {
        this.group = group;
        this.upstreams = List.copyOf(upstreams.subList(0, Math.min(upstreams.size(), MAX_UPSTREAMS)));
        this.timeoutMillis = Math.max(1, timeout.toMillis());
        this.maxInFlight = maxInFlight;
    }

    /** Queries sent upstream and not yet answered. */
    int inFlight() {
        return inFlight.get();
    }

    /**
     * Sends {@code query} (which this takes ownership of) upstream, over TCP when the asker used TCP (a reply too
     * large for UDP reaches it whole). Exactly one of {@code onReply} (given a reply it must release) and
     * {@code onFailure} is called.
     */
    void forward(ByteBuf query, boolean tcp, Consumer<ByteBuf> onReply, Runnable onFailure) {
        if (upstreams.isEmpty()) {
            query.release();
            onFailure.run();
            return;
        }
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            query.release();
            long now = System.nanoTime();
            if (now - lastFullLog > LOG_INTERVAL_NANOS) {
                lastFullLog = now;
                LOG.warn("more than {} DNS queries wait for an upstream resolver: answering SERVFAIL", maxInFlight);
            }
            onFailure.run();
            return;
        }
        new Forward(query, DnsMessages.id(query), tcp, onReply, onFailure).attempt(0);
    }

    /** One query on its way through the upstreams, one attempt at a time. */
    private final class Forward {
        private final ByteBuf query;
        private final int id;
        private final boolean tcp;
        private final Consumer<ByteBuf> onReply;
        private final Runnable onFailure;
        private boolean done;

        Forward(ByteBuf query, int id, boolean tcp, Consumer<ByteBuf> onReply, Runnable onFailure) {
            this.query = query;
            this.id = id;
            this.tcp = tcp;
            this.onReply = onReply;
            this.onFailure = onFailure;
        }

        void attempt(int index) {
            if (done) {
                return;
            }
            if (index >= upstreams.size()) {
                finish(null);
                return;
            }
            InetSocketAddress upstream = upstreams.get(index);
            Attempt attempt = new Attempt(index);
            Bootstrap bootstrap = new Bootstrap().group(group).handler(new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    if (tcp) {
                        ch.pipeline()
                                .addLast(new LengthFieldBasedFrameDecoder(DnsMessages.MAX_TCP_SIZE, 0, 2, 0, 2))
                                .addLast(new LengthFieldPrepender(2));
                    }
                    ch.pipeline().addLast(attempt);
                }
            });
            ChannelFuture connected;
            if (tcp) {
                connected = bootstrap
                        .channel(NioSocketChannel.class)
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeoutMillis)
                        .connect(upstream);
            } else {
                connected = bootstrap
                        .channel(NioDatagramChannel.class)
                        .option(
                                ChannelOption.RECVBUF_ALLOCATOR,
                                new FixedRecvByteBufAllocator(DnsMessages.MAX_UDP_SIZE))
                        .connect(upstream); // connected: the kernel drops datagrams from anyone else
            }
            Channel channel = connected.channel();
            attempt.channel = channel;
            attempt.timeout = group.schedule(
                    () -> attempt.fail("no reply within " + timeoutMillis + " ms"),
                    timeoutMillis,
                    TimeUnit.MILLISECONDS);
            connected.addListener(f -> {
                if (!f.isSuccess()) {
                    attempt.fail(String.valueOf(f.cause()));
                } else if (!done && !attempt.over) {
                    ByteBuf copy = query.retainedDuplicate();
                    channel.writeAndFlush(tcp ? copy : new DatagramPacket(copy, upstream))
                            .addListener(w -> {
                                if (!w.isSuccess()) {
                                    attempt.fail(String.valueOf(w.cause()));
                                }
                            });
                }
            });
        }

        /** Once: the reply to relay, or null for SERVFAIL. */
        void finish(ByteBuf reply) {
            if (done) {
                ReferenceCountUtil.release(reply);
                return;
            }
            done = true;
            inFlight.decrementAndGet();
            query.release();
            if (reply == null) {
                onFailure.run();
            } else {
                onReply.accept(reply);
            }
        }

        /** One upstream's turn: its channel's handler, and what ends the turn. */
        private final class Attempt extends ChannelInboundHandlerAdapter {
            private final int index;
            private ScheduledFuture<?> timeout;
            private Channel channel;
            private boolean over;

            Attempt(int index) {
                this.index = index;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf reply = msg instanceof DatagramPacket p ? p.content() : msg instanceof ByteBuf b ? b : null;
                if (reply == null || over || DnsMessages.id(reply) != id) {
                    ReferenceCountUtil.release(msg); // not the reply to this query: keep waiting for it
                    return;
                }
                int code = DnsMessages.responseCode(reply);
                boolean failed =
                        code == DnsResponseCode.SERVFAIL.intValue() || code == DnsResponseCode.REFUSED.intValue();
                if (failed && index + 1 < upstreams.size()) {
                    ReferenceCountUtil.release(msg);
                    fail("answered " + DnsResponseCode.valueOf(code));
                    return;
                }
                end();
                finish(reply);
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                fail(String.valueOf(cause)); // an ICMP port unreachable, a reset: no reply will come
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                fail("closed the connection"); // TCP: the upstream hung up without a reply
            }

            /** This upstream gave no usable reply: the next one's turn. */
            void fail(String why) {
                if (over) {
                    return;
                }
                end();
                LOG.debug("upstream resolver {}: {}", upstreams.get(index), why);
                attempt(index + 1);
            }

            private void end() {
                over = true;
                if (timeout != null) {
                    timeout.cancel(false);
                }
                if (channel != null) {
                    channel.close();
                }
            }
        }
    }
}

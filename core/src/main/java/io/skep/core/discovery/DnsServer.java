package io.skep.core.discovery;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's DNS server for its tasks, Docker's embedded DNS: a task on a skep network uses it as its resolver. Names
 * of the networks the asking task is on are answered from the current {@link DiscoveryTable}; any other name goes to
 * the node's own resolvers (see {@link UpstreamForwarder}); a source that is no task of the node is refused, so the
 * server is no open resolver.
 *
 * <p>UDP and TCP on one port: an answer too large for the asker's UDP size is cut with the TC flag set, and the asker
 * asks again over TCP. One event-loop thread serves both and the upstream queries: the work per query is a map lookup
 * or a relay.
 */
public final class DnsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DnsServer.class);
    /** How long an upstream resolver has to answer before the next is tried, or the asker gets SERVFAIL. */
    public static final Duration DEFAULT_UPSTREAM_TIMEOUT = Duration.ofSeconds(2);
    /** Queries waiting for an upstream at once (Docker's {@code maxConcurrent}); beyond, SERVFAIL. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 1024;
    /** A TCP connection idle this long is closed (RFC 7766 suggests seconds). */
    private static final int TCP_IDLE_SECONDS = 10;
    /** Tries to find a port free for both UDP and TCP when asked for any port. */
    private static final int BIND_TRIES = 10;

    private final InetSocketAddress requested;
    private final List<InetSocketAddress> upstreams;
    private final Duration upstreamTimeout;
    private final int maxInFlight;
    private volatile DiscoveryTable table = DiscoveryTable.EMPTY;

    private EventLoopGroup group;
    private UpstreamForwarder forwarder;
    private Channel udp;
    private Channel tcp;

    /**
     * A server for {@code address} (port 0: any free port), forwarding to {@code upstreams}; {@link #start()} binds
     * it. Until {@link #update} gives it a table it refuses everyone.
     */
    public DnsServer(InetSocketAddress address, List<InetSocketAddress> upstreams, Duration upstreamTimeout) {
        this(address, upstreams, upstreamTimeout, DEFAULT_MAX_IN_FLIGHT);
    }

    DnsServer(InetSocketAddress address, List<InetSocketAddress> upstreams, Duration upstreamTimeout, int maxInFlight) {
        this.requested = Objects.requireNonNull(address, "address");
        this.upstreams = List.copyOf(upstreams);
        this.upstreamTimeout = Objects.requireNonNull(upstreamTimeout, "upstreamTimeout");
        this.maxInFlight = maxInFlight;
    }

    /**
     * Binds UDP and TCP on the address, the same port for both; returns the address bound.
     *
     * @throws IOException when the port is taken
     */
    public synchronized InetSocketAddress start() throws IOException {
        if (group != null) {
            throw new IllegalStateException("the DNS server is started already");
        }
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        forwarder = new UpstreamForwarder(group, upstreams, upstreamTimeout, maxInFlight);
        try {
            bind();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("DNS server listening on {} (UDP and TCP), upstream resolvers {}", address(), upstreams);
        return address();
    }

    /** The address bound (UDP and TCP). */
    public synchronized InetSocketAddress address() {
        if (udp == null) {
            throw new IllegalStateException("the DNS server is not started");
        }
        return (InetSocketAddress) udp.localAddress();
    }

    /** Answers from {@code next} from now on: queries already being answered finish with the table they began with. */
    public void update(DiscoveryTable next) {
        table = Objects.requireNonNull(next, "table");
    }

    /** Queries sent upstream and not yet answered. */
    int inFlight() {
        return forwarder.inFlight();
    }

    /** Frees the port and the thread; queries in flight get no answer. */
    @Override
    public synchronized void close() {
        if (group == null) {
            return;
        }
        if (udp != null) {
            udp.close().syncUninterruptibly();
        }
        if (tcp != null) {
            tcp.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        group = null;
        udp = null;
        tcp = null;
    }

    /**
     * The nameservers of a resolv.conf ({@code nameserver 192.0.2.53} lines), port 53, leaving out {@code own} (the
     * server's own address, which would forward to itself). An absent file has none.
     */
    public static List<InetSocketAddress> upstreamsOf(Path resolvConf, InetAddress own) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(resolvConf);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String line : lines) {
            String[] words = line.strip().split("\\s+");
            if (words.length < 2 || !words[0].equals("nameserver")) {
                continue; // comments (# or ;), search, options
            }
            InetAddress address = IpLiterals.parse(words[1]);
            if (address == null) {
                LOG.warn("{}: ignoring nameserver {}: not an IP address", resolvConf, words[1]);
            } else if (!address.equals(own)) {
                servers.add(new InetSocketAddress(address, 53));
            }
        }
        return List.copyOf(servers);
    }

    private void bind() throws IOException {
        IOException last = null;
        for (int i = 0; i < BIND_TRIES; i++) {
            ChannelFuture udpBound = new Bootstrap()
                    .group(group)
                    .channel(NioDatagramChannel.class)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(DnsMessages.MAX_UDP_SIZE))
                    .handler(new UdpHandler(this))
                    .bind(requested)
                    .awaitUninterruptibly();
            if (!udpBound.isSuccess()) {
                throw new IOException("DNS server: cannot bind UDP " + requested, udpBound.cause());
            }
            udp = udpBound.channel();
            int port = ((InetSocketAddress) udp.localAddress()).getPort();
            ChannelFuture bound = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(new ReadTimeoutHandler(TCP_IDLE_SECONDS))
                                    .addLast(new LengthFieldBasedFrameDecoder(DnsMessages.MAX_TCP_SIZE, 0, 2, 0, 2))
                                    .addLast(new LengthFieldPrepender(2))
                                    .addLast(new TcpHandler(DnsServer.this));
                        }
                    })
                    .bind(new InetSocketAddress(requested.getAddress(), port))
                    .awaitUninterruptibly();
            if (bound.isSuccess()) {
                tcp = bound.channel();
                return;
            }
            last = new IOException("DNS server: cannot bind TCP port " + port, bound.cause());
            udp.close().syncUninterruptibly();
            udp = null;
            if (requested.getPort() != 0) {
                break; // a given port: no other to try
            }
        }
        throw last;
    }

    /**
     * One query from {@code asker}, in {@code message} (not released here): answered from the table, refused, or
     * forwarded; {@code reply} sends a reply it is given (and releases it).
     */
    void handle(
            ByteBuf message,
            InetSocketAddress asker,
            InetSocketAddress local,
            boolean overTcp,
            ByteBufAllocator alloc,
            Consumer<ByteBuf> reply) {
        DnsMessages.Asked asked;
        try {
            asked = DnsMessages.read(message, asker, local);
        } catch (Exception e) {
            LOG.debug("dropping a malformed DNS message from {}: {}", asker, e.toString());
            return; // no reply: there may be no ID to answer to, and a reply would make us a reflector
        }
        if (asked == null) {
            return;
        }
        if (!asked.opCode().equals(DnsOpCode.QUERY)) {
            reply.accept(DnsMessages.reply(alloc, asked, DnsResponseCode.NOTIMP));
            return;
        }
        switch (table.resolve(asker.getAddress(), asked.name(), asked.tableType())) {
            case DiscoveryTable.Refused r -> reply.accept(DnsMessages.reply(alloc, asked, DnsResponseCode.REFUSED));
            case DiscoveryTable.Local answer ->
                reply.accept(DnsMessages.reply(
                        alloc,
                        asked,
                        DnsResponseCode.NOERROR,
                        DnsMessages.addressRecords(asked, DnsMessages.shuffled(answer.addresses())),
                        overTcp ? DnsMessages.MAX_TCP_SIZE : asked.udpSize()));
            case DiscoveryTable.Pointer pointer ->
                reply.accept(DnsMessages.reply(
                        alloc,
                        asked,
                        DnsResponseCode.NOERROR,
                        DnsMessages.pointerRecord(asked, pointer.name()),
                        overTcp ? DnsMessages.MAX_TCP_SIZE : asked.udpSize()));
            case DiscoveryTable.Forward f ->
                forwarder.forward(
                        message.retainedDuplicate(),
                        overTcp,
                        reply,
                        () -> reply.accept(DnsMessages.reply(alloc, asked, DnsResponseCode.SERVFAIL)));
        }
    }

    /** Queries over UDP: a reply goes back to the datagram's source. */
    private static final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final DnsServer server;

        UdpHandler(DnsServer server) {
            this.server = server;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress asker = packet.sender();
            Channel channel = ctx.channel();
            server.handle(
                    packet.content(),
                    asker,
                    packet.recipient(),
                    false,
                    ctx.alloc(),
                    reply -> channel.writeAndFlush(new DatagramPacket(reply, asker)));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("DNS server (UDP): {}", cause.toString()); // keep serving: one bad datagram is no reason to stop
        }
    }

    /** Queries over TCP, each framed by its two-byte length: replies may come back in any order (RFC 7766). */
    private static final class TcpHandler extends SimpleChannelInboundHandler<ByteBuf> {
        private final DnsServer server;

        TcpHandler(DnsServer server) {
            this.server = server;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            Channel channel = ctx.channel();
            server.handle(
                    frame,
                    (InetSocketAddress) channel.remoteAddress(),
                    (InetSocketAddress) channel.localAddress(),
                    true,
                    ctx.alloc(),
                    reply -> {
                        if (channel.isActive()) {
                            channel.writeAndFlush(reply);
                        } else {
                            reply.release();
                        }
                    });
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("DNS server (TCP) {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close(); // an idle or broken connection
        }
    }
}

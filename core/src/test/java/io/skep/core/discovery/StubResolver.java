package io.skep.core.discovery;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsQueryDecoder;
import io.netty.handler.codec.dns.TcpDnsResponseEncoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The upstream resolver of the tests: a tiny DNS server on loopback (UDP and TCP, one port) that knows
 * {@code example.org} (192.0.2.10) and answers NXDOMAIN for anything else, and notes every question it gets.
 */
final class StubResolver implements AutoCloseable {
    static final String KNOWN = "example.org.";
    static final byte[] KNOWN_ADDRESS = {(byte) 192, 0, 2, 10};

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    /** Each question as {@code udp:name} or {@code tcp:name}. */
    final ConcurrentLinkedQueue<String> asked = new ConcurrentLinkedQueue<>();

    private final Channel udp;
    private final Channel tcp;

    StubResolver() throws InterruptedException {
        udp = new Bootstrap()
                .group(group)
                .channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<NioDatagramChannel>() {
                    @Override
                    protected void initChannel(NioDatagramChannel ch) {
                        ch.pipeline()
                                .addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder())
                                .addLast(new SimpleChannelInboundHandler<DatagramDnsQuery>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
                                        DnsQuestion q = query.recordAt(DnsSection.QUESTION);
                                        asked.add("udp:" + q.name());
                                        ctx.writeAndFlush(answer(
                                                new DatagramDnsResponse(query.recipient(), query.sender(), query.id()),
                                                q));
                                    }
                                });
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
        int port = ((InetSocketAddress) udp.localAddress()).getPort();
        tcp = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new TcpDnsQueryDecoder(), new TcpDnsResponseEncoder())
                                .addLast(new SimpleChannelInboundHandler<DnsQuery>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, DnsQuery query) {
                                        DnsQuestion q = query.recordAt(DnsSection.QUESTION);
                                        asked.add("tcp:" + q.name());
                                        ctx.writeAndFlush(answer(new DefaultDnsResponse(query.id()), q));
                                    }
                                });
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .sync()
                .channel();
    }

    private static DnsResponse answer(DnsResponse response, DnsQuestion q) {
        response.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(q.name(), q.type()));
        if (q.name().equalsIgnoreCase(KNOWN) && q.type().equals(DnsRecordType.A)) {
            response.addRecord(
                    DnsSection.ANSWER,
                    new DefaultDnsRawRecord(q.name(), DnsRecordType.A, 30, Unpooled.wrappedBuffer(KNOWN_ADDRESS)));
        } else if (!q.name().equalsIgnoreCase(KNOWN)) {
            response.setCode(DnsResponseCode.NXDOMAIN);
        }
        return response;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) udp.localAddress();
    }

    List<String> asked() {
        return List.copyOf(asked);
    }

    @Override
    public void close() {
        udp.close().syncUninterruptibly();
        tcp.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}

package io.skep.core.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.skep.core.pki.NodeCertificate;
import io.skep.core.pki.NodeRole;
import io.skep.core.pki.RootCa;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Real TLS 1.3 handshakes on loopback between a Netty server and JSSE clients, all with certificates of
 * {@link RootCa}: the peer is known by its certificate, and nothing else gets through.
 */
class MutualTlsTest {
    private final SecureRandom random = new SecureRandom();
    private final Instant now = Instant.now();
    private final RootCa ca = RootCa.create(random, now);
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
    }

    private NodeTls tls(RootCa issuer, String nodeId, NodeRole role) {
        NodeCertificate c = issuer.issue(nodeId, role, "cluster1", Duration.ofDays(1), random, now);
        return new NodeTls(c, ca.certificate());
    }

    /**
     * A server that answers each authenticated peer with "hello NODE ROLE CLUSTER" and closes; when
     * {@code managersOnly}, a peer that is not a manager is answered "refused".
     */
    private int serve(NodeTls tls, boolean managersOnly) throws Exception {
        var context = tls.server();
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslHandler ssl = context.newHandler(ch.alloc());
                        ch.pipeline().addLast(ssl, new ChannelInboundHandlerAdapter() {
                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
                                if (event instanceof SslHandshakeCompletionEvent done) {
                                    if (!done.isSuccess()) {
                                        ctx.close();
                                        return;
                                    }
                                    PeerIdentity peer =
                                            PeerIdentity.of(ssl.engine().getSession());
                                    String answer = managersOnly && !peer.isManager()
                                            ? "refused"
                                            : "hello " + peer.nodeId() + " "
                                                    + peer.role().orElseThrow().unit() + " " + peer.clusterId();
                                    ctx.writeAndFlush(ctx.alloc()
                                                    .buffer()
                                                    .writeBytes((answer + "\n").getBytes(StandardCharsets.US_ASCII)))
                                            .addListener(f -> ctx.close());
                                }
                                super.userEventTriggered(ctx, event);
                            }
                        });
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Connects with {@code tls}'s client context and returns the server's answer. */
    private static String call(NodeTls tls, int port) throws IOException {
        JdkSslContext context = (JdkSslContext) tls.client();
        try (SSLSocket socket = (SSLSocket) context.context().getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.setEnabledProtocols(new String[] {"TLSv1.3"});
            socket.startHandshake();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        }
    }

    /**
     * The answer, or "" when the connection fails: under TLS 1.3 a client may finish its side of the handshake
     * before the server has judged its certificate, and learn of the refusal only as it reads.
     */
    private static String answerOrNothing(NodeTls tls, int port) {
        try {
            return call(tls, port);
        } catch (IOException refused) {
            return "";
        }
    }

    @Test
    void nodesOfTheSwarmKnowEachOtherByTheirCertificates() throws Exception {
        int port = serve(tls(ca, "manager1", NodeRole.MANAGER), false);
        assertEquals("hello worker1 swarm-worker cluster1", call(tls(ca, "worker1", NodeRole.WORKER), port));
        assertEquals("hello manager2 swarm-manager cluster1", call(tls(ca, "manager2", NodeRole.MANAGER), port));
    }

    @Test
    void aWorkerCertificateCannotReachAManagerOnlyEndpoint() throws Exception {
        int port = serve(tls(ca, "manager1", NodeRole.MANAGER), true);
        assertEquals("refused", call(tls(ca, "worker1", NodeRole.WORKER), port));
        assertEquals("hello manager2 swarm-manager cluster1", call(tls(ca, "manager2", NodeRole.MANAGER), port));
    }

    @Test
    void aClientOfAnotherCaIsRefusedInTheHandshake() throws Exception {
        int port = serve(tls(ca, "manager1", NodeRole.MANAGER), false);
        RootCa other = RootCa.create(random, now);
        // A certificate of another swarm's CA, however well formed, trusted by nothing here.
        NodeTls stranger = new NodeTls(
                other.issue("intruder", NodeRole.MANAGER, "cluster1", Duration.ofDays(1), random, now),
                ca.certificate());
        assertEquals("", answerOrNothing(stranger, port), "the stranger learns nothing");
    }

    @Test
    void aClientRefusesAServerOfAnotherCa() throws Exception {
        RootCa other = RootCa.create(random, now);
        NodeTls impostor = new NodeTls(
                other.issue("manager1", NodeRole.MANAGER, "cluster1", Duration.ofDays(1), random, now),
                other.certificate());
        int port = serve(impostor, false);
        assertThrows(SSLException.class, () -> call(tls(ca, "worker1", NodeRole.WORKER), port));
    }

    @Test
    void aPlaintextClientGetsNothing() throws Exception {
        int port = serve(tls(ca, "manager1", NodeRole.MANAGER), false);
        try (Socket plain = new Socket("127.0.0.1", port)) {
            plain.setSoTimeout(10_000);
            OutputStream out = plain.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = plain.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertEquals(-1, answer.indexOf("hello"), "no answer in the clear: " + answer);
        }
    }
}

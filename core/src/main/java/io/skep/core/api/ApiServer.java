package io.skep.core.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.WriteTimeoutHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.skep.core.tls.PeerIdentity;
import io.skep.core.tls.TlsProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/1.1 listeners of a router: the control API's unix socket for the local CLI and, optionally, a TCP port;
 * or a manager's cluster port, with TLS. Requests are handled off the event loop, on virtual threads, because a write
 * waits for Raft; a connection's requests one at a time, in order. Every connection is bounded by the server's
 * {@link ListenerLimits}: connections per address and in all, body size (small for a TLS client without a
 * certificate), the time a client may keep the server waiting.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    /** The longest request line (method, path, query): Docker's filters are a few hundred bytes of JSON. */
    static final int MAX_REQUEST_LINE = 16 * 1024;
    /** The most header bytes: Docker's CLI sends a few hundred; a registry credential header a few KB. */
    static final int MAX_HEADERS = 32 * 1024;

    private final Router router;
    private final Map<String, String> commonHeaders;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Channel> channels = new ArrayList<>();
    /** Accepted connections: closed on shutdown, so no client keeps talking to a stopped server. */
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

    private final List<Path> sockets = new ArrayList<>();
    private final ListenerLimits limits;
    private final ConnectionCaps caps;

    /** A server with the default limits, or those the {@code skep.api.*} system properties set. */
    public ApiServer(Router router, Map<String, String> commonHeaders) {
        this(router, commonHeaders, ListenerLimits.fromSystemProperties());
    }

    public ApiServer(Router router, Map<String, String> commonHeaders, ListenerLimits limits) {
        this.router = router;
        this.commonHeaders = Map.copyOf(commonHeaders);
        this.limits = limits;
        this.caps = new ConnectionCaps(limits.connectionsPerPeer(), limits.connections());
    }

    /**
     * Listens for the control API on {@code unix:///path} (a socket only its owner and group may use: see
     * {@link UnixSocketBinder}) or {@code tcp://host:port} (with {@code access}'s TLS, behind the
     * {@link BrowserGuard}; beyond loopback only when clients are authenticated).
     */
    public void listen(URI host, ControlAccess access) throws IOException, InterruptedException {
        switch (host.getScheme()) {
            case "unix" -> {
                Path socket = Path.of(host.getPath());
                Files.createDirectories(socket.toAbsolutePath().getParent());
                ServerBootstrap bootstrap = bootstrap(null, null).channel(NioServerDomainSocketChannel.class);
                channels.add(UnixSocketBinder.bind(
                        socket,
                        access.socketGroup(),
                        where -> bootstrap
                                .bind(UnixDomainSocketAddress.of(where))
                                .sync()
                                .channel()));
                sockets.add(socket);
                LOG.info("control API listening on {}", host);
            }
            case "tcp" -> {
                if (host.getHost() == null || host.getPort() < 0) {
                    throw new IllegalArgumentException("--host " + host + ": expected tcp://address:port");
                }
                InetAddress address = InetAddress.getByName(host.getHost());
                access.checkListen(host.toString(), address);
                SslContext tls = access.tls() == null ? null : access.tls().server(TlsProvider.conscrypt());
                String name = host.getHost();
                boolean authenticated = access.authenticatesClients();
                channels.add(bootstrap(
                                tls == null ? null : ch -> new HttpsOnly(tls),
                                () -> new BrowserGuard(name, authenticated))
                        .channel(NioServerSocketChannel.class)
                        .bind(new InetSocketAddress(address, host.getPort()))
                        .sync()
                        .channel());
                LOG.info(
                        "control API listening on {} ({})",
                        host,
                        tls == null ? "plaintext" : authenticated ? "mutual TLS" : "TLS");
            }
            default ->
                throw new IllegalArgumentException("--host " + host + ": expected unix:///path or tcp://address:port");
        }
    }

    /**
     * Listens on a TCP address with TLS: each request carries the client's {@link PeerIdentity} when it showed a
     * certificate the context trusts. Returns the address bound (port 0 picks a free one).
     */
    public InetSocketAddress listen(InetSocketAddress address, SslContext tls) throws InterruptedException {
        Channel channel = bootstrap(ch -> tls.newHandler(ch.alloc()), null)
                .childAttr(NODES_PORT, true)
                .channel(NioServerSocketChannel.class)
                .bind(address)
                .sync()
                .channel();
        channels.add(channel);
        return (InetSocketAddress) channel.localAddress();
    }

    /**
     * Marks the connections of a port for nodes (a manager's cluster port), where a client without a certificate is
     * a node that has not joined yet and gets the small body cap; the control API's clients never do.
     */
    static final io.netty.util.AttributeKey<Boolean> NODES_PORT = io.netty.util.AttributeKey.valueOf("skep-nodes-port");

    /** Completes when the connection closes: one per connection, shared by the requests it carries. */
    private static final io.netty.util.AttributeKey<java.util.concurrent.CompletableFuture<Void>> CLOSED =
            io.netty.util.AttributeKey.valueOf("skep-connection-closed");

    /**
     * A server whose connections start with {@code tls}'s handler (or none), then HTTP; {@code requestCheck}, when
     * given, sees each request's head before its body is read.
     */
    private ServerBootstrap bootstrap(Function<Channel, ChannelHandler> tls, Supplier<ChannelHandler> requestCheck) {
        return new ServerBootstrap().group(group).childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                if (!caps.admit(ch)) {
                    return; // closed already: over a connection cap
                }
                connections.add(ch);
                java.util.concurrent.CompletableFuture<Void> closed = new java.util.concurrent.CompletableFuture<>();
                ch.closeFuture().addListener(f -> closed.complete(null));
                ch.attr(CLOSED).set(closed);
                if (tls != null) {
                    ch.pipeline().addLast(tls.apply(ch));
                }
                addHttp(ch, requestCheck == null ? null : requestCheck.get());
            }
        });
    }

    /**
     * The HTTP handlers of a connection, after its TLS if any: timeouts on raw bytes, the lingering close after a
     * refusal, the decoder with its caps on the request line and headers, the {@code requestCheck} if any, the body's
     * cap, the aggregator (which never meets a body over the cap), a timeout on each write of an answer, and the
     * requests answered in order.
     */
    private void addHttp(Channel ch, ChannelHandler requestCheck) {
        ch.pipeline()
                .addLast(
                        new RequestTimeouts(limits.idle(), limits.request()),
                        new LingeringClose(),
                        new HttpServerCodec(new HttpDecoderConfig()
                                .setMaxInitialLineLength(MAX_REQUEST_LINE)
                                .setMaxHeaderSize(MAX_HEADERS)));
        if (requestCheck != null) {
            ch.pipeline().addLast(requestCheck);
        }
        ch.pipeline()
                .addLast(
                        new BodyLimit(limits),
                        new HttpObjectAggregator((int) limits.body()),
                        new WriteTimeoutHandler(limits.write().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS),
                        new InOrderRequests(answers, workers));
    }

    /** Connections open now, on all listeners. */
    int openConnections() {
        return caps.open();
    }

    @Override
    public void close() {
        channels.forEach(c -> c.close().awaitUninterruptibly());
        connections.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        workers.shutdownNow();
        for (Path socket : sockets) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                LOG.warn("could not remove {}: {}", socket, e.toString());
            }
        }
    }

    /** What the connections' handlers ask of this server: answers, on worker threads, and their HTTP form. */
    private final InOrderRequests.Server answers = new InOrderRequests.Server() {
        @Override
        public ApiResponse answer(ChannelHandlerContext ctx, InOrderRequests.Received request) {
            return dispatch(
                    request,
                    PeerIdentities.of(ctx.channel()),
                    ctx.channel().attr(CLOSED).get());
        }

        @Override
        public FullHttpResponse encode(ApiResponse response, boolean keepAlive, boolean head) {
            return ApiServer.this.encode(response, keepAlive, head);
        }
    };

    private ApiResponse dispatch(
            InOrderRequests.Received request, PeerIdentity peer, java.util.concurrent.CompletionStage<Void> closed) {
        String method = request.method();
        String path;
        Map<String, List<String>> query;
        try {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            path = Router.stripVersion(uri.path());
            query = uri.parameters();
        } catch (IllegalArgumentException e) { // a broken %-escape
            return ApiResponse.error(400, "invalid request URI: " + e.getMessage());
        }
        try {
            Router.Match match = router.match(method, path);
            return match.route()
                    .handle(new ApiRequest(method, path, query, match.params(), request.body(), peer, closed));
        } catch (ApiException e) {
            return ApiResponse.error(e.status(), e.getMessage());
        } catch (io.skep.core.store.EntryTooLargeException e) {
            return ApiResponse.error(400, e.getMessage());
        } catch (Exception e) {
            io.skep.core.store.NoQuorumException noQuorum = noQuorum(e);
            if (noQuorum != null) {
                return ApiResponse.error(503, noQuorum.getMessage()); // a state of the swarm, not a fault of the node
            }
            LOG.error("{} {} failed", method, path, e);
            return ApiResponse.error(500, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** The store's refusal for want of a quorum, however deep a route wrapped it, or null. */
    private static io.skep.core.store.NoQuorumException noQuorum(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof io.skep.core.store.NoQuorumException n) {
                return n;
            }
        }
        return null;
    }

    private FullHttpResponse encode(ApiResponse response, boolean keepAlive, boolean head) {
        FullHttpResponse out = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(response.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(response.body()));
        commonHeaders.forEach((k, v) -> out.headers().set(k, v));
        response.headers().forEach((k, v) -> out.headers().set(k, v));
        if (response.contentType() != null) {
            out.headers().set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
        }
        out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.body().length);
        out.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        return out;
    }
}

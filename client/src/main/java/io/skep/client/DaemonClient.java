package io.skep.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A small synchronous HTTP/1.1 client for the control API (the Docker Engine API subset), over a unix socket or
 * TCP (plaintext or TLS). One connection is kept and reused while the daemon keeps it alive; requests are sent one
 * at a time.
 *
 * <p>A 2xx answer comes back as a {@link DaemonResponse} with the body parsed as JSON; any other status becomes a
 * {@link DaemonException} carrying the daemon's {@code message}; a daemon that cannot be reached, or does not
 * answer within the response timeout, becomes a {@link DaemonUnavailableException}.
 */
public final class DaemonClient implements AutoCloseable {

    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    /** Larger answers are refused; a service list of thousands of services stays far below. */
    private static final int MAX_RESPONSE_BYTES = 256 << 20;

    private final DaemonAddress address;
    private final String userAgent;
    private final Duration responseTimeout;
    private final ObjectMapper mapper = new ObjectMapper();
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;

    private Channel channel; // guarded by this

    /** A client for {@code unix:///path} or {@code tcp://host:port}. */
    public DaemonClient(String host) {
        this(DaemonAddress.parse(host), "skep-client", RESPONSE_TIMEOUT);
    }

    public DaemonClient(DaemonAddress address, String userAgent, Duration responseTimeout) {
        this(address, userAgent, responseTimeout, null);
    }

    /**
     * A client that speaks TLS to a {@code tcp://} daemon with {@code tls} (a client context: see
     * {@link ControlTls#client()}), or plaintext when it is null.
     */
    public DaemonClient(DaemonAddress address, String userAgent, Duration responseTimeout, SslContext tls) {
        if (tls != null && address.isUnix()) {
            throw new IllegalArgumentException("TLS is for tcp:// daemons; " + address + " is a unix socket");
        }
        this.address = address;
        this.userAgent = userAgent;
        this.responseTimeout = responseTimeout;
        this.group = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("skep-client", true), NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(address.isUnix() ? NioDomainSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            // The host as dialled: the name the server's certificate must bear, and the SNI.
                            InetSocketAddress server = (InetSocketAddress) address.socket();
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), server.getHostString(), server.getPort()));
                        }
                        ch.pipeline()
                                .addLast(
                                        new HttpClientCodec(),
                                        new HttpObjectAggregator(MAX_RESPONSE_BYTES),
                                        responses(ch));
                    }
                });
        if (!address.isUnix()) {
            bootstrap.option(ChannelOption.TCP_NODELAY, true);
        }
    }

    public DaemonAddress address() {
        return address;
    }

    /** The mapper used for request and response bodies. */
    public ObjectMapper mapper() {
        return mapper;
    }

    public DaemonResponse get(String path) {
        return send(HttpMethod.GET, path, null);
    }

    public DaemonResponse get(ApiPath path) {
        return get(path.toString());
    }

    /**
     * POSTs {@code body} as JSON: a {@link JsonNode}, or any object Jackson can write; {@code null} sends an empty
     * body ({@code Content-Length: 0}).
     */
    public DaemonResponse post(String path, Object body) {
        return send(HttpMethod.POST, path, body);
    }

    public DaemonResponse post(ApiPath path, Object body) {
        return post(path.toString(), body);
    }

    public DaemonResponse delete(String path) {
        return send(HttpMethod.DELETE, path, null);
    }

    public DaemonResponse delete(ApiPath path) {
        return delete(path.toString());
    }

    /** Sends one request and waits for its answer. */
    public synchronized DaemonResponse send(HttpMethod method, String path, Object body) {
        byte[] content;
        try {
            content = body == null ? new byte[0] : mapper.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the request body as JSON: " + e.getOriginalMessage(), e);
        }
        boolean reused = channel != null && channel.isActive();
        RawResponse raw;
        try {
            raw = exchange(method, path, content, body != null);
        } catch (ConnectionLost lost) {
            if (!reused) {
                throw new DaemonUnavailableException(
                        "the skep daemon at " + address + " closed the connection without answering", lost.getCause());
            }
            // The daemon closed an idle kept-alive connection just as we used it: one retry on a fresh one.
            try {
                raw = exchange(method, path, content, body != null);
            } catch (ConnectionLost again) {
                throw new DaemonUnavailableException(
                        "the skep daemon at " + address + " closed the connection without answering", again.getCause());
            }
        }
        return toResponse(path, raw);
    }

    private DaemonResponse toResponse(String path, RawResponse raw) {
        JsonNode json = parseBody(raw.body());
        if (raw.status() >= 200 && raw.status() < 300) {
            return new DaemonResponse(raw.status(), json, raw.headers());
        }
        throw new DaemonException(raw.status(), errorMessage(path, raw, json));
    }

    private JsonNode parseBody(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return null;
        }
        try {
            return mapper.readTree(text);
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(text);
        }
    }

    private static String errorMessage(String path, RawResponse raw, JsonNode json) {
        if (json != null && json.isObject() && json.path("message").isTextual()) {
            return json.path("message").asText();
        }
        if (json != null && json.isTextual() && !json.asText().isBlank()) {
            return json.asText().strip();
        }
        if (json != null) {
            return json.toString();
        }
        return "request returned " + raw.reason() + " for API route " + path;
    }

    private RawResponse exchange(HttpMethod method, String path, byte[] content, boolean hasBody)
            throws ConnectionLost {
        Channel ch = connectedChannel();
        ResponseHandler handler = ch.attr(RESPONSES).get();
        CompletableFuture<RawResponse> answer = new CompletableFuture<>();
        handler.pending = answer;

        FullHttpRequest request =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path, Unpooled.wrappedBuffer(content));
        request.headers()
                .set(HttpHeaderNames.HOST, address.hostHeader())
                .set(HttpHeaderNames.USER_AGENT, userAgent)
                .set(HttpHeaderNames.ACCEPT, HttpHeaderValues.APPLICATION_JSON);
        if (hasBody) {
            request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        }
        if (hasBody || method.equals(HttpMethod.POST) || method.equals(HttpMethod.PUT)) {
            HttpUtil.setContentLength(request, content.length);
        }
        ch.writeAndFlush(request).addListener(written -> {
            if (!written.isSuccess()) {
                answer.completeExceptionally(written.cause());
            }
        });

        RawResponse raw;
        try {
            raw = answer.get(responseTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            closeChannel();
            throw new DaemonUnavailableException(
                    "the skep daemon at " + address + " did not answer within " + responseTimeout.toSeconds()
                            + " seconds",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeChannel();
            throw new DaemonUnavailableException("interrupted while waiting for the skep daemon at " + address, e);
        } catch (ExecutionException e) {
            closeChannel();
            Throwable cause = handler.tlsFailure != null ? handler.tlsFailure : e.getCause();
            if (TlsFailure.isTls(cause)) {
                throw new DaemonUnavailableException(TlsFailure.describe(address, cause), cause);
            }
            if (cause instanceof IOException) {
                throw new ConnectionLost(cause);
            }
            throw new DaemonUnavailableException(
                    "error talking to the skep daemon at " + address + ": " + cause.getMessage(), cause);
        } finally {
            handler.pending = null;
        }
        if (!raw.keepAlive()) {
            closeChannel();
        }
        return raw;
    }

    private Channel connectedChannel() {
        if (channel != null && channel.isActive()) {
            return channel;
        }
        closeChannel();
        ChannelFuture connect = bootstrap.connect(address.socket());
        if (!connect.awaitUninterruptibly(CONNECT_TIMEOUT.toMillis() + 1000)) {
            connect.cancel(true);
            throw unavailable(null);
        }
        if (!connect.isSuccess()) {
            throw unavailable(connect.cause());
        }
        channel = connect.channel();
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls != null) {
            Future<Channel> handshake = tls.handshakeFuture();
            if (!handshake.awaitUninterruptibly(CONNECT_TIMEOUT.toMillis()) || !handshake.isSuccess()) {
                closeChannel();
                Throwable cause = handshake.cause();
                throw new DaemonUnavailableException(
                        cause == null
                                ? "the skep daemon at " + address + " did not complete the TLS handshake within "
                                        + CONNECT_TIMEOUT.toSeconds() + " seconds"
                                : TlsFailure.describe(address, cause),
                        cause);
            }
        }
        return channel;
    }

    private DaemonUnavailableException unavailable(Throwable cause) {
        String detail = cause == null ? null : cause.getMessage();
        if (detail != null && detail.toLowerCase(Locale.ROOT).contains("permission denied")) {
            return new DaemonUnavailableException(
                    "permission denied while trying to connect to the skep daemon " + "socket at " + address + ": "
                            + detail,
                    cause);
        }
        return new DaemonUnavailableException(cannotConnectMessage(address.uri()), cause);
    }

    /** Docker's wording, with skep: what the CLI prints when no daemon answers at {@code host}. */
    public static String cannotConnectMessage(String host) {
        return "Cannot connect to the skep daemon at " + host + ". Is the skep daemon running?";
    }

    private void closeChannel() {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    @Override
    public synchronized void close() {
        closeChannel();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    /** The connection closed or failed before an answer arrived. */
    private static final class ConnectionLost extends Exception {
        private static final long serialVersionUID = 1L;

        ConnectionLost(Throwable cause) {
            super(cause);
        }
    }

    private record RawResponse(
            int status, String reason, Map<String, String> headers, byte[] body, boolean keepAlive) {}

    /**
     * A connection's response handler, kept beside it: a server that refuses this client's certificate may close
     * the connection, and empty its pipeline, just after the handshake.
     */
    private static final AttributeKey<ResponseHandler> RESPONSES = AttributeKey.valueOf("skep-responses");

    private static ResponseHandler responses(Channel ch) {
        ResponseHandler handler = new ResponseHandler();
        ch.attr(RESPONSES).set(handler);
        return handler;
    }

    /** Completes the pending request's future with the aggregated answer. */
    private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {

        volatile CompletableFuture<RawResponse> pending;
        /** Why TLS failed on this connection (a server's alert may come after the handshake), or null. */
        volatile Throwable tlsFailure;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse msg) {
            Map<String, String> headers = new LinkedHashMap<>();
            msg.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
            RawResponse raw = new RawResponse(
                    msg.status().code(),
                    msg.status().reasonPhrase(),
                    headers,
                    ByteBufUtil.getBytes(msg.content()),
                    HttpUtil.isKeepAlive(msg));
            CompletableFuture<RawResponse> p = pending;
            if (p != null) {
                p.complete(raw);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            CompletableFuture<RawResponse> p = pending;
            if (p != null) {
                p.completeExceptionally(tlsFailure != null ? tlsFailure : new ClosedChannelException());
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (tlsFailure == null && TlsFailure.isTls(cause)) {
                tlsFailure = cause;
            }
            CompletableFuture<RawResponse> p = pending;
            if (p != null) {
                p.completeExceptionally(cause);
            }
            ctx.close();
        }
    }
}

package io.skep.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny Docker-API daemon for tests: a real Netty HTTP/1.1 server (unix socket or loopback TCP) answering canned
 * JSON per route and recording every request. Routes are {@code METHOD /path}, where a {@code {}} segment matches
 * any one segment; a {@code /v1.NN} prefix is stripped as the real daemon does. Unknown routes answer 404.
 */
public final class CannedDaemon implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One request as the server saw it. */
    public record Request(
            String method,
            String uri,
            String path,
            Map<String, List<String>> query,
            String body,
            Map<String, String> headers) {

        /** The first value of a query parameter, or {@code null}. */
        public String query(String name) {
            List<String> v = query.get(name);
            return v == null || v.isEmpty() ? null : v.getFirst();
        }

        /** The body parsed as JSON. */
        public JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (Exception e) {
                throw new IllegalStateException("not JSON: " + body, e);
            }
        }

        /** The {@code filters} query parameter parsed as JSON. */
        public JsonNode filters() {
            try {
                return MAPPER.readTree(query("filters"));
            } catch (Exception e) {
                throw new IllegalStateException("no filters in " + uri, e);
            }
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** An answer: status, JSON text (may be empty), extra headers. */
    public record Reply(int status, String body, Map<String, String> headers) {

        public static Reply json(int status, String json) {
            return new Reply(status, json, Map.of());
        }

        public static Reply ok(String json) {
            return json(200, json);
        }

        public static Reply empty(int status) {
            return new Reply(status, "", Map.of());
        }

        public static Reply error(int status, String message) {
            return json(status, "{\"message\":" + MAPPER.valueToTree(message) + "}");
        }

        public Reply withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Reply(status, body, h);
        }
    }

    /** Computes the answer for a request. */
    @FunctionalInterface
    public interface Route {
        Reply handle(Request request) throws Exception;
    }

    private final Map<String, Route> routes = new LinkedHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final EventLoopGroup group;
    private final Channel server;
    private final String host;

    private CannedDaemon(SocketAddress bind, boolean unix) {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(unix ? NioServerDomainSocketChannel.class : NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(16 << 20), new Handler());
                    }
                });
        server = b.bind(bind).syncUninterruptibly().channel();
        if (unix) {
            host = "unix://" + ((UnixDomainSocketAddress) bind).getPath();
        } else {
            InetSocketAddress a = (InetSocketAddress) server.localAddress();
            host = "tcp://127.0.0.1:" + a.getPort();
        }
    }

    /** A daemon on a unix socket at {@code socket}. */
    public static CannedDaemon unix(Path socket) {
        return new CannedDaemon(UnixDomainSocketAddress.of(socket), true);
    }

    /** A daemon on a free loopback TCP port. */
    public static CannedDaemon tcp() {
        return new CannedDaemon(new InetSocketAddress("127.0.0.1", 0), false);
    }

    /** {@code unix:///...} or {@code tcp://127.0.0.1:port}. */
    public String host() {
        return host;
    }

    /** Adds a route; {@code route} is e.g. {@code "GET /services/{}"}. */
    public CannedDaemon on(String route, Route handler) {
        routes.put(route, handler);
        return this;
    }

    /** Adds a route with a fixed 200 JSON answer. */
    public CannedDaemon on(String route, String json) {
        return on(route, r -> Reply.ok(json));
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Requests to {@code METHOD path} (path without query). */
    public List<Request> requests(String method, String path) {
        List<Request> list = new ArrayList<>();
        for (Request r : requests) {
            if (r.method().equals(method) && r.path().equals(path)) {
                list.add(r);
            }
        }
        return list;
    }

    /** How many connections clients opened. */
    public int connections() {
        return connections.get();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Route find(String method, String path) {
        for (Map.Entry<String, Route> e : routes.entrySet()) {
            String[] mp = e.getKey().split(" ", 2);
            if (mp[0].equals(method) && matches(mp[1], path)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static boolean matches(String pattern, String path) {
        String[] p = pattern.split("/", -1);
        String[] a = path.split("/", -1);
        if (p.length != a.length) {
            return false;
        }
        for (int i = 0; i < p.length; i++) {
            if (!p[i].equals("{}") && !p[i].equals(a[i])) {
                return false;
            }
        }
        return true;
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
            QueryStringDecoder qs = new QueryStringDecoder(msg.uri());
            String path = qs.path().replaceFirst("^/v1\\.\\d+(?=/)", "");
            Map<String, String> headers = new LinkedHashMap<>();
            msg.headers().forEach(h -> headers.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
            Request request = new Request(
                    msg.method().name(),
                    msg.uri(),
                    path,
                    qs.parameters(),
                    msg.content().toString(StandardCharsets.UTF_8),
                    headers);
            requests.add(request);
            Route route = find(request.method(), path);
            Reply reply;
            try {
                reply = route == null ? Reply.error(404, "page not found") : route.handle(request);
            } catch (Exception | AssertionError e) {
                reply = Reply.error(500, "canned daemon failed: " + e);
            }
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(body));
            if (body.length > 0) {
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            }
            HttpUtil.setContentLength(response, body.length);
            reply.headers().forEach((k, v) -> response.headers().set(k, v));
            boolean close = !HttpUtil.isKeepAlive(msg)
                    || "close".equalsIgnoreCase(reply.headers().get("Connection"));
            var written = ctx.writeAndFlush(response);
            if (close) {
                written.addListener(f -> ctx.close());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Parses JSON text in tests. */
    public static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (Exception e) {
            throw new UncheckedIOException(new java.io.IOException(e));
        }
    }
}

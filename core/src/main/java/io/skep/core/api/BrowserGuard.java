package io.skep.core.api;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Refuses with a 403, before reading its body, what a web browser sends to a TCP listener of the control API on
 * behalf of a page of any site. The docker CLI and skep's send none of it.
 * <ul>
 * <li><b>DNS rebinding</b>: a site re-points its own name at 127.0.0.1, and its page then reaches a loopback
 *     listener as if it were that site. A listener that does not authenticate clients takes only a {@code Host}
 *     that names a loopback address ({@code 127.x.x.x}, {@code [::1]}), {@code localhost} or a name under it, or the
 *     name it was told to listen on, with its own port.
 * <li><b>Cross-site requests</b>: browsers mark them with {@code Origin} (the API serves no page, so none of its
 *     own requests carry one) or {@code Sec-Fetch-Site: cross-site} or {@code same-site}.
 * <li><b>Browsers that mark nothing</b>: a write (any method but GET, HEAD, OPTIONS) of a body type a page may send
 *     anywhere without asking (text/plain, application/x-www-form-urlencoded, multipart/form-data); the API takes
 *     JSON. An empty text/plain write passes unless a browser sent it: older docker clients label every POST so.
 * </ul>
 */
final class BrowserGuard extends ChannelInboundHandlerAdapter {
    private static final Pattern LOOPBACK_IPV4 = Pattern.compile("127(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Set<String> SIMPLE_TYPES =
            Set.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data");
    private static final Set<HttpMethod> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    /** The host name of the listener's address ({@code -H tcp://NAME:PORT}), lower case. */
    private final String listenerName;
    /** Whether clients prove who they are (mutual TLS): then the Host header is theirs to choose. */
    private final boolean authenticatedClients;
    /** While the parts of a refused request go by. */
    private boolean refusing;

    BrowserGuard(String listenerName, boolean authenticatedClients) {
        this.listenerName = listenerName.toLowerCase(Locale.ROOT);
        this.authenticatedClients = authenticatedClients;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            // a request the decoder could not read goes on: it is refused for that, in its turn
            String refusal = request.decoderResult().isSuccess() ? refusal(ctx, request) : null;
            refusing = refusal != null;
            if (refusing) {
                ReferenceCountUtil.release(msg);
                refuse(ctx, refusal);
                return;
            }
        } else if (refusing) {
            ReferenceCountUtil.release(msg); // the body of a refused request
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Why {@code request} is refused, or null. */
    private String refusal(ChannelHandlerContext ctx, HttpRequest request) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null) {
            return "cross-origin request refused (Origin: " + origin + "): the control API serves no web page";
        }
        String site = request.headers().get("Sec-Fetch-Site");
        if (site != null && (site.equalsIgnoreCase("cross-site") || site.equalsIgnoreCase("same-site"))) {
            return "cross-site request refused (Sec-Fetch-Site: " + site + "): the control API serves no web page";
        }
        if (!authenticatedClients) {
            String host = request.headers().get(HttpHeaderNames.HOST);
            int port = ((InetSocketAddress) ctx.channel().localAddress()).getPort();
            if (host == null || !namesThisListener(host, port, ctx.pipeline().get(SslHandler.class) != null)) {
                return "request refused: Host " + (host == null ? "missing" : "\"" + host + "\"")
                        + " is not this listener (localhost or a loopback address, port " + port
                        + "); a web page that re-points its site's name at this machine (DNS rebinding) sends that";
            }
        }
        String type = mediaType(request);
        if (!READS.contains(request.method())
                && SIMPLE_TYPES.contains(type)
                && !(type.equals("text/plain") && empty(request) && !fromBrowser(request))) {
            return "request refused: a web page can send a " + request.method() + " of Content-Type " + type
                    + " to any site; the control API takes application/json";
        }
        return null;
    }

    /** Whether {@code host} ({@code name[:port]}, {@code [v6][:port]}) names this loopback listener. */
    private boolean namesThisListener(String host, int port, boolean tls) {
        String name = host.strip().toLowerCase(Locale.ROOT);
        String portText = null;
        int close = name.lastIndexOf(']');
        int colon = name.lastIndexOf(':');
        if (colon > close) {
            portText = name.substring(colon + 1);
            name = name.substring(0, colon);
        }
        int given = portText == null ? (tls ? 443 : 80) : parsePort(portText);
        if (given != port) {
            return false;
        }
        return name.equals("localhost")
                || name.endsWith(".localhost")
                || LOOPBACK_IPV4.matcher(name).matches()
                || name.equals("[::1]")
                || name.equals(listenerName);
    }

    private static int parsePort(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The media type of the body, lower case, without parameters; empty when there is none. */
    private static String mediaType(HttpRequest request) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        int semicolon = type.indexOf(';');
        return (semicolon < 0 ? type : type.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private static boolean empty(HttpRequest request) {
        return !HttpUtil.isTransferEncodingChunked(request) && HttpUtil.getContentLength(request, 0L) == 0;
    }

    /** Every browser's User-Agent starts so; the docker CLI's is {@code Docker-Client/…}, skep's {@code skep-cli/…}. */
    private static boolean fromBrowser(HttpRequest request) {
        return request.headers().get(HttpHeaderNames.USER_AGENT, "").startsWith("Mozilla/");
    }

    /**
     * The refusal goes on as a {@link Refusal}, answered in its turn among the connection's requests; the connection
     * closes after it, since the refused request's body is not read.
     */
    private static void refuse(ChannelHandlerContext ctx, String message) {
        ctx.fireChannelRead(new Refusal(403, message));
    }
}

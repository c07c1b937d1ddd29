package io.skep.client;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.util.Map;

/**
 * Where the control API of a daemon answers: {@code unix:///path/to/socket} or {@code tcp://host:port}.
 *
 * @param uri        the address as the user wrote it (used in messages)
 * @param socket     a {@link UnixDomainSocketAddress} or an unresolved {@link InetSocketAddress}
 * @param hostHeader the value of the HTTP {@code Host} header
 */
public record DaemonAddress(String uri, SocketAddress socket, String hostHeader) {

    /** Where the daemon's control API listens unless told otherwise, and where the CLI looks for it. */
    public static final String DEFAULT_HOST = "unix:///var/run/skep.sock";

    /** The environment variable naming the daemon when {@code -H/--host} is not given. */
    public static final String HOST_ENV = "SKEP_HOST";

    /** {@code true} for a unix socket. */
    public boolean isUnix() {
        return socket instanceof UnixDomainSocketAddress;
    }

    /**
     * The daemon to talk to: {@code hostOption} if given, else {@code $SKEP_HOST}, else
     * {@link #DEFAULT_HOST}.
     */
    public static String resolveHost(String hostOption, Map<String, String> env) {
        if (hostOption != null && !hostOption.isBlank()) {
            return hostOption.trim();
        }
        String fromEnv = env.get(HOST_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv.trim();
        }
        return DEFAULT_HOST;
    }

    /**
     * Parses {@code unix:///path} or {@code tcp://host:port}.
     *
     * @throws IllegalArgumentException for any other shape, with a message for the user
     */
    public static DaemonAddress parse(String host) {
        if (host.startsWith("unix://")) {
            String path = host.substring("unix://".length());
            if (path.isEmpty()) {
                throw new IllegalArgumentException("invalid host \"" + host + "\": the socket path is missing");
            }
            return new DaemonAddress(host, UnixDomainSocketAddress.of(path), "localhost");
        }
        if (host.startsWith("tcp://")) {
            URI uri;
            try {
                uri = new URI(host);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("invalid host \"" + host + "\": " + e.getMessage(), e);
            }
            String name = uri.getHost();
            int port = uri.getPort();
            if (name == null || port < 0) {
                throw new IllegalArgumentException("invalid host \"" + host + "\": expected tcp://host:port");
            }
            if (uri.getPath() != null
                    && !uri.getPath().isEmpty()
                    && !uri.getPath().equals("/")) {
                throw new IllegalArgumentException("invalid host \"" + host + "\": a path is not allowed");
            }
            String bare = name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
            return new DaemonAddress(host, InetSocketAddress.createUnresolved(bare, port), name + ":" + port);
        }
        throw new IllegalArgumentException(
                "invalid host \"" + host + "\": use unix:///path/to/socket or tcp://host:port");
    }

    @Override
    public String toString() {
        return uri;
    }
}

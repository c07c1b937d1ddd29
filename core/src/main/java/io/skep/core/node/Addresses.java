package io.skep.core.node;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/**
 * The addresses of swarm init and join, as Docker reads them: {@code ListenAddr} ({@code host:port}, port 2377 when
 * left out) and {@code AdvertiseAddr} (what other nodes are told to dial: an address, with the listen port when it
 * names none).
 */
final class Addresses {
    static final int DEFAULT_PORT = 2377;

    private Addresses() {}

    /** A {@code host:port} (or {@code host}, or {@code :port}) with the field's name in the error. */
    static InetSocketAddress parse(String field, String value) {
        String v = value == null ? "" : value.strip();
        if (v.isEmpty()) {
            throw new IllegalArgumentException(field + ": an address is required");
        }
        String host = v;
        int port = DEFAULT_PORT;
        int colon = v.lastIndexOf(':');
        if (colon >= 0 && v.indexOf(']') < colon) {
            host = v.substring(0, colon);
            try {
                port = Integer.parseInt(v.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        field + " \"" + value + "\": invalid port \"" + v.substring(colon + 1) + "\"");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(field + " \"" + value + "\": a port is 0..65535");
            }
        }
        host = host.replace("[", "").replace("]", "");
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        if (!host.matches("[0-9a-fA-F.:]+")) {
            throw new IllegalArgumentException(field + " \"" + value
                    + "\": expected an IP address and port (host names " + "and interface names are not taken)");
        }
        return new InetSocketAddress(host, port);
    }

    /**
     * What other nodes dial: the advertise address when given (its port, or the bound one), else the listen address
     * when it names one, else this host's first non-loopback IPv4 address (loopback on a host without one).
     */
    static String advertised(String advertiseAddr, InetSocketAddress bound) {
        if (advertiseAddr != null && !advertiseAddr.isBlank()) {
            boolean hasPort = advertiseAddr.strip().matches(".*:\\d+$") && !advertiseAddr.contains("::");
            InetSocketAddress a = parse("AdvertiseAddr", advertiseAddr);
            return hostPort(a.getAddress(), hasPort ? a.getPort() : bound.getPort());
        }
        if (!bound.getAddress().isAnyLocalAddress()) {
            return hostPort(bound.getAddress(), bound.getPort());
        }
        return hostPort(firstHostAddress(), bound.getPort());
    }

    static String host(String hostPort) {
        return hostPort.substring(0, hostPort.lastIndexOf(':')).replace("[", "").replace("]", "");
    }

    private static String hostPort(InetAddress address, int port) {
        String host = address.getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static InetAddress firstHostAddress() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return a;
                    }
                }
            }
        } catch (SocketException e) {
            // fall through: loopback
        }
        return InetAddress.getLoopbackAddress();
    }
}

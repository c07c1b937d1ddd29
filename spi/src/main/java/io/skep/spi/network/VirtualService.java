package io.skep.spi.network;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * A service's virtual IP on one network and the tasks behind it: a connection an endpoint opens to {@code vip}
 * goes to one of {@code backends} ({@link NetworkDriver#setServices}).
 *
 * @param vip      the virtual IP, e.g. {@code 198.18.0.100}: an address of the network's subnet that no endpoint has
 * @param backends the addresses of the service's running tasks on the network, e.g. {@code 198.18.0.5}; empty when
 *                 it has none (connections to the VIP are then refused)
 */
public record VirtualService(InetAddress vip, List<InetAddress> backends) {

    public VirtualService {
        Objects.requireNonNull(vip, "vip");
        Objects.requireNonNull(backends, "backends");
        backends = List.copyOf(backends); // also refuses null elements
    }
}

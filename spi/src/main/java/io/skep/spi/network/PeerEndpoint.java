package io.skep.spi.network;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * One row of a network's peer table: an endpoint on another node, and the node that holds it.
 *
 * @param address the endpoint's address on the network (without prefix), e.g. {@code 198.18.0.7}
 * @param mac     the endpoint's MAC address
 * @param node    the data-path (underlay) address of the node that holds it, e.g. {@code 192.0.2.2}
 */
public record PeerEndpoint(InetAddress address, MacAddress mac, InetAddress node) {

    public PeerEndpoint {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(node, "node");
    }

    /** A peer whose MAC is Docker's for its IPv4 address ({@link MacAddress#fromIpv4}). */
    public static PeerEndpoint of(Inet4Address address, InetAddress node) {
        return new PeerEndpoint(address, MacAddress.fromIpv4(address), node);
    }
}

/**
 * The network driver {@code overlay}: VXLAN overlay networks across nodes, as Docker's overlay driver builds them.
 * Per network and node, a network namespace holds a bridge with the gateway's address and a VXLAN device; each
 * task's endpoint is a veth pair from that bridge into the task's namespace; the peer table is static FDB and
 * neighbour entries on the VXLAN device. A veth pair per network to the node's namespace leads to the node's
 * service address and, for a network that is not internal, out of the node (nftables masquerading); services' VIPs
 * are nftables DNAT rules in each task's namespace, a random backend per connection. Exports nothing: the core finds it through {@link java.util.ServiceLoader}.
 */
module io.skep.network.overlay {
    requires io.skep.spi;

    provides io.skep.spi.network.NetworkDriverProvider with
            io.skep.network.overlay.OverlayDriverProvider;
}

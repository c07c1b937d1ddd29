package io.skep.spi.network;

import java.net.InetAddress;
import java.util.Map;
import java.util.Objects;

/**
 * One network as the managers allocated it, everything a driver needs to give it a data path on a node: an
 * immutable value made with {@link #builder}. A class with accessors rather than a record, so that it can grow
 * (new accessors with defaults) without breaking plugins compiled against an older SPI.
 *
 * <p>Required: the network's ID, its VXLAN ID, its subnet and its gateway. The rest has defaults: no name, not
 * internal, no driver options.
 */
public final class NetworkDefinition {

    /** The largest VXLAN network identifier (24 bits). */
    public static final int MAX_VXLAN_ID = (1 << 24) - 1;

    private final String id;
    private final String name;
    private final int vxlanId;
    private final Cidr subnet;
    private final InetAddress gateway;
    private final boolean internal;
    private final Map<String, String> options;

    private NetworkDefinition(Builder b) {
        this.id = b.id;
        this.name = b.name;
        this.vxlanId = b.vxlanId;
        this.subnet = b.subnet;
        this.gateway = b.gateway;
        this.internal = b.internal;
        this.options = Map.copyOf(b.options);
    }

    /**
     * A builder of a network with these required parts.
     *
     * @param id      the network's ID
     * @param vxlanId its VXLAN network identifier, 1 to {@value #MAX_VXLAN_ID}, the same on every node
     * @param subnet  its subnet, e.g. {@code 198.18.0.0/24} (host bits are cleared)
     * @param gateway the gateway's address in the subnet, e.g. {@code 198.18.0.1}
     */
    public static Builder builder(String id, int vxlanId, Cidr subnet, InetAddress gateway) {
        return new Builder(id, vxlanId, subnet, gateway);
    }

    /** A builder that starts from this definition (to change a field or two). */
    public Builder toBuilder() {
        return new Builder(id, vxlanId, subnet, gateway)
                .name(name)
                .internal(internal)
                .options(options);
    }

    /** The network's ID. */
    public String id() {
        return id;
    }

    /** The network's name, or empty. For messages and logs: the driver identifies a network by its VXLAN ID. */
    public String name() {
        return name;
    }

    /** The VXLAN network identifier: the same on every node, unique among the cluster's networks. */
    public int vxlanId() {
        return vxlanId;
    }

    /** The subnet, e.g. {@code 198.18.0.0/24}. */
    public Cidr subnet() {
        return subnet;
    }

    /** The gateway's address, in the subnet. */
    public InetAddress gateway() {
        return gateway;
    }

    /** The gateway with the subnet's prefix length, as an interface carries it: {@code 198.18.0.1/24}. */
    public Cidr gatewayCidr() {
        return new Cidr(gateway, subnet.prefixLength());
    }

    /** Whether the network is internal ({@code --internal}): its endpoints get no default route through it. */
    public boolean internal() {
        return internal;
    }

    /** The driver options given at creation ({@code --opt key=value}), possibly empty. */
    public Map<String, String> options() {
        return options;
    }

    /** {@code "web-net" (id abc, vxlan 4097, 198.18.0.0/24)}: how messages name a network. */
    @Override
    public String toString() {
        return (name.isEmpty() ? "network" : "\"" + name + "\"") + " (id " + id + ", vxlan " + vxlanId + ", " + subnet
                + ")";
    }

    /** Makes a {@link NetworkDefinition}; {@link #build} checks that the parts fit together. */
    public static final class Builder {
        private final String id;
        private final int vxlanId;
        private final Cidr subnet;
        private final InetAddress gateway;
        private String name = "";
        private boolean internal;
        private Map<String, String> options = Map.of();

        private Builder(String id, int vxlanId, Cidr subnet, InetAddress gateway) {
            this.id = Objects.requireNonNull(id, "id");
            this.vxlanId = vxlanId;
            this.subnet = Objects.requireNonNull(subnet, "subnet").network();
            this.gateway = Objects.requireNonNull(gateway, "gateway");
        }

        public Builder name(String name) {
            this.name = name == null ? "" : name;
            return this;
        }

        public Builder internal(boolean internal) {
            this.internal = internal;
            return this;
        }

        public Builder options(Map<String, String> options) {
            this.options = options == null ? Map.of() : Map.copyOf(options);
            return this;
        }

        /**
         * The network.
         *
         * @throws IllegalArgumentException naming the part that does not fit: an empty ID, a VXLAN ID out of range,
         *                                  a gateway outside the subnet
         */
        public NetworkDefinition build() {
            if (id.isBlank()) {
                throw new IllegalArgumentException("network ID: must not be empty");
            }
            if (vxlanId < 1 || vxlanId > MAX_VXLAN_ID) {
                throw new IllegalArgumentException("VXLAN ID: must be from 1 to " + MAX_VXLAN_ID + ", got " + vxlanId);
            }
            if (!subnet.contains(gateway)) {
                throw new IllegalArgumentException(
                        "gateway: " + gateway.getHostAddress() + " is not in the subnet " + subnet);
            }
            return new NetworkDefinition(this);
        }
    }
}

package io.skep.spi.network;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A task's endpoint on one network, on this node: the interface a driver plumbs into the task's network namespace.
 * An immutable value made with {@link #builder}; a class with accessors so that it can grow without breaking
 * plugins.
 *
 * <p>Required: the task's ID, the path of its network namespace and at least one address. The rest has
 * defaults: the interface {@value #DEFAULT_INTERFACE}, and the MAC address Docker derives from the first IPv4
 * address ({@link MacAddress#fromIpv4}).
 */
public final class Endpoint {

    /** The interface name in the task's namespace when none is given (a task's first network, as in Docker). */
    public static final String DEFAULT_INTERFACE = "eth0";

    /** The longest interface name Linux takes (IFNAMSIZ less the terminating NUL). */
    public static final int MAX_INTERFACE_NAME = 15;

    private final String taskId;
    private final Path namespace;
    private final List<Cidr> addresses;
    private final MacAddress mac;
    private final String interfaceName;

    private Endpoint(Builder b, MacAddress mac) {
        this.taskId = b.taskId;
        this.namespace = b.namespace;
        this.addresses = List.copyOf(b.addresses);
        this.mac = mac;
        this.interfaceName = b.interfaceName;
    }

    /**
     * A builder of the endpoint of this task.
     *
     * @param taskId    the task's ID
     * @param namespace the task's network namespace as a file: {@code /proc/<pid>/ns/net} of a process in it, or a
     *                  bind mount such as {@code /var/run/netns/<name>}
     */
    public static Builder builder(String taskId, Path namespace) {
        return new Builder(taskId, namespace);
    }

    /** A builder that starts from this endpoint. */
    public Builder toBuilder() {
        return new Builder(taskId, namespace).addresses(addresses).mac(mac).interfaceName(interfaceName);
    }

    /** The task's ID. */
    public String taskId() {
        return taskId;
    }

    /** The task's network namespace, as a file. */
    public Path namespace() {
        return namespace;
    }

    /** The task's addresses on the network, with the subnet's prefix length ({@code 198.18.0.5/24}); never empty. */
    public List<Cidr> addresses() {
        return addresses;
    }

    /** The interface's MAC address: the one given, or Docker's derived from the first IPv4 address. */
    public MacAddress mac() {
        return mac;
    }

    /** The interface's name in the task's namespace, at most {@value #MAX_INTERFACE_NAME} characters. */
    public String interfaceName() {
        return interfaceName;
    }

    @Override
    public String toString() {
        return "endpoint of task " + taskId + " (" + interfaceName + " " + addresses + " " + mac + " in " + namespace
                + ")";
    }

    /** Makes an {@link Endpoint}; {@link #build} checks the parts. */
    public static final class Builder {
        private final String taskId;
        private final Path namespace;
        private List<Cidr> addresses = List.of();
        private MacAddress mac;
        private String interfaceName = DEFAULT_INTERFACE;

        private Builder(String taskId, Path namespace) {
            this.taskId = Objects.requireNonNull(taskId, "taskId");
            this.namespace = Objects.requireNonNull(namespace, "namespace");
        }

        /** The task's addresses on the network, with the subnet's prefix length. */
        public Builder addresses(List<Cidr> addresses) {
            this.addresses = List.copyOf(addresses);
            return this;
        }

        /** The task's one address on the network, e.g. {@code Cidr.parse("198.18.0.5/24")}. */
        public Builder address(Cidr address) {
            return addresses(List.of(address));
        }

        /** The MAC address; null to derive Docker's from the first IPv4 address. */
        public Builder mac(MacAddress mac) {
            this.mac = mac;
            return this;
        }

        /** The interface's name in the task's namespace ({@code eth0}, {@code eth1} for a second network). */
        public Builder interfaceName(String interfaceName) {
            this.interfaceName = Objects.requireNonNull(interfaceName, "interfaceName");
            return this;
        }

        /**
         * The endpoint.
         *
         * @throws IllegalArgumentException naming the part that is wrong: an empty task ID, no address, no MAC and
         *                                  no IPv4 address to derive one from, an interface name Linux refuses
         */
        public Endpoint build() {
            if (taskId.isBlank()) {
                throw new IllegalArgumentException("task ID: must not be empty");
            }
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("addresses: an endpoint needs at least one address");
            }
            if (interfaceName.isEmpty()
                    || interfaceName.length() > MAX_INTERFACE_NAME
                    || !interfaceName.matches("[A-Za-z0-9_.-]+")
                    || interfaceName.equals(".")
                    || interfaceName.equals("..")) {
                throw new IllegalArgumentException("interface name: \"" + interfaceName + "\" is not a valid name"
                        + " (1 to " + MAX_INTERFACE_NAME + " letters, digits, '_', '.', '-')");
            }
            MacAddress chosen = mac;
            if (chosen == null) {
                Optional<Inet4Address> ipv4 = addresses.stream()
                        .map(Cidr::address)
                        .filter(Inet4Address.class::isInstance)
                        .map(Inet4Address.class::cast)
                        .findFirst();
                chosen = MacAddress.fromIpv4(ipv4.orElseThrow(() -> new IllegalArgumentException(
                        "MAC address: none given, and no IPv4 address to derive one from")));
            }
            return new Endpoint(this, chosen);
        }
    }
}

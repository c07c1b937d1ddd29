package io.skep.spi.network;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What a network driver is given about the node it runs on. An immutable value made with {@link #builder}; a class
 * with accessors so that it can grow without breaking plugins.
 */
public final class NetworkDriverContext {

    /**
     * The service address when none is given: {@code 169.254.53.53}, a link-local address (never routed beyond a
     * link, so it cannot clash with a network's subnet or the underlay).
     */
    public static final InetAddress DEFAULT_SERVICE_ADDRESS = Cidr.literal("169.254.53.53");

    private final String nodeId;
    private final InetAddress dataPathAddress;
    private final Path stateDir;
    private final Path nodeNamespace;
    private final InetAddress serviceAddress;

    private NetworkDriverContext(Builder b) {
        this.nodeId = b.nodeId;
        this.dataPathAddress = b.dataPathAddress;
        this.stateDir = b.stateDir;
        this.nodeNamespace = b.nodeNamespace;
        this.serviceAddress = b.serviceAddress;
    }

    /**
     * A builder of the context of this node.
     *
     * @param nodeId          the node's ID
     * @param dataPathAddress the node's address on the underlay, the one other nodes send its overlay traffic to
     *                        ({@code swarm init --data-path-addr}, else its advertised address)
     * @param stateDir        a directory of the driver's own inside the node's data directory, kept across
     *                        restarts of the node
     */
    public static Builder builder(String nodeId, InetAddress dataPathAddress, Path stateDir) {
        return new Builder(nodeId, dataPathAddress, stateDir);
    }

    /** The node's ID. Several nodes may share a host: a driver owns only what it marks with this ID. */
    public String nodeId() {
        return nodeId;
    }

    /** The node's address on the underlay. */
    public InetAddress dataPathAddress() {
        return dataPathAddress;
    }

    /** The driver's own directory in the node's data directory. */
    public Path stateDir() {
        return stateDir;
    }

    /**
     * The network namespace that holds this node's underlay (its data-path address), as a file such as
     * {@code /var/run/netns/<name>}, when it is not the namespace the node's process runs in; empty (the usual
     * case) for the process's own. It is set where one process plays several nodes, each with a network of its own:
     * the driver then makes the node's tunnel endpoints there.
     */
    public Optional<Path> nodeNamespace() {
        return Optional.ofNullable(nodeNamespace);
    }

    /**
     * The address where the node's own services for tasks listen (its DNS server, on port 53): an address of the
     * node, in {@link #nodeNamespace() its namespace}, that every endpoint of every network prepared on the node
     * reaches ({@link NetworkDriver#prepare}), internal networks included. {@link #DEFAULT_SERVICE_ADDRESS} unless
     * set.
     */
    public InetAddress serviceAddress() {
        return serviceAddress;
    }

    @Override
    public String toString() {
        return "node " + nodeId + " (data path " + dataPathAddress.getHostAddress()
                + (nodeNamespace == null ? "" : ", namespace " + nodeNamespace) + ", services at "
                + serviceAddress.getHostAddress() + ")";
    }

    /** Makes a {@link NetworkDriverContext}. */
    public static final class Builder {
        private final String nodeId;
        private final InetAddress dataPathAddress;
        private final Path stateDir;
        private Path nodeNamespace;
        private InetAddress serviceAddress = DEFAULT_SERVICE_ADDRESS;

        private Builder(String nodeId, InetAddress dataPathAddress, Path stateDir) {
            this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
            this.dataPathAddress = Objects.requireNonNull(dataPathAddress, "dataPathAddress");
            this.stateDir = Objects.requireNonNull(stateDir, "stateDir");
        }

        /** The namespace of the node's underlay, when not the process's own (see {@link #nodeNamespace()}). */
        public Builder nodeNamespace(Path nodeNamespace) {
            this.nodeNamespace = nodeNamespace;
            return this;
        }

        /** The address of the node's services for tasks (see {@link #serviceAddress()}). */
        public Builder serviceAddress(InetAddress serviceAddress) {
            this.serviceAddress = Objects.requireNonNull(serviceAddress, "serviceAddress");
            return this;
        }

        public NetworkDriverContext build() {
            if (nodeId.isBlank()) {
                throw new IllegalArgumentException("node ID: must not be empty");
            }
            return new NetworkDriverContext(this);
        }
    }
}

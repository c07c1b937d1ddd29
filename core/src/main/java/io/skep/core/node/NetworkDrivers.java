package io.skep.core.node;

import io.skep.core.agent.NodeNetwork;
import io.skep.core.plugins.PluginRegistry;
import io.skep.spi.network.Cidr;
import io.skep.spi.network.NetworkDriverContext;
import io.skep.spi.network.NetworkDriverException;
import io.skep.spi.network.NetworkDriverProvider;
import io.skep.spi.runtime.Availability;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens the node's network driver for its agent: the swarm's networks are the overlay driver's. */
final class NetworkDrivers {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkDrivers.class);

    /** The driver of swarm networks ({@code network create --driver overlay}). */
    static final String OVERLAY = "overlay";

    private NetworkDrivers() {}

    /**
     * The overlay driver opened for this node, its data path on {@code dataPathAddress} (the node's advertised
     * address); or, when the driver is missing or cannot work here, why.
     */
    static NodeNetwork open(PluginRegistry plugins, String nodeId, Path dataDir, String dataPathAddress) {
        Optional<NetworkDriverProvider> provider = plugins.all(NetworkDriverProvider.class).stream()
                .filter(p -> p.name().equals(OVERLAY))
                .findFirst();
        if (provider.isEmpty()) {
            return NodeNetwork.none("this node has no " + OVERLAY + " network driver");
        }
        NetworkDriverContext context;
        try {
            context = NetworkDriverContext.builder(
                            nodeId,
                            Cidr.literal(dataPathAddress),
                            dataDir.resolve("networks").resolve(OVERLAY))
                    .build();
        } catch (IllegalArgumentException e) {
            return NodeNetwork.none("the data path address \"" + dataPathAddress + "\" is not an IP address");
        }
        Availability available = provider.get().probe(context);
        if (!available.available()) {
            LOG.info("network driver {} not available here: {}", OVERLAY, available.reason());
            return NodeNetwork.none(
                    "the " + OVERLAY + " network driver cannot work on this node: " + available.reason());
        }
        try {
            return new NodeNetwork(provider.get().open(context), context.serviceAddress(), null);
        } catch (NetworkDriverException e) {
            LOG.warn("network driver {} failed to open: {}", OVERLAY, e.getMessage());
            return NodeNetwork.none("the " + OVERLAY + " network driver failed to open: " + e.getMessage());
        }
    }
}

package io.skep.core.agent;

import io.skep.spi.network.NetworkDriver;
import java.net.InetAddress;

/**
 * What the agent is given to put tasks on networks: the node's network driver, opened for this swarm, and the node's
 * service address; or, on a node that cannot, why.
 *
 * @param driver         the opened driver, or null
 * @param serviceAddress where the node's DNS server answers its tasks, or null for none
 * @param unavailable    why the node has no driver (null when it has one)
 */
public record NodeNetwork(NetworkDriver driver, InetAddress serviceAddress, String unavailable) {

    /** A node without networks, and why. */
    public static NodeNetwork none(String why) {
        return new NodeNetwork(null, null, why);
    }
}

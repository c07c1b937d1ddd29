package io.skep.core.dispatcher;

import java.util.List;
import java.util.Objects;

/**
 * What a node needs of one network its tasks are on, besides the network itself (which each task's
 * {@code NetworksAttachments} carries): where the network's endpoints live (the driver's peer table), and the
 * services on it with their running tasks (service discovery and the VIP's backends). A node learns only the
 * networks of its own tasks. Every node on a network is sent the same view: the node skips its own endpoints (its
 * tasks), which it plumbs itself.
 *
 * @param networkId the network's ID
 * @param peers     the network's endpoints: every task placed on a node that has not ended
 * @param services  the services attached to the network, this node's and others'
 */
public record NetworkView(String networkId, List<Peer> peers, List<ServiceEntry> services) {

    public NetworkView {
        Objects.requireNonNull(networkId, "networkId");
        peers = peers == null ? List.of() : List.copyOf(peers);
        services = services == null ? List.of() : List.copyOf(services);
    }

    /**
     * An endpoint of the network.
     *
     * @param taskId  the task's ID
     * @param address the task's address on the network, without prefix ({@code 198.18.0.5})
     * @param node    the data-path address of the node that holds it ({@code 192.0.2.2})
     */
    public record Peer(String taskId, String address, String node) {}

    /**
     * A service on the network, as service discovery names it.
     *
     * @param serviceId the service's ID
     * @param name      the service's name ({@code web})
     * @param aliases   its further names on this network ({@code --network name=n,alias=a})
     * @param virtualIp its VIP on this network without prefix, or null when it resolves by DNS round robin
     *                  ({@code --endpoint-mode dnsrr})
     * @param tasks     its running tasks, on any node
     */
    public record ServiceEntry(
            String serviceId, String name, List<String> aliases, String virtualIp, List<TaskEntry> tasks) {
        public ServiceEntry {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
            tasks = tasks == null ? List.of() : List.copyOf(tasks);
        }
    }

    /**
     * A running task of a service.
     *
     * @param taskId  the task's ID
     * @param name    the task's name as Docker resolves it ({@code web.1.<task id>}; {@code web.<node id>.<task id>}
     *                for a global service)
     * @param address its address on the network, without prefix
     * @param aliases the task's own further names on this network
     */
    public record TaskEntry(String taskId, String name, String address, List<String> aliases) {
        public TaskEntry {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
        }
    }
}

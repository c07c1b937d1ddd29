package io.skep.core.agent;

import io.skep.api.model.Network;
import io.skep.api.model.Task;
import io.skep.core.discovery.DiscoveryTable;
import io.skep.core.discovery.DnsServer;
import io.skep.core.dispatcher.NetworkView;
import io.skep.spi.network.Cidr;
import io.skep.spi.network.Endpoint;
import io.skep.spi.network.NetworkDefinition;
import io.skep.spi.network.NetworkDriver;
import io.skep.spi.network.NetworkDriverException;
import io.skep.spi.network.PeerEndpoint;
import io.skep.spi.network.VirtualService;
import io.skep.spi.runtime.NetworkAttachment;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The networks of this node's tasks, through the node's network driver: a network is prepared when its first task
 * here is attached and released when its last one is gone; each task's endpoints are plumbed into its network
 * namespace; each network's peer table follows the views the dispatcher sends. A node learns only the networks of its
 * own tasks, so it prepares and programs nothing else.
 *
 * <p>Calls come from the tasks' controllers (attach, detach) and from the agent's assignment thread (views); one lock
 * keeps the driver's state and this class's books together. Driver calls take milliseconds.
 */
final class TaskNetworks implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskNetworks.class);
    private static final int DNS_PORT = 53;
    /** The node's own resolvers, which the DNS server forwards the names that are not the swarm's to. */
    private static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");

    private final NetworkDriver driver;
    private final String unavailable;
    /** The node's service address, where its DNS server answers the tasks on networks; null for none. */
    private final InetAddress serviceAddress;

    private final ReentrantLock lock = new ReentrantLock();
    /** The networks prepared here, by ID (guarded by lock). */
    private final Map<String, Prepared> prepared = new HashMap<>();
    /** The latest view of each network of this node's tasks, by network ID. */
    private Map<String, NetworkView> views = Map.of();
    /** The IDs of this node's tasks, as last assigned: their endpoints in the views are no peers. */
    private Set<String> own = Set.of();

    private boolean recovered;
    /** The node's DNS server for its tasks, started with the first network prepared here (guarded by lock). */
    private DnsServer dns;
    /** What the DNS server answers: the latest assignments' names (guarded by lock). */
    private DiscoveryTable names = DiscoveryTable.EMPTY;

    /**
     * @param driver      the node's network driver, or null when there is none ({@code unavailable} says why)
     * @param unavailable why this node cannot give tasks networks, or null
     * @param serviceAddress the node's service address (its DNS server's), or null
     */
    TaskNetworks(NetworkDriver driver, String unavailable, InetAddress serviceAddress) {
        this.driver = driver;
        this.unavailable = unavailable;
        this.serviceAddress = serviceAddress;
    }

    /**
     * A network prepared on this node: this node's tasks attached to it, and what the driver was last given (to skip
     * unchanged tables; null before the first).
     */
    private static final class Prepared {
        final NetworkDefinition network;
        final Set<String> tasks = new HashSet<>();
        List<PeerEndpoint> peers;
        List<VirtualService> services;

        Prepared(NetworkDefinition network) {
            this.network = network;
        }
    }

    /** A node that gives tasks no networks, and says why. */
    static TaskNetworks none(String why) {
        return new TaskNetworks(null, why, null);
    }

    /** The name servers of a task on networks: the node's service discovery; empty when it has none. */
    List<String> dnsServers() {
        return serviceAddress == null ? List.of() : List.of(serviceAddress.getHostAddress());
    }

    /** The networks a task joins, as its runtime takes them (addresses from the managers' allocation). */
    static List<NetworkAttachment> attachments(Task task) {
        List<NetworkAttachment> out = new ArrayList<>();
        if (task.networksAttachments != null) {
            for (Task.NetworkAttachment a : task.networksAttachments) {
                if (a.network != null && a.network.id != null) {
                    out.add(new NetworkAttachment(a.network.id, a.addresses, a.aliases));
                }
            }
        }
        return out;
    }

    /** Why this node cannot give tasks networks, or null when it can. */
    String unavailable() {
        return unavailable;
    }

    /**
     * Plumbs each of the task's networks into its namespace, preparing the networks new to this node: interface
     * {@code eth0} for its first network, {@code eth1} for the next, as Docker names them.
     *
     * @throws NetworkDriverException naming the network and the step that failed
     */
    void attach(Task task, Path namespace) throws NetworkDriverException {
        if (driver == null) {
            throw new NetworkDriverException("task " + task.id + " is on networks, but " + unavailable);
        }
        lock.lock();
        try {
            int index = 0;
            for (Task.NetworkAttachment a : task.networksAttachments) {
                Prepared network = prepare(definition(a.network));
                List<Cidr> addresses = a.addresses.stream().map(Cidr::parse).toList();
                driver.attach(
                        network.network,
                        Endpoint.builder(task.id, namespace)
                                .addresses(addresses)
                                .interfaceName("eth" + index++)
                                .build());
                network.tasks.add(task.id);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Removes the task's endpoints, and releases the networks it was the last task of here. */
    void detach(Task task) {
        if (driver == null || task.networksAttachments == null) {
            return;
        }
        lock.lock();
        try {
            for (Task.NetworkAttachment a : task.networksAttachments) {
                Prepared network = a.network == null ? null : prepared.get(a.network.id);
                if (network == null || !network.tasks.remove(task.id)) {
                    continue;
                }
                try {
                    driver.detach(network.network, task.id);
                    if (network.tasks.isEmpty()) {
                        release(network.network);
                    }
                } catch (NetworkDriverException e) {
                    LOG.warn("task {}: {}", task.id, e.getMessage());
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The dispatcher's latest views: the peer tables of the networks prepared here follow them. On the first call
     * after the node starts, the data paths an earlier run left for networks no task here needs now are removed.
     */
    void update(List<Task> tasks, List<NetworkView> next) {
        if (driver == null) {
            return;
        }
        lock.lock();
        try {
            Map<String, NetworkView> byId = new HashMap<>();
            next.forEach(v -> byId.put(v.networkId(), v));
            views = byId;
            own = new HashSet<>();
            tasks.forEach(t -> own.add(t.id));
            if (!recovered) {
                recovered = true;
                releaseOthers(tasks);
            }
            for (Prepared network : prepared.values()) {
                try {
                    program(network);
                } catch (NetworkDriverException e) {
                    LOG.warn("{}", e.getMessage());
                }
            }
            // the names last: a name resolves once the data path behind it is in place
            names = DiscoveryTable.of(tasks, next);
            if (dns != null) {
                dns.update(names);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Removes what an earlier run of the node left for networks none of {@code tasks} is on. */
    private void releaseOthers(List<Task> tasks) {
        Map<String, NetworkDefinition> needed = new HashMap<>();
        for (Task t : tasks) {
            if (t.networksAttachments != null && !t.state().isTerminal()) {
                for (Task.NetworkAttachment a : t.networksAttachments) {
                    try {
                        NetworkDefinition d = definition(a.network);
                        needed.put(d.id(), d);
                    } catch (NetworkDriverException e) {
                        LOG.warn("{}", e.getMessage());
                    }
                }
            }
        }
        try {
            driver.releaseAllExcept(needed.values()).forEach(line -> LOG.info("{}", line));
        } catch (NetworkDriverException e) {
            LOG.warn("cannot remove the networks an earlier run left: {}", e.getMessage());
        }
    }

    /** The network prepared here: prepared now, with its tables, unless it was already. */
    private Prepared prepare(NetworkDefinition network) throws NetworkDriverException {
        Prepared known = prepared.get(network.id());
        if (known != null) {
            return known;
        }
        driver.prepare(network);
        startDns(); // the service address is the node's now
        Prepared fresh = new Prepared(network);
        prepared.put(network.id(), fresh);
        program(fresh);
        LOG.info("network {} prepared on this node", network);
        return fresh;
    }

    private void release(NetworkDefinition network) throws NetworkDriverException {
        prepared.remove(network.id());
        driver.release(network);
        LOG.info("network {} released on this node: its last task here is gone", network);
    }

    /**
     * Sets the network's peer table and its VIPs' backends (each service's running tasks) from its latest view, each
     * when it changed.
     */
    private void program(Prepared network) throws NetworkDriverException {
        NetworkView view = views.get(network.network.id());
        if (view == null) {
            return; // no view yet: the dispatcher sends one with the next assignments
        }
        List<PeerEndpoint> peers = new ArrayList<>(view.peers().size());
        for (NetworkView.Peer p : view.peers()) {
            if (own.contains(p.taskId())) {
                continue; // plumbed here, not reached through the network
            }
            InetAddress address = Cidr.literal(p.address());
            if (address instanceof Inet4Address v4) {
                peers.add(PeerEndpoint.of(v4, Cidr.literal(p.node())));
            }
        }
        if (!peers.equals(network.peers)) {
            driver.setPeers(network.network, peers);
            network.peers = peers;
        }
        List<VirtualService> services = new ArrayList<>();
        for (NetworkView.ServiceEntry s : view.services()) {
            if (s.virtualIp() != null) {
                List<InetAddress> backends =
                        s.tasks().stream().map(t -> Cidr.literal(t.address())).toList();
                services.add(new VirtualService(Cidr.literal(s.virtualIp()), backends));
            }
        }
        if (!services.equals(network.services)) {
            driver.setServices(network.network, services);
            network.services = services;
        }
    }

    /** The network as the driver takes it, from a task's attachment (swarmkit's shape, as the allocator wrote it). */
    @SuppressWarnings("unchecked")
    static NetworkDefinition definition(Task.AttachedNetwork n) throws NetworkDriverException {
        try {
            Map<String, Object> spec = n.spec == null ? Map.of() : n.spec;
            Map<String, Object> driverState = n.driverState == null ? Map.of() : n.driverState;
            Map<String, String> options = new HashMap<>();
            if (driverState.get("Options") instanceof Map<?, ?> o) {
                ((Map<String, Object>) o).forEach((k, v) -> options.put(k, String.valueOf(v)));
            }
            String vxlan = options.remove(Network.VXLAN_OPTION);
            Map<String, Object> config = (Map<String, Object>) ((List<Object>) n.ipamOptions.get("Configs")).get(0);
            Cidr subnet = Cidr.parse((String) config.get("Subnet"));
            return NetworkDefinition.builder(
                            n.id, Integer.parseInt(vxlan), subnet, Cidr.literal((String) config.get("Gateway")))
                    .name((String) spec.get("Name"))
                    .internal(Boolean.TRUE.equals(spec.get("Internal")))
                    .options(options)
                    .build();
        } catch (RuntimeException e) {
            throw new NetworkDriverException(
                    "network " + n.id + ": its attachment lacks what the driver needs (" + e + ")", e);
        }
    }

    /**
     * Starts the node's DNS server on its service address, port 53, forwarding what is not the swarm's to the
     * node's own resolvers. A node that cannot (the port taken) runs its tasks without: they then fail to resolve,
     * which the log says.
     */
    private void startDns() {
        if (dns != null || serviceAddress == null) {
            return;
        }
        DnsServer server = null;
        try {
            server = new DnsServer(
                    new InetSocketAddress(serviceAddress, DNS_PORT),
                    DnsServer.upstreamsOf(RESOLV_CONF, serviceAddress),
                    DnsServer.DEFAULT_UPSTREAM_TIMEOUT);
            server.start();
            server.update(names);
            dns = server;
            LOG.info("service discovery answers this node's tasks at {}:{}", serviceAddress.getHostAddress(), DNS_PORT);
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            LOG.warn(
                    "cannot serve DNS at {}:{}: tasks on networks cannot resolve names: {}",
                    serviceAddress.getHostAddress(),
                    DNS_PORT,
                    e.toString());
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (dns != null) {
                dns.close();
                dns = null;
            }
        } finally {
            lock.unlock();
        }
        if (driver != null) {
            driver.close();
        }
    }
}

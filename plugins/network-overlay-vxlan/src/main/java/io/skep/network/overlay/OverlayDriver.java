package io.skep.network.overlay;

import io.skep.network.overlay.Commands.CommandException;
import io.skep.spi.network.Cidr;
import io.skep.spi.network.Endpoint;
import io.skep.spi.network.NetworkDefinition;
import io.skep.spi.network.NetworkDriver;
import io.skep.spi.network.NetworkDriverContext;
import io.skep.spi.network.NetworkDriverException;
import io.skep.spi.network.PeerEndpoint;
import io.skep.spi.network.VirtualService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The overlay driver on one node: Docker's overlay data path, built with iproute2.
 *
 * <p>Per network, a network namespace of the node's ({@link Names#namespace}) holds a bridge carrying the
 * gateway's address and the network's VXLAN device. The VXLAN device is made in the node's own namespace, where
 * its UDP socket (the local data-path address and port) stays, and then moved into the network's namespace and
 * put on the bridge: so the network's traffic meets nothing of the host's but the tunnel. It learns nothing
 * ({@code nolearning}): the peer table says where each remote MAC lives (static FDB entries) and which MAC each
 * remote address has (neighbour entries, which the device uses to answer ARP itself: {@code proxy}).
 *
 * <p>Per endpoint, a veth pair: one end on the bridge, the other moved into the task's namespace under the
 * endpoint's interface name, with its MAC and addresses, up, and a default route through the gateway unless the
 * network is internal.
 *
 * <p>Per network, a way to the node: a veth pair, the <em>gateway link</em>, from the network's namespace
 * ({@link Names#GATEWAY_LINK}) to the node's ({@link Names#nodeLink}), unnumbered. The node's service address
 * ({@link NetworkDriverContext#serviceAddress()}) is on the node's {@code lo}; the network's namespace forwards to
 * it through the link (an internal network: to it alone; otherwise everything not on the network, its default
 * route), and the node routes the subnet back through the link. The node's nftables table of the network
 * ({@link Names#nodeTable}) masquerades what leaves the node, or, for an internal network, forwards nothing from or
 * to its link; the links never lead from one network to another. The service address is reached by local
 * delivery, so the node's services see the task's own address.
 *
 * <p>Per network and task namespace, the network's services ({@link #setServices}): an nftables table
 * ({@link Names#serviceTable}) in the task's namespace whose output NAT chain sends each new connection to a VIP to
 * one of its backends at random. The driver remembers which namespaces to program from {@link #attach}, in memory:
 * after a restart, the agent's attach calls tell it again.
 *
 * <p>Nodes that share one network namespace (no {@link NetworkDriverContext#nodeNamespace()}) must not share a
 * network: the gateway link's node end and the subnet's route there are per network, not per node.
 *
 * <p>Every step looks at what is there first, so every call is idempotent and a node restart takes over what an
 * earlier run made. Calls on one network hold its lock; calls on different networks run in parallel.
 */
final class OverlayDriver implements NetworkDriver {

    /** Docker's driver option for a network's MTU. */
    static final String MTU_OPTION = "com.docker.network.driver.mtu";

    /** {@code 12: ve-abc@if5: <...>}: an interface's index, name and, for a veth, its peer's index. */
    private static final Pattern LINK = Pattern.compile("^(\\d+):\\s+([^:@\\s]+)(?:@if(\\d+))?:");

    private final NetworkDriverContext context;
    private final Commands commands;
    private final Names names;
    private final int vxlanPort;
    private final int defaultMtu;
    /** The namespace of the node's underlay, or null for the process's own. */
    private final Path nodeNamespace;

    /** The node's service address, as the commands write it. */
    private final String serviceAddress;

    private final Map<Integer, ReentrantLock> locks = new ConcurrentHashMap<>();
    /** What the driver knows of each network's endpoints and services on this node, guarded by its lock. */
    private final Map<Integer, NetworkServices> servicesByNetwork = new ConcurrentHashMap<>();

    /**
     * A network's services on this node and the namespaces of its endpoints here, which get them.
     * {@code current} is null until the first {@link #setServices} of this run.
     */
    private static final class NetworkServices {
        final Map<String, TaskNamespace> endpoints = new LinkedHashMap<>();
        List<VirtualService> current;
    }

    /**
     * A task's namespace as {@link #attach} named it, with the identity (device and inode) of the namespace it was
     * then: a {@code /proc/<pid>/ns/net} path may later name another namespace, once the task's process is gone
     * and its ID is used again.
     */
    private record TaskNamespace(Path path, Object device, Object inode) {
        static TaskNamespace of(Path path) throws IOException {
            return new TaskNamespace(path, Files.getAttribute(path, "unix:dev"), Files.getAttribute(path, "unix:ino"));
        }

        /** Whether the path still names the namespace it named at attach. */
        boolean stillThere() {
            try {
                TaskNamespace now = of(path);
                return now.device.equals(device) && now.inode.equals(inode);
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
    }

    OverlayDriver(NetworkDriverContext context, Commands commands, int vxlanPort, int defaultMtu) {
        this.context = context;
        this.commands = commands;
        this.names = Names.forNode(context.nodeId());
        this.vxlanPort = vxlanPort;
        this.defaultMtu = defaultMtu;
        this.nodeNamespace = context.nodeNamespace().orElse(null);
        this.serviceAddress = context.serviceAddress().getHostAddress();
    }

    // ------------------------------------------------------------------------------------------- networks

    @Override
    public void prepare(NetworkDefinition network) throws NetworkDriverException {
        int vni = network.vxlanId();
        Path ns = names.namespacePath(vni);
        String vxlan = Names.vxlan(vni);
        int mtu = mtu(network);
        withLock(vni, () -> {
            step(network, "creating its network namespace " + names.namespace(vni), () -> {
                if (!Files.exists(ns)) {
                    commands.ip(null, "netns", "add", names.namespace(vni));
                }
                commands.ip(ns, "link", "set", "lo", "up");
            });
            step(network, "creating its bridge " + Names.BRIDGE, () -> {
                if (link(ns, Names.BRIDGE) == null) {
                    commands.ip(ns, "link", "add", Names.BRIDGE, "type", "bridge");
                }
                keepOnlyAddress(ns, Names.BRIDGE, network.gatewayCidr());
                commands.ip(ns, "link", "set", Names.BRIDGE, "up");
            });
            step(network, "creating its VXLAN device " + vxlan, () -> {
                if (link(ns, vxlan) != null && !vxlanMatches(ns, vni)) {
                    // made by an earlier run with another address or port: made again below
                    commands.ip(ns, "link", "del", vxlan);
                }
                if (link(ns, vxlan) == null) {
                    if (link(nodeNamespace, vxlan) != null) {
                        // an earlier run stopped between making the device and moving it
                        commands.ip(nodeNamespace, "link", "del", vxlan);
                    }
                    commands.ip(
                            nodeNamespace,
                            "link",
                            "add",
                            vxlan,
                            "type",
                            "vxlan",
                            "id",
                            Integer.toString(vni),
                            "local",
                            context.dataPathAddress().getHostAddress(),
                            "dstport",
                            Integer.toString(vxlanPort),
                            "nolearning",
                            "proxy");
                    commands.ip(nodeNamespace, "link", "set", vxlan, "netns", ns.toString());
                }
                commands.ip(ns, "link", "set", vxlan, "master", Names.BRIDGE, "mtu", Integer.toString(mtu), "up");
            });
            step(
                    network,
                    "making its gateway link " + Names.nodeLink(vni) + " to the node",
                    () -> gatewayLink(network));
        });
    }

    /**
     * The network's way to the node (see the class comment): the veth pair, its routes on both sides, the
     * service address on the node's {@code lo}, forwarding, and the node's rules for the network.
     */
    private void gatewayLink(NetworkDefinition network) throws CommandException {
        int vni = network.vxlanId();
        Path ns = names.namespacePath(vni);
        String nodeEnd = Names.nodeLink(vni);
        String gw = Names.GATEWAY_LINK;
        Link inNetwork = link(ns, gw);
        Link inNode = link(nodeNamespace, nodeEnd);
        if (inNetwork == null || inNode == null || !inNetwork.isPeerOf(inNode)) {
            // none yet, or half of one (a pair dies whole, but a name may be taken): made again
            if (inNetwork != null) {
                commands.ip(ns, "link", "del", gw);
            }
            if (link(nodeNamespace, nodeEnd) != null) {
                commands.ip(nodeNamespace, "link", "del", nodeEnd);
            }
            commands.ip(
                    nodeNamespace, "link", "add", nodeEnd, "type", "veth", "peer", "name", gw, "netns", ns.toString());
        }
        commands.ip(ns, "link", "set", gw, "up");
        commands.ip(nodeNamespace, "link", "set", nodeEnd, "up");
        // each end knows the other's MAC: no ARP across the link, whatever the host's arp_ignore and rp_filter
        commands.ip(
                ns,
                "neigh",
                "replace",
                serviceAddress,
                "lladdr",
                mac(nodeNamespace, nodeEnd),
                "dev",
                gw,
                "nud",
                "permanent");
        String gateway = network.gateway().getHostAddress();
        commands.ip(
                nodeNamespace, "neigh", "replace", gateway, "lladdr", mac(ns, gw), "dev", nodeEnd, "nud", "permanent");

        // the network's side: forward to the service address, and for a network with a way out, everywhere else
        commands.sysctl(ns, "net.ipv4.ip_forward", "1");
        commands.ip(ns, "route", "replace", serviceAddress + "/32", "dev", gw);
        if (network.internal()) {
            if (!commands.ip(ns, "route", "show", "default").isBlank()) {
                commands.ip(ns, "route", "del", "default");
            }
        } else {
            commands.ip(ns, "route", "replace", "default", "via", serviceAddress, "dev", gw, "onlink");
        }

        // the node's side: the service address, the way back to the subnet (from the service address when the
        // node starts a connection: the one address an internal network's endpoints can answer), and the rules
        commands.ip(nodeNamespace, "addr", "replace", serviceAddress + "/32", "dev", "lo");
        commands.ip(
                nodeNamespace,
                "route",
                "replace",
                network.subnet().toString(),
                "via",
                gateway,
                "dev",
                nodeEnd,
                "onlink",
                "src",
                serviceAddress);
        if (!network.internal()) {
            commands.sysctl(nodeNamespace, "net.ipv4.ip_forward", "1");
        }
        commands.nftScript(nodeNamespace, Rules.egress(names.nodeTable(vni), network, nodeEnd));
    }

    @Override
    public void release(NetworkDefinition network) throws NetworkDriverException {
        withLock(network.vxlanId(), () -> step(network, "removing its data path", () -> remove(network.vxlanId())));
    }

    /** The VXLAN IDs of the nftables tables of this node's networks in the node's namespace. */
    private Set<Integer> nodeTables() throws CommandException {
        Set<Integer> out = new TreeSet<>();
        for (String line : commands.nft(nodeNamespace, "list", "tables").lines().toList()) {
            String[] words = line.strip().split("\\s+"); // table ip skep-ov-4097-<tag>
            if (words.length == 3 && words[0].equals("table") && words[1].equals("ip")) {
                names.vxlanIdOf(words[2]).ifPresent(out::add);
            }
        }
        return out;
    }

    @Override
    public List<String> releaseAllExcept(Collection<NetworkDefinition> networks) throws NetworkDriverException {
        Set<Integer> keep = networks.stream().map(NetworkDefinition::vxlanId).collect(Collectors.toSet());
        List<String> removed = new ArrayList<>();
        String listing;
        try {
            listing = commands.ip(null, "netns", "list");
        } catch (CommandException e) {
            throw new NetworkDriverException(
                    "listing the network namespaces of " + context + " failed: " + e.getMessage());
        }
        Set<Integer> found = new TreeSet<>();
        for (String line : listing.lines().toList()) {
            OptionalInt vni = names.vxlanIdOf(line.strip().split("\\s+")[0]);
            vni.ifPresent(found::add);
        }
        try {
            found.addAll(nodeTables()); // a table whose namespace went (an earlier run stopped halfway)
        } catch (CommandException e) {
            throw new NetworkDriverException(
                    "listing the nftables tables of " + context + " failed: " + e.getMessage());
        }
        for (int id : found) {
            if (!keep.contains(id)) {
                String namespace = names.namespace(id);
                withLock(id, () -> {
                    try {
                        remove(id);
                    } catch (CommandException e) {
                        throw new NetworkDriverException("removing the data path of vxlan " + id
                                + " left by an earlier run failed: " + e.getMessage());
                    }
                });
                removed.add("removed the data path of vxlan " + id + " (namespace " + namespace + ")");
            }
        }
        return removed;
    }

    /**
     * Deletes the network's devices, then its namespace. The devices go one by one first because a namespace's
     * deletion finishes in the background: the VXLAN ID and the task's interfaces must be gone when this returns.
     * The gateway link goes with the network's devices, and the node's routes through it with the link; then the
     * node's rules of the network, and its services in the namespaces of the tasks it knows.
     */
    private void remove(int vni) throws CommandException {
        Path ns = names.namespacePath(vni);
        if (Files.exists(ns)) {
            for (String device : links(ns)) {
                if (!device.equals("lo")) {
                    commands.tryIp(ns, "link", "del", device); // a veth's peer may have gone with its pair
                }
            }
            commands.ip(null, "netns", "delete", names.namespace(vni));
        }
        String vxlan = Names.vxlan(vni);
        if (link(nodeNamespace, vxlan) != null) {
            commands.ip(nodeNamespace, "link", "del", vxlan);
        }
        commands.nftScript(nodeNamespace, Rules.delete(names.nodeTable(vni)));
        NetworkServices known = servicesByNetwork.remove(vni);
        if (known != null) {
            for (TaskNamespace task : known.endpoints.values()) {
                removeServices(vni, task);
            }
        }
    }

    /** Removes a network's services from a task's namespace, if it is still there (else they went with it). */
    private void removeServices(int vni, TaskNamespace task) throws CommandException {
        if (task.stillThere()) {
            try {
                commands.nftScript(task.path(), Rules.delete(Names.serviceTable(vni)));
            } catch (CommandException e) {
                if (task.stillThere()) {
                    throw e;
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------- endpoints

    @Override
    public void attach(NetworkDefinition network, Endpoint endpoint) throws NetworkDriverException {
        int vni = network.vxlanId();
        Path ns = names.namespacePath(vni);
        Path task = endpoint.namespace();
        String bridgeEnd = Names.bridgeEnd(endpoint.taskId());
        String taskEnd = Names.taskEndBeforeMove(endpoint.taskId());
        String name = endpoint.interfaceName();
        String mtu = Integer.toString(mtu(network));
        String subject = "task " + endpoint.taskId() + " on " + network;
        withLock(vni, () -> {
            requirePrepared(network, subject);
            if (!Files.exists(task)) {
                throw new NetworkDriverException(
                        subject + ": the task's network namespace " + task + " does not exist");
            }
            step(subject, "plumbing " + name + " into " + task, () -> {
                Link host = link(ns, bridgeEnd);
                Link inTask = link(task, name);
                if (host != null && (inTask == null || !host.isPeerOf(inTask))) {
                    // half of an earlier attempt (the task's end never got there): start again
                    commands.ip(ns, "link", "del", bridgeEnd);
                    host = null;
                }
                if (host == null) {
                    if (inTask != null) {
                        throw new CommandException(
                                "the task's network namespace already has an interface named " + name);
                    }
                    if (link(ns, taskEnd) != null) {
                        commands.ip(ns, "link", "del", taskEnd);
                    }
                    commands.ip(
                            ns, "link", "add", bridgeEnd, "mtu", mtu, "type", "veth", "peer", "name", taskEnd, "mtu",
                            mtu);
                    commands.ip(
                            ns,
                            "link",
                            "set",
                            taskEnd,
                            "address",
                            endpoint.mac().text());
                    // moved and renamed at once: the name is free in the task's namespace, maybe not in ours
                    commands.ip(ns, "link", "set", "dev", taskEnd, "netns", task.toString(), "name", name);
                }
                commands.ip(ns, "link", "set", bridgeEnd, "master", Names.BRIDGE, "mtu", mtu, "up");
            });
            step(subject, "configuring " + name + " in " + task, () -> {
                commands.ip(task, "link", "set", name, "address", endpoint.mac().text(), "mtu", mtu);
                keepOnlyAddresses(task, name, endpoint.addresses());
                commands.ip(task, "link", "set", name, "up");
                if (network.internal()) {
                    // an internal network is no way out: no default route through it, only to the node's services
                    if (!commands.ip(task, "route", "show", "default", "dev", name)
                            .isBlank()) {
                        commands.ip(task, "route", "del", "default", "dev", name);
                    }
                    commands.ip(
                            task,
                            "route",
                            "replace",
                            serviceAddress + "/32",
                            "via",
                            network.gateway().getHostAddress(),
                            "dev",
                            name);
                } else {
                    commands.ip(
                            task,
                            "route",
                            "replace",
                            "default",
                            "via",
                            network.gateway().getHostAddress(),
                            "dev",
                            name);
                }
            });
            TaskNamespace known;
            try {
                known = TaskNamespace.of(task);
            } catch (IOException e) {
                throw new NetworkDriverException(
                        subject + ": the task's network namespace " + task + " cannot be read: " + e.getMessage(), e);
            }
            NetworkServices s = servicesByNetwork.computeIfAbsent(vni, k -> new NetworkServices());
            s.endpoints.put(endpoint.taskId(), known);
            if (s.current != null) {
                List<VirtualService> current = s.current;
                step(
                        subject,
                        "setting its services (" + current.size() + " VIPs) in " + task,
                        () -> commands.nftScript(task, Rules.services(Names.serviceTable(vni), current)));
            }
        });
    }

    @Override
    public void detach(NetworkDefinition network, String taskId) throws NetworkDriverException {
        int vni = network.vxlanId();
        Path ns = names.namespacePath(vni);
        String bridgeEnd = Names.bridgeEnd(taskId);
        withLock(
                vni,
                () -> step("task " + taskId + " on " + network, "removing its interface", () -> {
                    NetworkServices s = servicesByNetwork.get(vni);
                    TaskNamespace task = s == null ? null : s.endpoints.remove(taskId);
                    if (task != null) {
                        removeServices(vni, task);
                    }
                    if (Files.exists(ns) && link(ns, bridgeEnd) != null) {
                        // the pair goes together: the task's end leaves the task's namespace with it
                        commands.ip(ns, "link", "del", bridgeEnd);
                    }
                }));
    }

    // ------------------------------------------------------------------------------------------- peer table

    @Override
    public void setPeers(NetworkDefinition network, List<PeerEndpoint> peers) throws NetworkDriverException {
        int vni = network.vxlanId();
        Path ns = names.namespacePath(vni);
        String vxlan = Names.vxlan(vni);
        List<PeerEndpoint> table = List.copyOf(peers);
        withLock(vni, () -> {
            requirePrepared(network, network.toString());
            step(network, "setting its peer table (" + table.size() + " endpoints)", () -> {
                PeerTable.Plan plan = PeerTable.plan(
                        vxlan,
                        PeerTable.parseFdb(commands.bridge(ns, "fdb", "show", "dev", vxlan)),
                        PeerTable.parseNeighbours(commands.ip(ns, "neigh", "show", "dev", vxlan)),
                        table,
                        context.dataPathAddress());
                commands.bridgeBatch(ns, plan.bridgeCommands());
                commands.ipBatch(ns, plan.ipCommands());
            });
        });
    }

    // ------------------------------------------------------------------------------------------- services

    @Override
    public void setServices(NetworkDefinition network, List<VirtualService> services) throws NetworkDriverException {
        int vni = network.vxlanId();
        List<VirtualService> wanted = List.copyOf(services);
        String script;
        try {
            script = Rules.services(Names.serviceTable(vni), wanted);
        } catch (IllegalArgumentException e) {
            throw new NetworkDriverException(network + ": services: " + e.getMessage());
        }
        withLock(vni, () -> {
            requirePrepared(network, network.toString());
            NetworkServices s = servicesByNetwork.computeIfAbsent(vni, k -> new NetworkServices());
            s.current = wanted;
            for (var it = s.endpoints.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                TaskNamespace task = e.getValue();
                if (!task.stillThere()) {
                    it.remove(); // the task ended: its namespace went, and its rules with it
                    continue;
                }
                try {
                    commands.nftScript(task.path(), script);
                } catch (CommandException failed) {
                    if (task.stillThere()) {
                        throw new NetworkDriverException(
                                "task " + e.getKey() + " on " + network + ": setting its"
                                        + " services (" + wanted.size() + " VIPs) in " + task.path() + " failed: "
                                        + failed.getMessage(),
                                failed);
                    }
                    it.remove(); // it ended while we wrote
                }
            }
        });
    }

    @Override
    public void close() {
        // nothing of its own: the kernel keeps the data path for the next run
    }

    // ------------------------------------------------------------------------------------------- helpers

    private int mtu(NetworkDefinition network) throws NetworkDriverException {
        String given = network.options().get(MTU_OPTION);
        if (given == null) {
            return defaultMtu;
        }
        try {
            return OverlayDriverProvider.MTU.parse(given);
        } catch (IllegalArgumentException e) {
            throw new NetworkDriverException(network + ": option " + MTU_OPTION + " " + e.getMessage());
        }
    }

    private void requirePrepared(NetworkDefinition network, String subject) throws NetworkDriverException {
        Path ns = names.namespacePath(network.vxlanId());
        boolean ready;
        try {
            ready = Files.exists(ns) && link(ns, Names.vxlan(network.vxlanId())) != null;
        } catch (CommandException e) {
            throw new NetworkDriverException(subject + ": " + e.getMessage());
        }
        if (!ready) {
            throw new NetworkDriverException(subject + ": the network is not prepared on this node");
        }
    }

    /** Whether the network's VXLAN device has this node's address, the port and the ID it should have. */
    private boolean vxlanMatches(Path ns, int vni) throws CommandException {
        String details = commands.ip(ns, "-d", "-o", "link", "show", "dev", Names.vxlan(vni));
        String local = context.dataPathAddress().getHostAddress();
        return details.contains("vxlan id " + vni + " ")
                && details.contains(" local " + local + " ")
                && details.contains(" dstport " + vxlanPort + " ")
                && details.contains(" nolearning ")
                && details.contains(" proxy ");
    }

    /** An interface as {@code ip -o link} lists it. */
    private record Link(int index, String name, int peerIndex) {
        /** Whether {@code other} is this veth's other end. */
        boolean isPeerOf(Link other) {
            return peerIndex == other.index && other.peerIndex == index;
        }
    }

    /** The interface {@code name} in {@code namespace}, or null when there is none. */
    private Link link(Path namespace, String name) throws CommandException {
        Commands.Result r = commands.tryIp(namespace, "-o", "link", "show", "dev", name);
        if (!r.ok()) {
            if (r.stderr().contains("does not exist")) {
                return null;
            }
            throw new CommandException(r.describe());
        }
        Matcher m = LINK.matcher(r.stdout());
        if (!m.find()) {
            throw new CommandException("cannot read the answer of ip link show " + name + ": "
                    + r.stdout().strip());
        }
        return new Link(
                Integer.parseInt(m.group(1)), m.group(2), m.group(3) == null ? -1 : Integer.parseInt(m.group(3)));
    }

    /** The MAC address of {@code device} in {@code namespace}. */
    private String mac(Path namespace, String device) throws CommandException {
        String listing = commands.ip(namespace, "-o", "link", "show", "dev", device);
        Matcher m = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(listing);
        if (!m.find()) {
            throw new CommandException(
                    "no MAC address in the answer of ip link show " + device + ": " + listing.strip());
        }
        return m.group(1);
    }

    /** The names of every interface in {@code namespace}. */
    private List<String> links(Path namespace) throws CommandException {
        List<String> out = new ArrayList<>();
        for (String line : commands.ip(namespace, "-o", "link", "show").lines().toList()) {
            Matcher m = LINK.matcher(line);
            if (m.find()) {
                out.add(m.group(2));
            }
        }
        return out;
    }

    private void keepOnlyAddress(Path namespace, String device, Cidr address) throws CommandException {
        keepOnlyAddresses(namespace, device, List.of(address));
    }

    /** Gives {@code device} exactly these addresses (of global scope): missing ones added, others removed. */
    private void keepOnlyAddresses(Path namespace, String device, List<Cidr> addresses) throws CommandException {
        List<String> wanted = addresses.stream().map(Cidr::toString).toList();
        for (String line : commands.ip(namespace, "-o", "addr", "show", "dev", device, "scope", "global")
                .lines()
                .toList()) {
            // 7: eth0    inet 198.18.0.2/24 scope global eth0\       valid_lft forever ...
            String[] words = line.strip().split("\\s+");
            for (int i = 0; i + 1 < words.length; i++) {
                if ((words[i].equals("inet") || words[i].equals("inet6")) && !wanted.contains(words[i + 1])) {
                    commands.ip(namespace, "addr", "del", words[i + 1], "dev", device);
                }
            }
        }
        for (String address : wanted) {
            commands.ip(namespace, "addr", "replace", address, "dev", device);
        }
    }

    /** A step of a call: what it does, and how a failed command is reported. */
    @FunctionalInterface
    private interface Step {
        void run() throws CommandException;
    }

    @FunctionalInterface
    private interface Locked {
        void run() throws NetworkDriverException;
    }

    private static void step(NetworkDefinition network, String what, Step step) throws NetworkDriverException {
        step(network.toString(), what, step);
    }

    /** Runs a step; a failed command becomes {@code <subject>: <what> failed: <command> (exit n): <stderr>}. */
    private static void step(String subject, String what, Step step) throws NetworkDriverException {
        try {
            step.run();
        } catch (CommandException e) {
            throw new NetworkDriverException(subject + ": " + what + " failed: " + e.getMessage(), e);
        }
    }

    private void withLock(int vni, Locked body) throws NetworkDriverException {
        ReentrantLock lock = locks.computeIfAbsent(vni, k -> new ReentrantLock());
        lock.lock();
        try {
            body.run();
        } finally {
            lock.unlock();
        }
    }
}

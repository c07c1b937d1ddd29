package io.skep.core.discovery;

import io.skep.api.model.Task;
import io.skep.core.dispatcher.NetworkView;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The names service discovery answers on one node, as of one assignment: an immutable snapshot, built once per
 * change of the node's tasks so that a lookup is two map gets.
 *
 * <p>An asker is one of this node's tasks, known by its source address (its address on one of its networks: the
 * subnets of different networks never overlap, so an address names one task). It sees the names of every network it
 * is on, as Docker scopes them: a service's name and aliases resolve to its VIP (or, in {@code dnsrr} mode, to its
 * running tasks' addresses), {@code tasks.<name>} to the running tasks' addresses, a task's name and aliases to its
 * address; each also qualified by its network's name ({@code web.front}), and a task's address back to
 * {@code <task name>.<network name>} (PTR). A name on several of the asker's networks resolves to the union. Names
 * are case-insensitive, with or without the final dot.
 */
public final class DiscoveryTable {

    /** The record type a query asks for, as far as the table distinguishes them. */
    public enum Type {
        A,
        AAAA,
        /** Docker answers MX for a name it knows with no records, so mail clients fall back to its A record. */
        MX,
        /** A reverse lookup ({@code 5.0.18.198.in-addr.arpa}): a task's address to its name. */
        PTR,
        /** Any other type: never answered here, so a known name is forwarded like Docker does. */
        OTHER
    }

    /** What the server does with a query. */
    public sealed interface Answer {}

    /** The source address is no task of this node on a network: the node is no open resolver. */
    public record Refused() implements Answer {}

    /** The name is not ours (or not for this type): the node's own resolvers answer it. */
    public record Forward() implements Answer {}

    /** Ours: the addresses of the type asked for, empty when the name has none of that type (a NOERROR answer). */
    public record Local(List<InetAddress> addresses) implements Answer {
        public Local {
            addresses = List.copyOf(addresses);
        }
    }

    /** Ours, for a reverse lookup: the name of the task with that address, without the final dot. */
    public record Pointer(String name) implements Answer {}

    private static final Refused REFUSED = new Refused();
    private static final Forward FORWARD = new Forward();
    private static final Local NONE = new Local(List.of());

    /** No tasks: every asker is refused. */
    public static final DiscoveryTable EMPTY = new DiscoveryTable(Map.of());

    /** Asker address → what it sees. */
    private final Map<InetAddress, View> askers;

    private DiscoveryTable(Map<InetAddress, View> askers) {
        this.askers = askers;
    }

    /**
     * What the tasks on one set of networks see: names (lower case, no final dot) with their addresses, and
     * addresses with their names.
     */
    private record View(Map<String, Names> names, Map<InetAddress, Pointer> pointers) {}

    /**
     * The table for a node's tasks: {@code localTasks} are the askers (those not yet ended, with their
     * {@code NetworksAttachments}, which also give the networks' names), {@code networks} the names on each of their
     * networks.
     */
    public static DiscoveryTable of(List<Task> localTasks, List<NetworkView> networks) {
        Map<String, String> networkNames = new HashMap<>();
        for (Task task : localTasks) {
            for (Task.NetworkAttachment attachment : attachments(task)) {
                if (attachment.network.spec != null && attachment.network.spec.get("Name") instanceof String name) {
                    networkNames.put(attachment.network.id, name);
                }
            }
        }
        Map<String, NetworkNames> byNetwork = new HashMap<>();
        for (NetworkView network : networks) {
            byNetwork.put(network.networkId(), NetworkNames.of(network, networkNames.get(network.networkId())));
        }
        // Tasks on the same networks see the same names: merge once per set of networks, not once per task.
        Map<Set<String>, View> merged = new HashMap<>();
        Map<InetAddress, View> askers = new HashMap<>();
        for (Task task : localTasks) {
            if (task.state() != null && task.state().isTerminal()) {
                continue; // an ended task's address may already be another task's
            }
            Set<String> networkIds = new TreeSet<>();
            List<InetAddress> addresses = new ArrayList<>();
            for (Task.NetworkAttachment attachment : attachments(task)) {
                networkIds.add(attachment.network.id);
                for (String cidr : attachment.addresses == null ? List.<String>of() : attachment.addresses) {
                    InetAddress address = IpLiterals.parse(cidr);
                    if (address != null) {
                        addresses.add(address);
                    }
                }
            }
            View view = merged.computeIfAbsent(networkIds, ids -> merge(ids, byNetwork));
            for (InetAddress address : addresses) {
                askers.put(address, view);
            }
        }
        return new DiscoveryTable(Map.copyOf(askers));
    }

    /**
     * What to answer {@code asker} for {@code name} of {@code type}: {@link Refused} for an unknown asker,
     * {@link Local} (or {@link Pointer}) for a name on one of its networks, else {@link Forward}.
     */
    public Answer resolve(InetAddress asker, String name, Type type) {
        View view = askers.get(asker);
        if (view == null) {
            return REFUSED;
        }
        if (type == Type.PTR) {
            InetAddress address = ReverseNames.address(name);
            Pointer pointer = address == null ? null : view.pointers().get(address);
            return pointer == null ? FORWARD : pointer;
        }
        Names found = view.names().get(normalize(name));
        if (found == null) {
            return FORWARD;
        }
        return switch (type) {
            case A -> found.ipv4;
            case AAAA -> found.ipv6;
            case MX -> NONE;
            case PTR, OTHER -> FORWARD;
        };
    }

    /** Lower case, without the final dot: how the table keys names. */
    static String normalize(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return n.toLowerCase(Locale.ROOT);
    }

    private static List<Task.NetworkAttachment> attachments(Task task) {
        if (task.networksAttachments == null) {
            return List.of();
        }
        return task.networksAttachments.stream()
                .filter(a -> a != null && a.network != null && a.network.id != null)
                .toList();
    }

    /** A name's answers, split by family once so that a lookup makes no list. */
    private record Names(Local ipv4, Local ipv6) {
        static Names of(Set<InetAddress> addresses) {
            List<InetAddress> v4 = new ArrayList<>();
            List<InetAddress> v6 = new ArrayList<>();
            for (InetAddress a : addresses) {
                (a.getAddress().length == 4 ? v4 : v6).add(a);
            }
            return new Names(new Local(v4), new Local(v6));
        }
    }

    /**
     * One network's names, each with its addresses in order, and its tasks' addresses with their names.
     *
     * @param networkName the network's name, or null when no local task's attachment gives it
     */
    private record NetworkNames(
            String networkName, Map<String, List<InetAddress>> names, Map<InetAddress, String> pointers) {

        static NetworkNames of(NetworkView network, String networkName) {
            Map<String, List<InetAddress>> names = new HashMap<>();
            Map<InetAddress, String> pointers = new HashMap<>();
            for (NetworkView.ServiceEntry service : network.services()) {
                List<InetAddress> taskAddresses = new ArrayList<>();
                for (NetworkView.TaskEntry task : service.tasks()) {
                    InetAddress address = IpLiterals.parse(task.address());
                    if (address == null) {
                        continue;
                    }
                    taskAddresses.add(address);
                    add(names, task.name(), List.of(address));
                    for (String alias : task.aliases()) {
                        add(names, alias, List.of(address));
                    }
                    if (task.name() != null && !task.name().isEmpty()) {
                        pointers.putIfAbsent(
                                address, networkName == null ? task.name() : task.name() + "." + networkName);
                    }
                }
                InetAddress vip = service.virtualIp() == null ? null : IpLiterals.parse(service.virtualIp());
                // dnsrr: the service's names are its tasks; a service without a running task has no records, as in
                // Docker, so its name goes upstream rather than resolving to nothing.
                List<InetAddress> serviceAddresses = vip != null ? List.of(vip) : taskAddresses;
                List<String> serviceNames = new ArrayList<>();
                serviceNames.add(service.name());
                serviceNames.addAll(service.aliases());
                for (String serviceName : serviceNames) {
                    add(names, serviceName, serviceAddresses);
                    add(names, "tasks." + serviceName, taskAddresses);
                }
            }
            return new NetworkNames(networkName, names, pointers);
        }
    }

    private static void add(Map<String, List<InetAddress>> names, String name, List<InetAddress> addresses) {
        if (name == null || name.isEmpty() || addresses.isEmpty()) {
            return;
        }
        names.computeIfAbsent(normalize(name), n -> new ArrayList<>()).addAll(addresses);
    }

    /**
     * What the tasks on a set of networks see: a name on several of them with the union of its addresses; then each
     * network's names qualified by the network's name, where no plain name is spelt the same (Docker tries the whole
     * name first, then {@code <name>.<network>}).
     */
    private static View merge(Set<String> networkIds, Map<String, NetworkNames> byId) {
        Map<String, Set<InetAddress>> union = new HashMap<>();
        Map<InetAddress, Pointer> pointers = new HashMap<>();
        for (String id : networkIds) {
            NetworkNames network = byId.get(id);
            if (network == null) {
                continue;
            }
            network.names()
                    .forEach((name, addresses) -> union.computeIfAbsent(name, n -> new LinkedHashSet<>())
                            .addAll(addresses));
            network.pointers().forEach((address, name) -> pointers.putIfAbsent(address, new Pointer(name)));
        }
        Map<String, Set<InetAddress>> qualified = new HashMap<>();
        for (String id : networkIds) {
            NetworkNames network = byId.get(id);
            if (network == null || network.networkName() == null) {
                continue;
            }
            String suffix = "." + normalize(network.networkName());
            network.names().forEach((name, addresses) -> {
                if (!union.containsKey(name + suffix)) {
                    qualified
                            .computeIfAbsent(name + suffix, n -> new LinkedHashSet<>())
                            .addAll(addresses);
                }
            });
        }
        union.putAll(qualified);
        Map<String, Names> names = new LinkedHashMap<>();
        union.forEach((name, addresses) -> names.put(name, Names.of(addresses)));
        return new View(Map.copyOf(names), Map.copyOf(pointers));
    }
}

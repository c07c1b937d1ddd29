package io.skep.core.dispatcher;

import io.skep.api.model.Cidr;
import io.skep.api.model.Kind;
import io.skep.api.model.Node;
import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskSpec;
import io.skep.api.model.TaskState;
import io.skep.core.store.MemoryStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@link NetworkView}s the dispatcher sends. Each pass, the store's tasks are indexed by network once (on the
 * first node that needs it), and each network's view is built once and shared by every node with tasks on it: the
 * same object for all of them (a node skips its own endpoints), so a pass costs the tasks on networks, not nodes
 * times tasks. A view equal to the one of the pass before is that very object: "unchanged" is an identity check for
 * the sessions, and the changes from one view to the next are worked out once for all the nodes that go from the one
 * to the other ({@link ViewChanges#between}).
 *
 * <p>Used on the dispatcher's thread alone.
 */
final class NetworkViews {

    /** A task's endpoint on a network: the task and its address there without prefix. */
    private record Endpoint(Task task, String address) {}

    /** The store as this pass reads it. */
    private MemoryStore memory;
    /** The views of the last pass, by network ID. */
    private Map<String, NetworkView> last = Map.of();
    /** This pass's tasks by network, indexed on first use. */
    private Map<String, List<Endpoint>> byNetwork;
    /** This pass's views, by network ID. */
    private Map<String, NetworkView> built = new HashMap<>();

    /** Starts a pass: views are built again from {@code memory}, the store as it is now. */
    void startPass(MemoryStore memory) {
        this.memory = memory;
        last = built;
        built = new HashMap<>();
        byNetwork = null;
    }

    /** The views of the networks {@code tasks} (a node's task set) are on, ordered by network ID. */
    List<NetworkView> forNode(List<Task> tasks) {
        Set<String> networkIds = new java.util.TreeSet<>();
        for (Task t : tasks) {
            if (t.networksAttachments != null && !ended(t)) {
                for (Task.NetworkAttachment a : t.networksAttachments) {
                    if (a.network != null && a.network.id != null) {
                        networkIds.add(a.network.id);
                    }
                }
            }
        }
        if (networkIds.isEmpty()) {
            return List.of();
        }
        List<NetworkView> views = new ArrayList<>(networkIds.size());
        for (String networkId : networkIds) {
            views.add(built.computeIfAbsent(networkId, this::build));
        }
        return views;
    }

    /** The network's view, or the last pass's when it is equal. */
    private NetworkView build(String networkId) {
        List<NetworkView.Peer> peers = new ArrayList<>();
        Map<String, String> nodeAddresses = new HashMap<>();
        for (Endpoint e : index().getOrDefault(networkId, List.of())) {
            String node = nodeAddresses.computeIfAbsent(e.task().nodeId, id -> {
                Node n = memory.get(Kind.NODE, id);
                return n == null || n.status == null ? null : n.status.addr;
            });
            if (node != null) {
                peers.add(new NetworkView.Peer(e.task().id, e.address(), node));
            }
        }
        NetworkView view = new NetworkView(networkId, peers, services(networkId));
        NetworkView before = last.get(networkId);
        return view.equals(before) ? before : view;
    }

    /** The services attached to the network, by name, each with its running tasks there. */
    private List<NetworkView.ServiceEntry> services(String networkId) {
        Map<String, List<NetworkView.TaskEntry>> running = new HashMap<>();
        for (Endpoint e : index().getOrDefault(networkId, List.of())) {
            if (e.task().state() == TaskState.RUNNING) {
                running.computeIfAbsent(e.task().serviceId, k -> new ArrayList<>())
                        .add(new NetworkView.TaskEntry(
                                e.task().id, e.task().name() + "." + e.task().id, e.address(), List.of()));
            }
        }
        List<NetworkView.ServiceEntry> out = new ArrayList<>();
        for (Service s : memory.services()) {
            TaskSpec.NetworkAttachmentConfig config = attachment(s, networkId);
            if (config != null) {
                List<NetworkView.TaskEntry> tasks = new ArrayList<>(running.getOrDefault(s.id, List.of()));
                tasks.sort(java.util.Comparator.comparing(NetworkView.TaskEntry::taskId));
                out.add(new NetworkView.ServiceEntry(s.id, s.name(), config.aliases, virtualIp(s, networkId), tasks));
            }
        }
        out.sort(java.util.Comparator.comparing(NetworkView.ServiceEntry::serviceId));
        return out;
    }

    private static TaskSpec.NetworkAttachmentConfig attachment(Service s, String networkId) {
        if (s.spec == null || s.spec.taskTemplate == null || s.spec.taskTemplate.networks == null) {
            return null;
        }
        for (TaskSpec.NetworkAttachmentConfig c : s.spec.taskTemplate.networks) {
            if (c != null && networkId.equals(c.target)) {
                return c;
            }
        }
        return null;
    }

    private static String virtualIp(Service s, String networkId) {
        if (s.endpoint == null || s.endpoint.virtualIps == null) {
            return null;
        }
        for (Service.VirtualIp vip : s.endpoint.virtualIps) {
            if (networkId.equals(vip.networkId) && vip.addr != null) {
                return Cidr.withoutPrefix(vip.addr);
            }
        }
        return null;
    }

    /** Every placed task that has not ended, by the networks it has an address on. */
    private Map<String, List<Endpoint>> index() {
        if (byNetwork == null) {
            byNetwork = new HashMap<>();
            for (Task t : memory.tasks()) {
                if (t.nodeId == null || t.networksAttachments == null || ended(t)) {
                    continue;
                }
                Set<String> seen = new LinkedHashSet<>();
                for (Task.NetworkAttachment a : t.networksAttachments) {
                    if (a.network != null
                            && a.network.id != null
                            && a.addresses != null
                            && !a.addresses.isEmpty()
                            && seen.add(a.network.id)) {
                        byNetwork
                                .computeIfAbsent(a.network.id, k -> new ArrayList<>())
                                .add(new Endpoint(t, Cidr.withoutPrefix(a.addresses.get(0))));
                    }
                }
            }
            byNetwork.values().forEach(list -> list.sort(java.util.Comparator.comparing(e -> e.task().id)));
        }
        return byNetwork;
    }

    private static boolean ended(Task t) {
        TaskState s = t.state();
        return s != null && s.isTerminal();
    }
}

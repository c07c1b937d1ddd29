package io.skep.core.dispatcher;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a node's network views changed from one task set it was sent to the next: what a remote node is sent instead of
 * the views themselves when it holds the older set (swarmkit's incremental assignments). A view lists every endpoint
 * and running task of its network, so at a thousand nodes on one network each would be a few hundred KB, and one
 * task starting would send all of them to every node; its change is one peer and one task entry.
 *
 * @param base         the sequence of the task set whose views these changes apply to
 * @param networks     each network whose view changed or is new to the node: its peers and services that are new or
 *                     changed, and those gone
 * @param networksGone the networks the node no longer has a task on
 */
public record ViewChanges(long base, List<NetworkChange> networks, List<String> networksGone) {

    public ViewChanges {
        networks = networks == null ? List.of() : List.copyOf(networks);
        networksGone = networksGone == null ? List.of() : List.copyOf(networksGone);
    }

    /** How many network changes {@link #RECENT} keeps. */
    private static final int RECENT_CHANGES = 64;

    /**
     * The network changes last worked out, by the pair of views they are between. Every node on a network is sent the
     * same view object, and all of them go from one view to the next together: the first node's fetch works the
     * change out, the others' find it here. Keyed by the views' identity (a miss costs only the work).
     */
    private static final Map<ViewPair, NetworkChange> RECENT =
            java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<ViewPair, NetworkChange> eldest) {
                    return size() > RECENT_CHANGES;
                }
            });

    /** Two views, compared by identity (the first null for a network new to the node). */
    private record ViewPair(NetworkView was, NetworkView now) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ViewPair p && p.was == was && p.now == now;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(was) * 31 + System.identityHashCode(now);
        }
    }

    /**
     * A network's view, changed.
     *
     * @param peers        endpoints new or changed (by task ID)
     * @param peersGone    the task IDs of endpoints gone
     * @param services     services new or changed
     * @param servicesGone the IDs of services gone from the network
     */
    public record NetworkChange(
            String networkId,
            List<NetworkView.Peer> peers,
            List<String> peersGone,
            List<ServiceChange> services,
            List<String> servicesGone) {
        public NetworkChange {
            Objects.requireNonNull(networkId, "networkId");
            peers = peers == null ? List.of() : List.copyOf(peers);
            peersGone = peersGone == null ? List.of() : List.copyOf(peersGone);
            services = services == null ? List.of() : List.copyOf(services);
            servicesGone = servicesGone == null ? List.of() : List.copyOf(servicesGone);
        }

        boolean changesNothing() {
            return peers.isEmpty() && peersGone.isEmpty() && services.isEmpty() && servicesGone.isEmpty();
        }
    }

    /**
     * A service, changed: its names and VIP whole (they are short), its running tasks as a change.
     *
     * @param tasks     running tasks new or changed (by task ID)
     * @param tasksGone the IDs of tasks no longer running
     */
    public record ServiceChange(
            String serviceId,
            String name,
            List<String> aliases,
            String virtualIp,
            List<NetworkView.TaskEntry> tasks,
            List<String> tasksGone) {
        public ServiceChange {
            Objects.requireNonNull(serviceId, "serviceId");
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
            tasks = tasks == null ? List.of() : List.copyOf(tasks);
            tasksGone = tasksGone == null ? List.of() : List.copyOf(tasksGone);
        }
    }

    /** Whether nothing changed (not {@code isEmpty}: that would be a property on the wire). */
    public boolean changesNothing() {
        return networks.isEmpty() && networksGone.isEmpty();
    }

    /** The changes that turn {@code before} (the views of the set numbered {@code base}) into {@code after}. */
    public static ViewChanges between(long base, List<NetworkView> before, List<NetworkView> after) {
        Map<String, NetworkView> old = new LinkedHashMap<>();
        before.forEach(v -> old.put(v.networkId(), v));
        List<NetworkChange> changed = new ArrayList<>();
        for (NetworkView view : after) {
            NetworkView was = old.remove(view.networkId());
            if (view == was) {
                continue; // the dispatcher hands out an unchanged view as the same object
            }
            NetworkChange c = RECENT.computeIfAbsent(
                    new ViewPair(was, view),
                    pair -> change(
                            pair.was() == null ? new NetworkView(view.networkId(), null, null) : pair.was(),
                            pair.now()));
            if (!c.changesNothing()) {
                changed.add(c);
            }
        }
        return new ViewChanges(base, changed, new ArrayList<>(old.keySet()));
    }

    private static NetworkChange change(NetworkView was, NetworkView now) {
        Map<String, NetworkView.Peer> oldPeers = byKey(was.peers(), NetworkView.Peer::taskId);
        List<NetworkView.Peer> peers = new ArrayList<>();
        for (NetworkView.Peer p : now.peers()) {
            if (!p.equals(oldPeers.remove(p.taskId()))) {
                peers.add(p);
            }
        }
        Map<String, NetworkView.ServiceEntry> oldServices = byKey(was.services(), NetworkView.ServiceEntry::serviceId);
        List<ServiceChange> services = new ArrayList<>();
        for (NetworkView.ServiceEntry s : now.services()) {
            NetworkView.ServiceEntry before = oldServices.remove(s.serviceId());
            if (!s.equals(before)) {
                services.add(change(before, s));
            }
        }
        return new NetworkChange(
                now.networkId(),
                peers,
                new ArrayList<>(oldPeers.keySet()),
                services,
                new ArrayList<>(oldServices.keySet()));
    }

    private static ServiceChange change(NetworkView.ServiceEntry was, NetworkView.ServiceEntry now) {
        Map<String, NetworkView.TaskEntry> oldTasks =
                byKey(was == null ? List.of() : was.tasks(), NetworkView.TaskEntry::taskId);
        List<NetworkView.TaskEntry> tasks = new ArrayList<>();
        for (NetworkView.TaskEntry t : now.tasks()) {
            if (!t.equals(oldTasks.remove(t.taskId()))) {
                tasks.add(t);
            }
        }
        return new ServiceChange(
                now.serviceId(), now.name(), now.aliases(), now.virtualIp(), tasks, new ArrayList<>(oldTasks.keySet()));
    }

    /**
     * The views these changes make of {@code before}, ordered by network ID as the dispatcher orders them. Entries
     * that did not change keep their place; new ones come last.
     */
    public List<NetworkView> applyTo(List<NetworkView> before) {
        Map<String, NetworkView> views = byKey(before, NetworkView::networkId);
        networksGone.forEach(views::remove);
        for (NetworkChange c : networks) {
            NetworkView was = views.get(c.networkId());
            Map<String, NetworkView.Peer> peers =
                    byKey(was == null ? List.of() : was.peers(), NetworkView.Peer::taskId);
            c.peersGone().forEach(peers::remove);
            c.peers().forEach(p -> peers.put(p.taskId(), p));
            Map<String, NetworkView.ServiceEntry> services =
                    byKey(was == null ? List.of() : was.services(), NetworkView.ServiceEntry::serviceId);
            c.servicesGone().forEach(services::remove);
            for (ServiceChange s : c.services()) {
                NetworkView.ServiceEntry old = services.get(s.serviceId());
                Map<String, NetworkView.TaskEntry> tasks =
                        byKey(old == null ? List.of() : old.tasks(), NetworkView.TaskEntry::taskId);
                s.tasksGone().forEach(tasks::remove);
                s.tasks().forEach(t -> tasks.put(t.taskId(), t));
                services.put(
                        s.serviceId(),
                        new NetworkView.ServiceEntry(
                                s.serviceId(), s.name(), s.aliases(), s.virtualIp(), new ArrayList<>(tasks.values())));
            }
            views.put(
                    c.networkId(),
                    new NetworkView(
                            c.networkId(), new ArrayList<>(peers.values()), new ArrayList<>(services.values())));
        }
        List<NetworkView> result = new ArrayList<>(views.values());
        result.sort(Comparator.comparing(NetworkView::networkId));
        return result;
    }

    private static <T> Map<String, T> byKey(List<T> items, java.util.function.Function<T, String> key) {
        Map<String, T> map = new LinkedHashMap<>(Math.max(16, items.size() * 2));
        for (T item : items) {
            map.put(key.apply(item), item);
        }
        return map;
    }
}

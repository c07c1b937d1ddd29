package io.skep.bench.scale;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A light agent's copy of its network views, IDs only, kept as the real agent keeps them: replaced by a whole set,
 * or changed by the changes from the set it holds. The fan-out phase counts what it holds: the endpoints (reachable) and the services' running tasks (resolvable). Used on the agent's event loop alone.
 */
final class HeldViews {
    /** A network's view: its peers, and each service's running tasks. */
    private record Network(Set<String> peers, Map<String, Set<String>> services) {}

    private final Map<String, Network> networks = new HashMap<>();
    private long peers;
    private long running;

    /**
     * Applies the views of a fetched set to the views of the set numbered {@code held}; false (and nothing changed)
     * when they are changes from another set: the agent must fetch the whole set.
     */
    boolean apply(Wire.Views views, long held) {
        if (views.base() != Wire.Views.WHOLE && views.base() != held) {
            return false;
        }
        if (views.base() == Wire.Views.WHOLE) {
            networks.clear();
        }
        views.networksGone().forEach(networks::remove);
        for (Wire.NetworkIds change : views.networks()) {
            Network n =
                    networks.computeIfAbsent(change.networkId(), id -> new Network(new HashSet<>(), new HashMap<>()));
            n.peers().removeAll(change.peersGone());
            n.peers().addAll(change.peers());
            change.servicesGone().forEach(n.services()::remove);
            for (Wire.ServiceIds s : change.services()) {
                Set<String> tasks = n.services().computeIfAbsent(s.serviceId(), id -> new HashSet<>());
                tasks.removeAll(s.tasksGone());
                tasks.addAll(s.tasks());
            }
        }
        peers = 0;
        running = 0;
        for (Network n : networks.values()) {
            peers += n.peers().size();
            for (Set<String> tasks : n.services().values()) {
                running += tasks.size();
            }
        }
        return true;
    }

    /** Endpoints, this node's included, over all networks. */
    long peers() {
        return peers;
    }

    /** Running tasks of the services on the networks, this node's included. */
    long running() {
        return running;
    }
}

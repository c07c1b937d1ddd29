package io.skep.core.scheduler;

import io.skep.api.model.Kind;
import io.skep.api.model.Task;
import io.skep.core.store.MemoryStore;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every node with what the tasks holding a place on it take, read from the store once for a pass (the scheduler's
 * and the rebalancer's), and each group's {@link Demand} worked out once.
 */
public final class SwarmLoad {
    private final MemoryStore store;
    private final Map<String, NodeInfo> nodes = new LinkedHashMap<>();
    private final Map<DemandKey, Demand> demands = new HashMap<>();

    /** Tasks alike in what they demand: one service, one spec version, one runtime. */
    private record DemandKey(String serviceId, Long specVersion, String runtime) {}

    private SwarmLoad(MemoryStore store) {
        this.store = store;
    }

    public static SwarmLoad of(MemoryStore store) {
        SwarmLoad load = new SwarmLoad(store);
        store.nodes().forEach(n -> load.nodes.put(n.id, new NodeInfo(n)));
        for (Task t : store.tasks()) {
            NodeInfo node = NodeInfo.holdsPlace(t) ? load.nodes.get(t.nodeId) : null;
            if (node != null) {
                node.add(load.demand(t));
            }
        }
        return load;
    }

    /** What a task (and every task alike) demands of a node. */
    public Demand demand(Task t) {
        return demands.computeIfAbsent(
                new DemandKey(t.serviceId, t.specVersion, t.runtime),
                k -> Demand.of(t, store.get(Kind.SERVICE, t.serviceId)));
    }

    public NodeInfo node(String id) {
        return nodes.get(id);
    }

    public Collection<NodeInfo> nodes() {
        return nodes.values();
    }
}

package io.skep.core.scheduler;

import io.skep.api.model.Ids;
import io.skep.api.model.Kind;
import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.core.reconcile.ReconcileLoop;
import io.skep.core.reconcile.StoreWriter;
import io.skep.core.store.Batch;
import io.skep.core.store.MemoryStore;
import io.skep.core.store.StoreEvent;
import io.skep.core.store.TaskPatch;
import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.Resources;
import io.skep.spi.scheduler.SchedulerFilter;
import io.skep.spi.scheduler.SchedulerStrategy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assigns pending tasks to nodes (PENDING → ASSIGNED). The core filters the nodes ({@link NodeFilter}), then the
 * vendors' {@link SchedulerFilter} plugins do; the {@link SchedulerStrategy} plugin the service's label names, else
 * the one of highest weight that applies ({@link Strategies}), ranks them. Tasks of one service and spec are placed
 * as one batch, so a strategy sees the whole group at once; each node's room for the group (reservations, host
 * ports, replicas per node) bounds what the strategy may put there.
 */
public final class Scheduler extends ReconcileLoop {
    private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
    private final StoreWriter store;
    private final Strategies strategies;
    private final List<SchedulerFilter> filters;

    public Scheduler(StoreWriter store, Strategies strategies, List<SchedulerFilter> filters) {
        super("scheduler");
        this.store = store;
        this.strategies = strategies;
        this.filters = List.copyOf(filters);
    }

    /** With the given strategies and no vendor filters. */
    public Scheduler(StoreWriter store, List<SchedulerStrategy> strategies) {
        this(store, new Strategies(strategies), List.of());
    }

    @Override
    protected boolean interested(List<StoreEvent> events) {
        return events.stream().anyMatch(e -> e.kind() == Kind.TASK || e.kind() == Kind.NODE);
    }

    /** Tasks alike for placement: one service, one spec version, one runtime. */
    private record Group(String serviceId, Long specVersion, String runtime) {
        static Group of(Task t) {
            return new Group(t.serviceId, t.specVersion, t.runtime);
        }
    }

    @Override
    protected void reconcile() throws Exception {
        MemoryStore m = store.memory();
        SwarmLoad load = SwarmLoad.of(m);
        Map<Group, List<Task>> groups = new LinkedHashMap<>();
        List<Task> preassigned = new ArrayList<>();
        for (Task t : m.tasks()) {
            if (t.isWanted() && t.state() == TaskState.PENDING) {
                if (t.nodeId != null) {
                    preassigned.add(t);
                } else {
                    groups.computeIfAbsent(Group.of(t), g -> new ArrayList<>()).add(t);
                }
            }
        }
        Batch batch = new Batch();
        for (Task t : preassigned) {
            Demand d = load.demand(t);
            NodeInfo node = load.node(t.nodeId);
            NodeFilter failing = node == null ? NodeFilter.READY : NodeFilter.firstFailing(d, node);
            SchedulerFilter refusing = null;
            if (failing == null) {
                PlacementRequest request = request(m, List.of(t), d);
                refusing = refusing(applicable(request), request, candidate(node, d));
            }
            if (failing != null) {
                explain(batch, t, "no suitable node (" + failing.explain(d, 1) + ")");
            } else if (refusing != null) {
                explain(batch, t, "no suitable node (" + Explanation.explain(refusing, 1) + ")");
            } else {
                assign(batch, t, node, d);
            }
        }
        for (List<Task> group : groups.values()) {
            group.sort(Comparator.comparing((Task t) -> t.slotNumber()).thenComparing(t -> t.id));
            Demand demand = load.demand(group.get(0));
            placeGroup(batch, group, demand, request(m, group, demand), load);
        }
        store.commit(batch);
    }

    /** What the strategy and the vendor filters are told of a group. */
    private static PlacementRequest request(MemoryStore m, List<Task> group, Demand demand) {
        Task first = group.get(0);
        Service service = m.get(Kind.SERVICE, first.serviceId);
        return new PlacementRequest(
                first.serviceId,
                group.size(),
                first.spec == null ? List.of() : first.spec.spreadDescriptors(),
                new Resources(demand.nanoCpus(), demand.memoryBytes()),
                service == null || service.spec == null || service.spec.labels == null
                        ? Map.of()
                        : service.spec.labels);
    }

    private static NodeCandidate candidate(NodeInfo node, Demand demand) {
        return new NodeCandidate(
                node.id(),
                node.attributes,
                node.serviceTasks(demand.serviceId()),
                node.totalTasks(),
                node.capacity(demand),
                0,
                node.free(),
                node.total());
    }

    /** The vendor filters that have something to say about the request (swarmkit's SetTask). */
    private List<SchedulerFilter> applicable(PlacementRequest request) {
        List<SchedulerFilter> out = new ArrayList<>(filters.size());
        for (SchedulerFilter f : filters) {
            try {
                if (f.appliesTo(request)) {
                    out.add(f);
                }
            } catch (RuntimeException e) {
                LOG.warn("scheduler filter {} failed; it refuses every node: {}", f.name(), e.toString());
                out.add(f);
            }
        }
        return out;
    }

    /** The first vendor filter that refuses the node, or null. A filter that throws refuses (never a wrong place). */
    private static SchedulerFilter refusing(
            List<SchedulerFilter> applicable, PlacementRequest request, NodeCandidate node) {
        for (SchedulerFilter f : applicable) {
            boolean accepts;
            try {
                accepts = f.accepts(request, node);
            } catch (RuntimeException e) {
                LOG.warn("scheduler filter {} failed on node {}: {}", f.name(), node.nodeId(), e.toString());
                accepts = false;
            }
            if (!accepts) {
                return f;
            }
        }
        return null;
    }

    /**
     * Whether the node passes the core's filters, then the vendors'; when not, the filter that turned it away is
     * counted in {@code why}.
     */
    private static boolean passes(
            NodeInfo node,
            Demand demand,
            PlacementRequest request,
            List<SchedulerFilter> vendorFilters,
            Explanation why) {
        NodeFilter failing = NodeFilter.firstFailing(demand, node);
        if (failing != null) {
            why.count(failing, demand, node);
            return false;
        }
        SchedulerFilter refusing = refusing(vendorFilters, request, candidate(node, demand));
        if (refusing != null) {
            why.count(refusing);
            return false;
        }
        return true;
    }

    private void placeGroup(Batch batch, List<Task> group, Demand demand, PlacementRequest request, SwarmLoad load) {
        List<SchedulerFilter> vendorFilters = applicable(request);
        Explanation why = new Explanation();
        List<NodeCandidate> candidates = new ArrayList<>();
        for (NodeInfo node : load.nodes()) {
            if (passes(node, demand, request, vendorFilters, why)) {
                candidates.add(candidate(node, demand));
            }
        }
        if (candidates.isEmpty()) {
            String message = why.message(demand);
            group.forEach(t -> explain(batch, t, message));
            return;
        }
        Strategies.Choice choice = strategies.choose(request);
        if (choice.strategy() == null) {
            group.forEach(t -> explain(batch, t, choice.refusal()));
            return;
        }
        List<String> placed = choice.strategy().place(request, candidates);
        for (int i = 0; i < placed.size() && i < group.size(); i++) {
            assign(batch, group.get(i), load.node(placed.get(i)), demand);
        }
        if (placed.size() < group.size()) {
            // The nodes' room ran out: say which filters now turn every node away.
            Explanation full = new Explanation();
            for (NodeInfo node : load.nodes()) {
                if (passes(node, demand, request, vendorFilters, full)) {
                    full.count(NodeFilter.RESOURCES, demand, node);
                }
            }
            String message = full.message(demand);
            group.subList(placed.size(), group.size()).forEach(t -> explain(batch, t, message));
        }
    }

    private static void assign(Batch batch, Task t, NodeInfo node, Demand demand) {
        node.add(demand);
        TaskPatch p = new TaskPatch();
        p.nodeId = node.id();
        p.status = new Task.TaskStatus();
        p.status.state = TaskState.ASSIGNED.wire();
        p.status.message = "scheduler assigned task to node";
        p.status.timestamp = Ids.now();
        batch.patchTask(t.id, p);
    }

    /** Records why a task stays pending, once: an unchanged explanation is not written again. */
    private static void explain(Batch batch, Task t, String why) {
        if (t.status != null && Objects.equals(t.status.err, why)) {
            return;
        }
        Task.TaskStatus s = new Task.TaskStatus();
        s.state = TaskState.PENDING.wire();
        s.message = "pending task scheduling";
        s.err = why;
        s.timestamp = Ids.now();
        batch.patchTask(t.id, TaskPatch.status(s));
    }
}

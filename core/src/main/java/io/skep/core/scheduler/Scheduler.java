package io.skep.core.scheduler;

import io.skep.core.reconcile.ReconcileLoop;
import io.skep.core.reconcile.StoreWriter;
import io.skep.api.model.Ids;
import io.skep.api.model.Kind;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.core.store.Batch;
import io.skep.core.store.MemoryStore;
import io.skep.core.store.StoreEvent;
import io.skep.core.store.TaskPatch;
import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.SchedulerStrategy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Assigns pending tasks to nodes (PENDING → ASSIGNED). The core filters the nodes ({@link NodeFilter});
 * the {@link SchedulerStrategy} plugin of highest weight that applies ranks them. Tasks of one service and
 * spec are placed as one batch, so a strategy sees the whole group at once; each node's room for the group
 * (reservations, host ports, replicas per node) bounds what the strategy may put there.
 */
public final class Scheduler extends ReconcileLoop {
    private final StoreWriter store;
    private final List<SchedulerStrategy> strategies;

    public Scheduler(StoreWriter store, List<SchedulerStrategy> strategies) {
        super("scheduler");
        this.store = store;
        this.strategies = List.copyOf(strategies);
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
            if (failing == null) {
                assign(batch, t, node, d);
            } else {
                explain(batch, t, "no suitable node (" + failing.explain(d, 1) + ")");
            }
        }
        for (List<Task> group : groups.values()) {
            group.sort(Comparator.comparing((Task t) -> t.slotNumber()).thenComparing(t -> t.id));
            placeGroup(batch, group, load.demand(group.get(0)), load);
        }
        store.commit(batch);
    }

    private void placeGroup(Batch batch, List<Task> group, Demand demand, SwarmLoad load) {
        Task first = group.get(0);
        Explanation why = new Explanation();
        List<NodeCandidate> candidates = new ArrayList<>();
        for (NodeInfo node : load.nodes()) {
            NodeFilter failing = NodeFilter.firstFailing(demand, node);
            if (failing != null) {
                why.count(failing, demand, node);
                continue;
            }
            candidates.add(new NodeCandidate(node.id(), node.attributes, node.serviceTasks(demand.serviceId()),
                    node.totalTasks(), node.capacity(demand), 0));
        }
        if (candidates.isEmpty()) {
            String message = why.message(demand);
            group.forEach(t -> explain(batch, t, message));
            return;
        }
        PlacementRequest request = new PlacementRequest(first.serviceId, group.size(), first.spec == null ? List.of() : first.spec.spreadDescriptors());
        SchedulerStrategy strategy = strategies.stream().filter(s -> s.appliesTo(request))
                .max(Comparator.comparingInt(SchedulerStrategy::weight)).orElse(null);
        if (strategy == null) {
            group.forEach(t -> explain(batch, t, "no scheduler strategy in this image places this task"));
            return;
        }
        List<String> placed = strategy.place(request, candidates);
        for (int i = 0; i < placed.size() && i < group.size(); i++) {
            assign(batch, group.get(i), load.node(placed.get(i)), demand);
        }
        if (placed.size() < group.size()) {
            // The nodes' room ran out: say which filters now turn every node away.
            Explanation full = new Explanation();
            for (NodeInfo node : load.nodes()) {
                NodeFilter failing = NodeFilter.firstFailing(demand, node);
                full.count(failing == null ? NodeFilter.RESOURCES : failing, demand, node);
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

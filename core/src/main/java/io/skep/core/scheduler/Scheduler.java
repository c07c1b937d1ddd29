package io.skep.core.scheduler;

import io.skep.core.manager.ReconcileLoop;
import io.skep.core.manager.StoreWriter;
import io.skep.core.model.Ids;
import io.skep.core.model.Kind;
import io.skep.core.model.Node;
import io.skep.core.model.Task;
import io.skep.core.model.TaskState;
import io.skep.core.store.Batch;
import io.skep.core.store.MemoryStore;
import io.skep.core.store.StoreEvent;
import io.skep.core.store.TaskPatch;
import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.SchedulerStrategy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Assigns pending tasks to nodes (PENDING → ASSIGNED). The core filters the nodes ({@link NodeFilter});
 * the {@link SchedulerStrategy} plugin of highest weight that applies ranks them. Tasks of one service and
 * spec are placed as one batch, so a strategy sees the whole group at once.
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

    private record Group(String serviceId, Long specVersion, String runtime) {
    }

    @Override
    protected void reconcile() throws Exception {
        MemoryStore m = store.memory();
        List<Node> nodes = m.nodes();
        Map<String, Map<String, String>> attributes = new HashMap<>();
        nodes.forEach(n -> attributes.put(n.id, NodeAttributes.of(n)));

        // Load per node, from the tasks that hold a place on one.
        Map<String, Integer> totalByNode = new HashMap<>();
        Map<String, Map<String, Integer>> serviceByNode = new HashMap<>();
        Map<Group, List<Task>> groups = new LinkedHashMap<>();
        List<Task> preassigned = new ArrayList<>();
        for (Task t : m.tasks()) {
            if (t.nodeId != null && t.isActive() && t.state() != TaskState.PENDING && t.state() != TaskState.NEW) {
                totalByNode.merge(t.nodeId, 1, Integer::sum);
                serviceByNode.computeIfAbsent(t.nodeId, k -> new HashMap<>()).merge(t.serviceId, 1, Integer::sum);
            }
            if (t.isWanted() && t.state() == TaskState.PENDING) {
                if (t.nodeId != null) {
                    preassigned.add(t);
                } else {
                    groups.computeIfAbsent(new Group(t.serviceId, t.specVersion, t.runtime), g -> new ArrayList<>()).add(t);
                }
            }
        }
        Batch batch = new Batch();
        for (Task t : preassigned) {
            Node node = m.get(Kind.NODE, t.nodeId);
            NodeFilter failing = node == null ? NodeFilter.READY : NodeFilter.firstFailing(t, node, attributes.get(node.id));
            if (failing == null) {
                assign(batch, t, t.nodeId);
            } else {
                explain(batch, t, "no suitable node (" + failing.explain(t, 1) + ")");
            }
        }
        for (List<Task> group : groups.values()) {
            group.sort(Comparator.comparing((Task t) -> t.slotNumber()).thenComparing(t -> t.id));
            placeGroup(batch, group, nodes, attributes, totalByNode, serviceByNode);
        }
        store.commit(batch);
    }

    private void placeGroup(Batch batch, List<Task> group, List<Node> nodes, Map<String, Map<String, String>> attributes,
                            Map<String, Integer> totalByNode, Map<String, Map<String, Integer>> serviceByNode) {
        Task first = group.get(0);
        Map<NodeFilter, Integer> failures = new EnumMap<>(NodeFilter.class);
        List<NodeCandidate> candidates = new ArrayList<>();
        for (Node node : nodes) {
            NodeFilter failing = NodeFilter.firstFailing(first, node, attributes.get(node.id));
            if (failing != null) {
                failures.merge(failing, 1, Integer::sum);
                continue;
            }
            candidates.add(new NodeCandidate(node.id, attributes.get(node.id),
                    serviceByNode.getOrDefault(node.id, Map.of()).getOrDefault(first.serviceId, 0),
                    totalByNode.getOrDefault(node.id, 0), Integer.MAX_VALUE, 0));
        }
        if (candidates.isEmpty()) {
            String why = failures.isEmpty() ? "no nodes in the swarm"
                    : failures.entrySet().stream().map(e -> e.getKey().explain(first, e.getValue()))
                    .collect(Collectors.joining("; "));
            group.forEach(t -> explain(batch, t, "no suitable node (" + why + ")"));
            return;
        }
        PlacementRequest request = new PlacementRequest(first.serviceId, group.size(), spreadDescriptors(first));
        SchedulerStrategy strategy = strategies.stream().filter(s -> s.appliesTo(request))
                .max(Comparator.comparingInt(SchedulerStrategy::weight)).orElse(null);
        if (strategy == null) {
            group.forEach(t -> explain(batch, t, "no scheduler strategy in this image places this task"));
            return;
        }
        List<String> placed = strategy.place(request, candidates);
        for (int i = 0; i < group.size(); i++) {
            Task t = group.get(i);
            if (i < placed.size()) {
                String nodeId = placed.get(i);
                assign(batch, t, nodeId);
                totalByNode.merge(nodeId, 1, Integer::sum);
                serviceByNode.computeIfAbsent(nodeId, k -> new HashMap<>()).merge(t.serviceId, 1, Integer::sum);
            } else {
                explain(batch, t, "no suitable node (insufficient capacity on " + candidates.size() + " nodes)");
            }
        }
    }

    private static List<String> spreadDescriptors(Task t) {
        if (t.spec == null || t.spec.placement == null || t.spec.placement.preferences == null) {
            return List.of();
        }
        return t.spec.placement.preferences.stream()
                .filter(p -> p.spread != null && p.spread.spreadDescriptor != null)
                .map(p -> p.spread.spreadDescriptor).toList();
    }

    private static void assign(Batch batch, Task t, String nodeId) {
        TaskPatch p = new TaskPatch();
        p.nodeId = nodeId;
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

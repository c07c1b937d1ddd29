package io.skep.core.orchestrator;

import io.skep.api.model.Kind;
import io.skep.api.model.Node;
import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.core.reconcile.ReconcileLoop;
import io.skep.core.reconcile.StoreWriter;
import io.skep.core.store.Batch;
import io.skep.core.store.MemoryStore;
import io.skep.core.store.StoreEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps one task of each global service on every eligible node (not down or drained, constraints met; a paused
 * node keeps its task but gets none new), and removes tasks from nodes that stop being eligible. Tasks are made
 * with their node already set; the scheduler only checks them.
 */
public final class GlobalOrchestrator extends ReconcileLoop {
    private final StoreWriter store;
    private final ServiceReconciler common;

    public GlobalOrchestrator(StoreWriter store, RestartSupervisor restarts) {
        super("global-orchestrator");
        this.store = store;
        this.common = new ServiceReconciler(restarts, this::wakeIn);
    }

    @Override
    protected boolean interested(List<StoreEvent> events) {
        return events.stream()
                .anyMatch(e -> e.kind() == Kind.SERVICE || e.kind() == Kind.NODE || e.kind() == Kind.TASK);
    }

    @Override
    protected void reconcile() throws Exception {
        MemoryStore m = store.memory();
        NodeView nodes = new NodeView(m.nodes());
        Batch batch = new Batch();
        for (Service s : m.services()) {
            if (s.isGlobal()) {
                reconcileService(s, nodes, m.tasksOfService(s.id), batch);
            }
        }
        store.commit(batch);
    }

    private void reconcileService(Service s, NodeView nodes, List<Task> all, Batch batch) {
        String runtime = s.runtime();
        Map<String, List<Task>> byNode = new HashMap<>();
        for (Task t : all) {
            if (t.desired() != TaskState.REMOVE && t.nodeId != null) {
                byNode.computeIfAbsent(t.nodeId, k -> new ArrayList<>()).add(t);
            }
        }
        List<List<Task>> live = new ArrayList<>();
        for (Node node : nodes.all()) {
            List<Task> tasks = byNode.getOrDefault(node.id, new ArrayList<>());
            boolean eligible = nodes.usable(node.id) && nodes.satisfies(node.id, s.spec.taskTemplate, s.templateDigest);
            if (!eligible) {
                tasks.stream().filter(Task::isWanted).forEach(t -> common.remove(t, batch));
                continue;
            }
            tasks = common.superviseSlot(s, runtime, 0, node.id, s.id + "/" + node.id, tasks, batch);
            boolean hasWanted = tasks.stream().anyMatch(Task::isWanted);
            Task newest = Tasks.newest(tasks);
            boolean dead = !hasWanted && newest != null && Objects.equals(newest.specVersion, s.specVersion);
            // A paused node keeps what it runs but takes no new task, as in Swarm.
            if (!hasWanted && !dead && !"pause".equals(node.availability())) {
                Task t = Tasks.create(s, 0, node.id, runtime, TaskState.RUNNING);
                batch.create(t);
                tasks.add(t);
            }
            if (tasks.stream().anyMatch(Task::isWanted)) {
                live.add(tasks);
            }
        }
        // Tasks on nodes that left the swarm.
        byNode.forEach((nodeId, tasks) -> {
            if (nodes.get(nodeId) == null) {
                tasks.forEach(t -> common.remove(t, batch));
            }
        });
        common.rollingUpdate(s, runtime, live, batch);
    }
}

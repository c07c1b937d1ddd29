package io.skep.core.orchestrator;

import io.skep.api.model.Cluster;
import io.skep.api.model.Defaults;
import io.skep.api.model.Kind;
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

/**
 * Deletes tasks nobody needs to see any more: tasks marked for removal (scale-down, service removal) once
 * they have stopped, tasks of removed services, and the oldest ended tasks of a slot beyond the swarm's
 * task history limit ({@code TaskHistoryRetentionLimit}, default 5).
 */
public final class TaskReaper extends ReconcileLoop {
    private final StoreWriter store;

    public TaskReaper(StoreWriter store) {
        super("task-reaper");
        this.store = store;
    }

    /**
     * Only what can leave something to delete: a task that ended or is wanted stopped or removed (its replacement, if
     * any, is made in the same batch, so a slot's history is counted with it), a service deleted. A busy
     * swarm's stream of tasks starting wakes no pass over every task, nor do the deletions this loop makes.
     */
    @Override
    protected boolean interested(List<StoreEvent> events) {
        for (StoreEvent e : events) {
            if (e.kind() == Kind.SERVICE && e.type() == StoreEvent.Type.DELETED) {
                return true;
            }
            if (e.kind() == Kind.TASK) {
                Task t = (Task) e.object();
                if ((t.state() != null && t.state().isTerminal())
                        || (t.desired() != null && t.desired().isAfter(TaskState.RUNNING))) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    protected void reconcile() throws Exception {
        MemoryStore m = store.memory();
        Cluster cluster = m.cluster();
        long limit = cluster == null ? Defaults.TASK_HISTORY_RETENTION_LIMIT : cluster.taskHistoryLimit();
        Batch batch = new Batch();
        Map<String, List<Task>> bySlot = new HashMap<>();
        for (Task t : m.tasks()) {
            boolean stopped = t.state() == null
                    || t.state().isTerminal()
                    || t.nodeId == null
                    || t.state().compareTo(TaskState.ASSIGNED) < 0;
            Service service = m.get(Kind.SERVICE, t.serviceId);
            if ((t.desired() == TaskState.REMOVE || service == null) && stopped) {
                batch.delete(Kind.TASK, t.id);
                continue;
            }
            if (t.desired() != TaskState.REMOVE) {
                String key = t.serviceId + "/" + (t.slotNumber() == 0 ? t.nodeId : t.slotNumber());
                bySlot.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
            }
        }
        for (List<Task> slot : bySlot.values()) {
            if (slot.size() <= limit) {
                continue;
            }
            slot.sort(Tasks.NEWEST_FIRST);
            for (Task t : slot.subList((int) limit, slot.size())) {
                if (!t.isWanted() && t.state() != null && t.state().isTerminal()) {
                    batch.delete(Kind.TASK, t.id);
                }
            }
        }
        store.commit(batch);
    }
}

package io.skep.core.allocator;

import io.skep.api.model.Ids;
import io.skep.api.model.Kind;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.core.reconcile.ReconcileLoop;
import io.skep.core.reconcile.StoreWriter;
import io.skep.core.store.Batch;
import io.skep.core.store.StoreEvent;
import io.skep.core.store.TaskPatch;
import java.util.List;

/**
 * Allocates what a task needs cluster-wide before it can be scheduled (NEW → PENDING). Tasks need no
 * network resources yet; overlay addresses and VIPs will be allocated here.
 */
public final class Allocator extends ReconcileLoop {
    private final StoreWriter store;

    public Allocator(StoreWriter store) {
        super("allocator");
        this.store = store;
    }

    @Override
    protected boolean interested(List<StoreEvent> events) {
        return events.stream()
                .anyMatch(e -> e.kind() == Kind.TASK
                        && e.type() != StoreEvent.Type.DELETED
                        && ((Task) e.object()).state() == TaskState.NEW);
    }

    @Override
    protected void reconcile() throws Exception {
        Batch batch = new Batch();
        for (Task t : store.memory().tasks()) {
            if (t.state() == TaskState.NEW && t.isWanted()) {
                Task.TaskStatus s = new Task.TaskStatus();
                s.state = TaskState.PENDING.wire();
                s.message = "pending task scheduling";
                s.timestamp = Ids.now();
                batch.patchTask(t.id, TaskPatch.status(s));
            }
        }
        store.commit(batch);
    }
}

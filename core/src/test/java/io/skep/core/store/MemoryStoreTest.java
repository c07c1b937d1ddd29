package io.skep.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.api.model.Service;
import io.skep.api.model.ServiceSpec;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryStoreTest {
    private final MemoryStore store = new MemoryStore();
    private long index;

    private CommitResult apply(Batch batch) {
        return store.apply(Batch.decode(batch.encode()), ++index);
    }

    static Service service(String id, String name) {
        Service s = new Service();
        s.id = id;
        s.spec = new ServiceSpec();
        s.spec.name = name;
        return s;
    }

    static Task task(String id, String serviceId, TaskState state) {
        Task t = new Task();
        t.id = id;
        t.serviceId = serviceId;
        t.slot = 1L;
        t.desiredState = TaskState.RUNNING.wire();
        t.status.state = state.wire();
        return t;
    }

    @Test
    void objectsCarryTheLogIndexAsTheirVersion() {
        apply(new Batch().create(service("s1", "web")));
        Service s = store.get(io.skep.api.model.Kind.SERVICE, "s1");
        assertEquals(1, s.versionIndex());
        assertEquals(s.createdAt, s.updatedAt);
    }

    @Test
    void aStaleUpdateRefusesTheWholeBatch() {
        apply(new Batch().create(service("s1", "web")));
        Service stale = service("s1", "web");
        stale.version.index = 0;
        CommitResult r = apply(new Batch().create(service("s2", "api")).update(stale));
        assertFalse(r.applied());
        assertTrue(r.conflict().contains("update out of sequence"), r.conflict());
        assertNull(store.get(io.skep.api.model.Kind.SERVICE, "s2"), "nothing of a refused batch is applied");
    }

    @Test
    void serviceNamesAreUnique() {
        apply(new Batch().create(service("s1", "web")));
        CommitResult r = apply(new Batch().create(service("s2", "web")));
        assertTrue(r.conflict().contains("name conflicts"), r.conflict());
    }

    @Test
    void taskStatesOnlyMoveForward() {
        apply(new Batch().create(task("t1", "s1", TaskState.PENDING)));
        Task.TaskStatus running = new Task.TaskStatus();
        running.state = "running";
        Task.TaskStatus assigned = new Task.TaskStatus();
        assigned.state = "assigned";
        apply(new Batch().patchTask("t1", TaskPatch.status(running)));
        apply(new Batch().patchTask("t1", TaskPatch.status(assigned)));
        apply(new Batch().patchTask("t1", TaskPatch.desired("shutdown")));
        apply(new Batch().patchTask("t1", TaskPatch.desired("running")));
        Task t = store.get(io.skep.api.model.Kind.TASK, "t1");
        assertEquals(TaskState.RUNNING, t.state());
        assertEquals(TaskState.SHUTDOWN, t.desired());
    }

    @Test
    void indexesFollowPatchesAndDeletes() {
        apply(new Batch().create(task("t1", "s1", TaskState.PENDING)).create(task("t2", "s1", TaskState.PENDING)));
        TaskPatch assign = new TaskPatch();
        assign.nodeId = "n1";
        apply(new Batch().patchTask("t1", assign));
        assertEquals(2, store.tasksOfService("s1").size());
        assertEquals(
                List.of("t1"), store.tasksOfNode("n1").stream().map(t -> t.id).toList());
        apply(new Batch().delete(io.skep.api.model.Kind.TASK, "t1"));
        assertTrue(store.tasksOfNode("n1").isEmpty());
        assertEquals(1, store.tasksOfService("s1").size());
    }

    @Test
    void listenersSeeWhatChanged() {
        List<StoreEvent> seen = new ArrayList<>();
        store.subscribe(seen::addAll);
        apply(new Batch().create(task("t1", "s1", TaskState.PENDING)));
        apply(new Batch().patchTask("t1", TaskPatch.desired("running"))); // no change: no event
        apply(new Batch().delete(io.skep.api.model.Kind.TASK, "t1"));
        assertEquals(
                List.of(StoreEvent.Type.CREATED, StoreEvent.Type.DELETED),
                seen.stream().map(StoreEvent::type).toList());
    }

    /** A task patch is applied to a shallow copy: the copy must carry every field, and the old object stay as it was. */
    @Test
    void aPatchedTaskKeepsEveryFieldAndLeavesTheOldObjectAlone() throws Exception {
        Task t = new Task();
        for (java.lang.reflect.Field f : Task.class.getFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) || f.get(t) != null) {
                continue;
            }
            Class<?> type = f.getType();
            Object value = type == String.class
                    ? "x-" + f.getName()
                    : type == Long.class
                            ? 7L
                            : type == java.util.Map.class
                                    ? java.util.Map.of("k", "v")
                                    : type == java.util.List.class
                                            ? java.util.List.of(new Task.NetworkAttachment())
                                            : type.getConstructor().newInstance();
            f.set(t, value);
        }
        t.id = "t1";
        t.desiredState = TaskState.RUNNING.wire();
        t.status.state = TaskState.PENDING.wire();
        for (java.lang.reflect.Field f : Task.class.getFields()) {
            assertTrue(
                    java.lang.reflect.Modifier.isStatic(f.getModifiers()) || f.get(t) != null, f.getName() + " unset");
        }
        assertEquals(
                io.skep.api.model.Json.tree(t),
                io.skep.api.model.Json.tree(t.shallowCopy()),
                "a field is missing from Task.shallowCopy");

        t.nodeId = null; // a patch sets the node once
        MemoryStore store = new MemoryStore();
        store.apply(Batch.decode(new Batch().create(t).encode()), 1);
        Task before = store.get(io.skep.api.model.Kind.TASK, "t1");
        TaskPatch p = new TaskPatch();
        p.nodeId = "n1";
        p.status = new Task.TaskStatus();
        p.status.state = TaskState.ASSIGNED.wire();
        store.apply(Batch.decode(new Batch().patchTask("t1", p).encode()), 2);
        Task after = store.get(io.skep.api.model.Kind.TASK, "t1");
        assertEquals("n1", after.nodeId);
        assertEquals(TaskState.ASSIGNED, after.state());
        assertEquals("x-serviceId", after.serviceId);
        assertNull(before.nodeId, "the object read before is unchanged");
        assertEquals(TaskState.PENDING, before.state());
    }
}

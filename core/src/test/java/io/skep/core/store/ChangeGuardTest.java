package io.skep.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.api.model.Json;
import io.skep.api.model.Kind;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import org.junit.jupiter.api.Test;

/**
 * A stored object changed in place by a reader is caught before the next entry is applied, naming the object and
 * the field; a reader that copies first changes nothing. Every store of the test suites runs with the guard (the
 * build sets {@value ChangeGuard#PROPERTY}), so the suites prove that no reader in the daemon breaks the rule.
 */
class ChangeGuardTest {
    private final MemoryStore store = new MemoryStore(new ChangeGuard());
    private long index;

    private CommitResult apply(Batch batch) {
        return store.apply(Batch.decode(batch.encode()), ++index);
    }

    @Test
    void theSuitesRunWithTheGuardOn() {
        assertTrue(
                Boolean.getBoolean(ChangeGuard.PROPERTY),
                "the build runs every test with -D" + ChangeGuard.PROPERTY + "=true");
    }

    @Test
    void aReaderThatChangesAStoredObjectStopsTheNextWrite() {
        apply(new Batch().create(MemoryStoreTest.task("t1", "s1", TaskState.RUNNING)));
        Task read = store.get(Kind.TASK, "t1");
        read.status.state = TaskState.FAILED.wire(); // the accident: changed in place, not copied first

        StoredObjectChanged e = assertThrows(
                StoredObjectChanged.class,
                () -> apply(new Batch().create(MemoryStoreTest.task("t2", "s1", TaskState.RUNNING))));
        assertTrue(e.getMessage().startsWith("Task t1 was changed in place"), e.getMessage());
        assertTrue(e.getMessage().contains("/Status/State is \"failed\", was \"running\""), e.getMessage());
        assertEquals(null, store.get(Kind.TASK, "t2"), "the entry after the change is not applied");
        assertThrows(StoredObjectChanged.class, store::dump, "nor is a snapshot taken of a changed store");
    }

    @Test
    void aReaderThatCopiesFirstChangesNothing() {
        apply(new Batch().create(MemoryStoreTest.task("t1", "s1", TaskState.RUNNING)));
        Task copy = Json.copy(store.<Task>get(Kind.TASK, "t1"));
        copy.status.state = TaskState.FAILED.wire();
        apply(new Batch().patchTask("t1", TaskPatch.desired(TaskState.SHUTDOWN.wire())));

        assertEquals(TaskState.RUNNING, store.<Task>get(Kind.TASK, "t1").state());
        assertEquals(TaskState.SHUTDOWN.wire(), store.<Task>get(Kind.TASK, "t1").desiredState);
    }
}

package io.skep.bench.store;

import io.skep.core.model.Kind;
import io.skep.core.model.Task;
import io.skep.core.model.TaskState;
import io.skep.core.store.Batch;
import io.skep.core.store.CommitResult;
import io.skep.core.store.MemoryStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writes the store benchmark measures, applied to a {@link MemoryStore} as the Raft state machine applies
 * them (no Raft here: starting a group takes seconds). A refused batch would make the benchmark time conflicts
 * instead of writes.
 */
class StoreBenchmarkTest {

    @Test
    void everyBatchCreatesThatManyNewTasksAndIsAppliedWhole() {
        MemoryStore store = new MemoryStore();
        AtomicLong counter = new AtomicLong();
        long index = 0;
        for (int count : new int[] {1, 1, 100, 500}) {
            Batch batch = StoreBenchmark.newTasks(count, counter);
            assertEquals(count, batch.size());
            CommitResult result = store.apply(Batch.decode(batch.encode()), ++index);
            assertNull(result.conflict());
        }
        assertEquals(602, counter.get());
        assertEquals(602, store.tasks().size());
        assertEquals(602, store.tasksOfService(StoreBenchmark.SERVICE_ID).size());

        Set<String> ids = new HashSet<>();
        for (Task t : store.tasks()) {
            assertEquals(25, t.id.length(), t.id);
            assertTrue(ids.add(t.id));
        }
        Task last = store.get(Kind.TASK, StoreBenchmark.task(602).id);
        assertEquals(4, last.versionIndex(), "the last task came with the fourth entry");
        assertEquals(TaskState.NEW, last.state());
        assertEquals(TaskState.RUNNING, last.desired());
        assertEquals(602, last.slotNumber());
        assertEquals("nginx:1.27-alpine", last.spec.containerSpec.image);
    }

    @Test
    void theTemporaryDirectoryIsDeletedWithItsContent(@TempDir Path parent) throws Exception {
        Path dir = Files.createDirectories(parent.resolve("raft/group/current"));
        Files.writeString(dir.resolve("log_inprogress_0"), "entries");
        StoreBenchmark.deleteRecursively(parent.resolve("raft"));
        assertFalse(Files.exists(parent.resolve("raft")));
        StoreBenchmark.deleteRecursively(parent.resolve("raft")); // nothing left: no error
    }
}

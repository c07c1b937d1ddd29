package io.skep.bench.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.api.model.Json;
import io.skep.api.model.Kind;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.bench.store.WriteLoad.Result;
import io.skep.bench.store.WriteLoad.Workload;
import io.skep.core.store.Batch;
import io.skep.core.store.CommitResult;
import io.skep.core.store.MemoryStore;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The write load against a stand-in for {@code RaftStore::submit}: a {@link MemoryStore} that applies each
 * encoded batch as the Raft state machine does, a millisecond later, on another thread (no Raft here: starting a
 * group takes seconds).
 */
class WriteLoadTest {
    private final ScheduledExecutorService raft = Executors.newScheduledThreadPool(4);
    private final MemoryStore memory = new MemoryStore();
    private final AtomicLong index = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    /** How long the stand-in takes to commit an entry. */
    private volatile long commitMillis = 1;

    @AfterEach
    void stop() {
        raft.shutdownNow();
    }

    private long tasks() {
        synchronized (memory) {
            return memory.tasks().size();
        }
    }

    private CompletableFuture<CommitResult> submit(Batch batch) {
        byte[] entry = batch.encode();
        mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        CompletableFuture<CommitResult> committed = new CompletableFuture<>();
        raft.schedule(
                () -> {
                    CommitResult result;
                    synchronized (memory) { // one entry at a time, in log order, as the state machine applies them
                        result = memory.apply(Batch.decode(entry), index.incrementAndGet());
                    }
                    inFlight.decrementAndGet();
                    committed.complete(result);
                },
                commitMillis,
                TimeUnit.MILLISECONDS);
        return committed;
    }

    @Test
    void everyProposedTaskIsCommittedCountedAndClearedAfter() throws Exception {
        WriteLoad load = new WriteLoad(this::submit, this::tasks, Duration.ofSeconds(5));
        long total = 0;
        for (Workload workload : StoreBench.WORKLOADS) {
            Result result = load.run(workload, Duration.ofMillis(30));
            assertTrue(result.entries() > 0, workload.name());
            assertEquals(result.entries() * workload.objectsPerEntry(), result.objects(), workload.name());
            assertTrue(result.nanos() >= Duration.ofMillis(30).toNanos(), "the time runs to the last commit");
            assertEquals(result.objects(), tasks(), "every task counted is in the store");
            total += result.objects();
            long entries = index.get();
            load.clear();
            assertEquals(0, tasks());
            assertEquals(entries + (result.objects() + 999) / 1000, index.get(), "a thousand deletes per entry");
        }
        assertEquals(total, load.tasksWritten());
        assertEquals(index.get(), memory.lastIndex());
    }

    @Test
    void clearingFailsWhenTheStoreLostAWrite() throws Exception {
        WriteLoad load = new WriteLoad(
                batch -> submit(batch.changes().size() == 1 ? new Batch() : batch),
                this::tasks,
                Duration.ofMillis(500)); // how long clearing waits for the missing write
        load.run(new Workload("lossy", 1, 1), Duration.ofMillis(10));
        IllegalStateException e = assertThrows(IllegalStateException.class, load::clear);
        assertTrue(e.getMessage().contains("holds 0 tasks after writing"), e.getMessage());
    }

    @Test
    void noMoreEntriesAreInFlightThanTheWorkloadSays() throws Exception {
        WriteLoad load = new WriteLoad(this::submit, this::tasks, Duration.ofSeconds(5));
        load.run(new Workload("serial", 1, 1), Duration.ofMillis(20));
        assertEquals(1, mostInFlight.get(), "one after another");
        // Commits slower than proposing, even on a cold JVM: the writer can fill the pipeline, and must stop at 8.
        commitMillis = 300;
        load.run(new Workload("pipelined", 1, 8), Duration.ofMillis(50));
        assertEquals(8, mostInFlight.get());
    }

    @Test
    void aRefusedBatchFailsTheRun() {
        WriteLoad load = new WriteLoad(
                batch -> CompletableFuture.completedFuture(new CommitResult(1, "task 1 already exists")),
                () -> 0,
                Duration.ofSeconds(5));
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> load.run(new Workload("refused", 1, 4), Duration.ofMillis(20)));
        assertTrue(
                e.getCause().getMessage().contains("already exists"),
                e.getCause().getMessage());
    }

    @Test
    void tasksAreNewRunningTasksOfOneServiceWithDistinctIds() {
        AtomicLong counter = new AtomicLong();
        Batch first = WriteLoad.newTasks(500, counter);
        Batch second = WriteLoad.newTasks(1, counter);
        assertEquals(500, first.size());
        assertEquals(501, counter.get());

        Set<String> ids = new HashSet<>();
        first.changes().forEach(c -> assertTrue(ids.add(c.id())));
        assertTrue(ids.add(second.changes().getFirst().id()));
        ids.forEach(id -> assertEquals(25, id.length(), id));

        memory.apply(Batch.decode(first.encode()), 1);
        memory.apply(Batch.decode(second.encode()), 2);
        assertEquals(
                501,
                memory.<Task>get(Kind.TASK, second.changes().getFirst().id()).slotNumber());
        Task task = memory.get(Kind.TASK, WriteLoad.task(500).id);
        assertEquals(TaskState.NEW, task.state());
        assertEquals(TaskState.RUNNING, task.desired());
        assertEquals(WriteLoad.SERVICE_ID, task.serviceId);
        assertEquals(501, memory.tasksOfService(WriteLoad.SERVICE_ID).size());
        int bytes = Json.bytes(WriteLoad.task(1)).length;
        assertTrue(bytes > 400 && bytes < 700, "a task's JSON is about 500 bytes, not " + bytes);
    }
}

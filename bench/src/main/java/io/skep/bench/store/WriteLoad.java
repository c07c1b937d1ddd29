package io.skep.bench.store;

import io.skep.api.model.Kind;
import io.skep.api.model.Task;
import io.skep.api.model.TaskSpec;
import io.skep.api.model.TaskState;
import io.skep.core.store.Batch;
import io.skep.core.store.CommitResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Writes new tasks to a store for a while, as one {@link Workload} says, and counts what was committed. Every
 * entry is a {@link Batch} creating {@code objectsPerEntry} new tasks; at most {@code inFlight} entries are
 * proposed and not yet committed at any time. The batch is built and encoded on the caller's thread after a slot
 * is free, so one in flight means one entry after another, each built when the previous one is committed.
 *
 * <p>{@link #clear} then deletes what the run wrote (untimed), so that every run starts from the same, empty
 * store, whatever ran before it and however fast.
 */
final class WriteLoad {

    /**
     * What a round writes.
     *
     * @param name            the result's name; {@value io.skep.bench.Ratios#BASELINE} for the baseline
     * @param objectsPerEntry tasks created by each Raft entry
     * @param inFlight        entries proposed and not yet committed, at most
     */
    record Workload(String name, int objectsPerEntry, int inFlight) {
        Workload {
            Objects.requireNonNull(name, "name");
            if (objectsPerEntry < 1 || inFlight < 1) {
                throw new IllegalArgumentException("objectsPerEntry and inFlight must be at least 1");
            }
        }
    }

    /**
     * What one round committed: every entry proposed before its deadline, all of them applied.
     *
     * @param nanos from the first proposal to the last commit
     */
    record Result(long objects, long entries, long nanos) {

        double objectsPerSecond() {
            return objects * 1e9 / nanos;
        }

        double entriesPerSecond() {
            return entries * 1e9 / nanos;
        }
    }

    /** Deletes per entry when {@link #clear clearing}. */
    static final int DELETES_PER_ENTRY = 1000;

    private final Function<Batch, CompletableFuture<CommitResult>> store;
    private final LongSupplier tasksInStore;
    private final Duration timeout;
    private final AtomicLong taskNumbers = new AtomicLong();
    private long cleared;

    /**
     * @param store        proposes a batch and completes when it is committed and applied ({@code RaftStore::submit})
     * @param tasksInStore how many tasks the store holds now, to check that every write counted was applied
     * @param timeout      the longest to wait for one commit before the run fails
     */
    WriteLoad(Function<Batch, CompletableFuture<CommitResult>> store, LongSupplier tasksInStore, Duration timeout) {
        this.store = store;
        this.tasksInStore = tasksInStore;
        this.timeout = timeout;
    }

    /** Tasks written so far, by every round. */
    long tasksWritten() {
        return taskNumbers.get();
    }

    /**
     * Proposes entries for {@code duration}, then waits for the last ones to commit.
     *
     * @throws IllegalStateException when the store refused or failed an entry
     * @throws TimeoutException      when an entry did not commit within the timeout
     */
    Result run(Workload workload, Duration duration) throws InterruptedException, TimeoutException {
        Semaphore slots = new Semaphore(workload.inFlight());
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong lastCommit = new AtomicLong();
        long entries = 0;
        long start = System.nanoTime();
        long deadline = start + duration.toNanos();
        while (System.nanoTime() - deadline < 0 && failure.get() == null) {
            if (!slots.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new TimeoutException("no entry committed within " + timeout);
            }
            Batch batch = newTasks(workload.objectsPerEntry(), taskNumbers);
            entries++;
            store.apply(batch).whenComplete((result, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                } else if (!result.applied()) {
                    failure.compareAndSet(
                            null, new IllegalStateException("the store refused a batch: " + result.conflict()));
                }
                lastCommit.accumulateAndGet(System.nanoTime(), Math::max);
                slots.release();
            });
        }
        if (!slots.tryAcquire(workload.inFlight(), timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("the last entries did not commit within " + timeout);
        }
        if (failure.get() != null) {
            throw new IllegalStateException(workload.name() + ": a write failed", failure.get());
        }
        return new Result(entries * workload.objectsPerEntry(), entries, lastCommit.get() - start);
    }

    /**
     * Checks that the store holds exactly the tasks written since the last clear, then deletes them, a thousand
     * per entry, and checks that none is left.
     */
    void clear() throws InterruptedException, TimeoutException, ExecutionException {
        long written = taskNumbers.get();
        check(written - cleared, "after writing");
        Batch batch = new Batch();
        for (long n = cleared + 1; n <= written; n++) {
            batch.delete(Kind.TASK, id(n));
            if (batch.size() == DELETES_PER_ENTRY || n == written) {
                CommitResult result = store.apply(batch).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
                if (!result.applied()) {
                    throw new IllegalStateException("the store refused deletes: " + result.conflict());
                }
                batch = new Batch();
            }
        }
        cleared = written;
        check(0, "after clearing");
    }

    /**
     * Waits up to the timeout for the store to hold {@code expected} tasks: the member written to has applied every
     * write it counted unless leadership moved away from it during the run, when the new leader replied and this
     * member applies the same entries a moment later.
     */
    private void check(long expected, String when) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long tasks;
        while ((tasks = tasksInStore.getAsLong()) != expected && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        if (tasks != expected) {
            throw new IllegalStateException("the store holds " + tasks + " tasks " + when + ", not " + expected);
        }
    }

    static final String SERVICE_ID = "benchservice000000000000a";

    /** A batch creating {@code count} new tasks, numbered on from {@code counter}. */
    static Batch newTasks(int count, AtomicLong counter) {
        long first = counter.getAndAdd(count) + 1;
        Batch batch = new Batch();
        for (long n = first; n < first + count; n++) {
            batch.create(task(n));
        }
        return batch;
    }

    /** Task number {@code n}'s ID: {@code n} in base 36, padded to swarmkit's 25 characters. */
    static String id(long n) {
        String id = Long.toString(n, 36);
        return "0".repeat(25 - id.length()) + id;
    }

    /**
     * Task number {@code n} of one replicated service, as the orchestrator makes one ({@code Tasks.create}): new,
     * desired running, with its service's task template and name. About 500 bytes of JSON.
     */
    static Task task(long n) {
        Task t = new Task();
        t.id = id(n);
        t.createdAt = "2025-01-01T00:00:00.000000000Z";
        t.serviceId = SERVICE_ID;
        t.slot = n;
        t.spec = new TaskSpec();
        t.spec.containerSpec = new TaskSpec.ContainerSpec();
        t.spec.containerSpec.image = "nginx:1.27-alpine";
        t.spec.containerSpec.env = List.of("MODE=bench");
        t.spec.restartPolicy = new TaskSpec.RestartPolicy();
        t.spec.restartPolicy.condition = "any";
        t.labels = Map.of();
        t.serviceAnnotations = new Task.Annotations();
        t.serviceAnnotations.name = "web";
        t.runtime = "process";
        t.specVersion = 1L;
        t.desiredState = TaskState.RUNNING.wire();
        t.status = new Task.TaskStatus();
        t.status.state = TaskState.NEW.wire();
        t.status.message = "created";
        t.status.timestamp = t.createdAt;
        return t;
    }
}

package io.skep.bench.store;

import io.skep.core.model.Task;
import io.skep.core.model.TaskSpec;
import io.skep.core.model.TaskState;
import io.skep.core.store.Batch;
import io.skep.core.store.CommitResult;
import io.skep.core.store.RaftStore;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Committed object writes per second through the store: one single-peer {@link RaftStore} (Ratis, gRPC on a free
 * loopback port, its log and snapshots in a temporary directory deleted after), started once per trial, i.e. once
 * per benchmark method, each in its own forked JVM. Every write creates new tasks, shaped as the orchestrator
 * makes them; a benchmark's score is tasks committed and applied per second, and its {@code entries} counter is
 * Raft entries committed per second.
 *
 * <ul>
 *   <li>{@link #baseline}: unbatched, one task per entry, each committed before the next is proposed;</li>
 *   <li>{@link #unbatched32InFlight}: one task per entry, 32 threads each committing one after another, so up to
 *       32 entries are in flight through {@link RaftStore#submit};</li>
 *   <li>{@link #batched100}, {@link #batched500}: 100 or 500 tasks per entry, one entry in flight, as a
 *       reconciler writes a batch.</li>
 * </ul>
 *
 * <p>The time of a write includes building and encoding its batch on the caller's thread, as a reconciler pays
 * it. The store grows through the trial (nothing is deleted), and the server snapshots it every
 * {@link RaftStore#DEFAULT_SNAPSHOT_INTERVAL} entries, as it does in a node.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class StoreBenchmark {

    /** The longest one commit may take before the benchmark fails. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    static final String SERVICE_ID = "benchservice000000000000a";

    private Path dir;
    private RaftStore store;
    private final AtomicLong written = new AtomicLong();

    /** Raft entries committed, as an extra JMH result ({@code :entries}, in entries per second). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Entries {
        public long entries;

        @Setup(Level.Iteration)
        public void reset() {
            entries = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        // Ratis logs every election and segment roll at INFO (through slf4j-jdk14): keep JMH's output readable.
        Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        dir = Files.createTempDirectory("skep-store-bench");
        store = new RaftStore(dir.resolve("raft"), "bench1", UUID.randomUUID(), freePort(), true,
                RaftStore.DEFAULT_SNAPSHOT_INTERVAL);
        store.awaitLeader(TIMEOUT);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try {
            if (store != null) {
                int tasks = store.memory().tasks().size();
                store.close();
                if (tasks != written.get()) {
                    throw new IllegalStateException("the store holds " + tasks + " tasks, " + written.get()
                            + " were committed");
                }
            }
        } finally {
            if (dir != null) {
                deleteRecursively(dir);
            }
        }
    }

    @Benchmark
    public CommitResult baseline(Entries entries) throws IOException {
        return commit(1, entries);
    }

    @Benchmark
    @Threads(32)
    public CommitResult unbatched32InFlight(Entries entries) throws IOException {
        return commit(1, entries);
    }

    @Benchmark
    @OperationsPerInvocation(100)
    public CommitResult batched100(Entries entries) throws IOException {
        return commit(100, entries);
    }

    @Benchmark
    @OperationsPerInvocation(500)
    public CommitResult batched500(Entries entries) throws IOException {
        return commit(500, entries);
    }

    /** Commits one entry of {@code count} new tasks; fails unless all of them were applied. */
    private CommitResult commit(int count, Entries entries) throws IOException {
        CommitResult result = store.commit(newTasks(count, written), TIMEOUT);
        if (!result.applied()) {
            throw new IllegalStateException("the store refused a batch: " + result.conflict());
        }
        entries.entries++;
        return result;
    }

    /** A batch creating {@code count} new tasks, numbered on from {@code counter}. */
    static Batch newTasks(int count, AtomicLong counter) {
        long first = counter.getAndAdd(count) + 1;
        Batch batch = new Batch();
        for (long n = first; n < first + count; n++) {
            batch.create(task(n));
        }
        return batch;
    }

    /**
     * Task number {@code n} of one replicated service, as the orchestrator makes it (its {@code Tasks.create}):
     * new, desired running, with a copy of the service's task template. Its ID is {@code n} in base 36, padded
     * to swarmkit's 25 characters.
     */
    static Task task(long n) {
        String id = Long.toString(n, 36);
        Task t = new Task();
        t.id = "0".repeat(25 - id.length()) + id;
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

    /** A TCP port free on loopback just now (the store binds it a moment later). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}

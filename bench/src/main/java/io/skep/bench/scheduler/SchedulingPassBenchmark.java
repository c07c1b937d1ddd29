package io.skep.bench.scheduler;

import io.skep.api.model.Ids;
import io.skep.api.model.Node;
import io.skep.api.model.Service;
import io.skep.api.model.ServiceSpec;
import io.skep.api.model.Task;
import io.skep.api.model.TaskSpec;
import io.skep.api.model.TaskState;
import io.skep.core.manager.Manager;
import io.skep.core.reconcile.StoreWriter;
import io.skep.core.scheduler.Scheduler;
import io.skep.core.store.Batch;
import io.skep.core.store.CommitResult;
import io.skep.core.store.MemoryStore;
import io.skep.spi.scheduler.SchedulerStrategy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * One whole pass of the core's scheduler over a store holding {@code tasks} pending tasks of one new service and
 * {@code nodes} ready nodes: reading the store, the filter pipeline (readiness, resources with a reservation,
 * runtime, a constraint every node meets), the strategy, and the commit of every assignment — the batch encoded
 * as a Raft entry, decoded and applied to the in-memory store, as the leader does (the Raft log's own I/O is the
 * store scenario's). This is what swarmkit's {@code BenchmarkScheduler1kNodes100kTasks} times (about 6.2 s);
 * {@link SchedulerBenchmark} times the strategies alone.
 *
 * <p>Each measured pass starts from a new store (built before the pass, not timed): a pass changes it. Baseline:
 * the same pass with {@link LinearScanStrategy}, which rescans every node for every task.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class SchedulingPassBenchmark {

    @Param({"100000"})
    public int tasks;

    @Param({"1000"})
    public int nodes;

    private final SchedulerStrategy spread = SchedulerBenchmark.strategy("spread");
    private final SchedulerStrategy topology = SchedulerBenchmark.strategy("topology");
    private Writer store;

    /** The store without Raft: each batch goes through the Raft entry's encoding and is applied at the next index. */
    static final class Writer implements StoreWriter {
        private final MemoryStore memory = new MemoryStore();
        private long index;

        @Override
        public MemoryStore memory() {
            return memory;
        }

        /** In entries as the manager cuts them ({@link Manager#MAX_CHANGES_PER_ENTRY}, {@link Manager#MAX_ENTRY_BYTES}). */
        @Override
        public CommitResult commit(Batch batch) throws java.io.IOException {
            CommitResult last = new CommitResult(index, null);
            for (byte[] entry : batch.entries(Manager.MAX_CHANGES_PER_ENTRY, Manager.MAX_ENTRY_BYTES)) {
                last = memory.apply(Batch.decode(entry), ++index);
            }
            return last;
        }
    }

    @Setup(Level.Iteration)
    public void newStore(BenchmarkParams params) {
        store = swarm(nodes, tasks, params.getBenchmark().endsWith(".topology"));
        System.gc(); // the previous store and the building of this one are not the pass's garbage
    }

    @Benchmark
    public MemoryStore spread() throws Exception {
        return pass(spread);
    }

    /** With a two-level placement preference (3 zones, 20 racks); the spread inside each group, as on a node. */
    @Benchmark
    public MemoryStore topology() throws Exception {
        new Scheduler(store, List.of(topology, spread)).passNow();
        return store.memory();
    }

    @Benchmark
    public MemoryStore baseline() throws Exception {
        return pass(new LinearScanStrategy());
    }

    private MemoryStore pass(SchedulerStrategy strategy) throws Exception {
        new Scheduler(store, List.of(strategy)).passNow();
        return store.memory();
    }

    /**
     * {@code nodes} ready workers (2 CPUs, 8 GiB, zone and rack labels) and a service with {@code tasks} pending,
     * preferring a spread over zones then racks when {@code preferences}.
     */
    static Writer swarm(int nodes, int tasks, boolean preferences) {
        Writer w = new Writer();
        Batch batch = new Batch();
        for (int i = 0; i < nodes; i++) {
            Node n = new Node();
            n.id = "node-%06d".formatted(i);
            n.createdAt = Ids.now();
            n.spec.role = "worker";
            n.spec.availability = "active";
            n.spec.labels = Map.of("az", "az" + i % 3, "rack", "rack-" + i % 20, "pool", "general");
            n.status.state = "ready";
            n.description.hostname = "host-" + i;
            n.description.platform = new Node.Platform();
            n.description.platform.OS = "linux";
            n.description.platform.architecture = "x86_64";
            n.description.resources = new Node.Resources();
            n.description.resources.nanoCPUs = 2_000_000_000L;
            n.description.resources.memoryBytes = 8L << 30;
            n.description.engine = new Node.Engine();
            n.description.engine.plugins = List.of(new Node.PluginDescription(Node.RUNTIME_PLUGIN_TYPE, "process"));
            batch.create(n);
        }
        Service s = new Service();
        s.id = "service-1";
        s.spec = new ServiceSpec();
        s.spec.name = "web";
        s.spec.mode = new ServiceSpec.ServiceMode();
        s.spec.mode.replicated = new ServiceSpec.Replicated();
        s.spec.mode.replicated.replicas = (long) tasks;
        s.spec.taskTemplate = new TaskSpec();
        s.spec.taskTemplate.containerSpec = new TaskSpec.ContainerSpec();
        s.spec.taskTemplate.containerSpec.image = "host";
        s.spec.taskTemplate.placement = new TaskSpec.Placement();
        s.spec.taskTemplate.placement.constraints = List.of("node.labels.pool==general");
        if (preferences) {
            s.spec.taskTemplate.placement.preferences = List.of(spread("node.labels.az"), spread("node.labels.rack"));
        }
        s.spec.taskTemplate.resources = new TaskSpec.Resources();
        s.spec.taskTemplate.resources.reservations = new TaskSpec.Reservations();
        s.spec.taskTemplate.resources.reservations.memoryBytes = 16L << 20;
        s.specVersion = 1L;
        s.digestTemplate();
        batch.create(s);
        for (int slot = 1; slot <= tasks; slot++) {
            Task t = new Task();
            t.id = "task-%07d".formatted(slot);
            t.createdAt = s.createdAt;
            t.serviceId = s.id;
            t.slot = (long) slot;
            t.spec = s.spec.taskTemplate;
            t.runtime = "process";
            t.specVersion = s.specVersion;
            t.templateDigest = s.templateDigest;
            t.desiredState = TaskState.RUNNING.wire();
            t.status.state = TaskState.PENDING.wire();
            batch.create(t);
        }
        try {
            w.commit(batch);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e); // no object of the swarm built here is near an entry's limit
        }
        return w;
    }

    private static TaskSpec.Preference spread(String descriptor) {
        TaskSpec.Preference p = new TaskSpec.Preference();
        p.spread = new TaskSpec.Spread();
        p.spread.spreadDescriptor = descriptor;
        return p;
    }
}

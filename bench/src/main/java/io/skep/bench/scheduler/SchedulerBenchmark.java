package io.skep.bench.scheduler;

import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.SchedulerContext;
import io.skep.spi.scheduler.SchedulerStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
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

/**
 * Places one batch of {@code tasks} tasks of a new service on {@code nodes} in-memory candidate nodes, with the
 * {@code spread} plugin (found through {@link ServiceLoader}, as the core finds it), with the {@code topology}
 * plugin and a two-level placement preference, and with the
 * {@link LinearScanStrategy baseline} that rescans every node for every task. Swarmkit's own
 * {@code BenchmarkScheduler1kNodes10kTasks} is the model; unlike it, this measures the strategy alone (no
 * store, no filter pipeline, no object creation): see README.md.
 *
 * <p>The candidates are built once per trial: the strategy must not change them (they are immutable records).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class SchedulerBenchmark {

    @Param({"1000", "10000", "100000"})
    public int tasks;

    @Param({"1000"})
    public int nodes;

    private SchedulerStrategy spread;
    private SchedulerStrategy topology;
    private SchedulerStrategy baseline;
    private PlacementRequest request;
    private PlacementRequest preferring;
    private List<NodeCandidate> candidates;

    @Setup(Level.Trial)
    public void setUp() {
        spread = strategy("spread");
        topology = strategy("topology");
        baseline = new LinearScanStrategy();
        request = new PlacementRequest("service-1", tasks, List.of());
        preferring = new PlacementRequest("service-1", tasks, List.of("node.labels.az", "node.labels.rack"));
        candidates = candidates(nodes, 1);
        if (spread.place(request, candidates).size() != tasks
                || topology.place(preferring, candidates).size() != tasks) {
            throw new IllegalStateException("a strategy placed fewer than " + tasks + " tasks");
        }
    }

    @Benchmark
    public List<String> spread() {
        return spread.place(request, candidates);
    }

    /** A two-level preference (3 zones, 20 racks), the HA spread inside each of the 60 groups. */
    @Benchmark
    public List<String> topology() {
        return topology.place(preferring, candidates);
    }

    @Benchmark
    public List<String> baseline() {
        return baseline.place(request, candidates);
    }

    /**
     * The installed strategy named {@code name}, told of the others as a node tells it (topology places inside each
     * group with the spread); a clear error when there is none.
     */
    static SchedulerStrategy strategy(String name) {
        List<SchedulerStrategy> installed = ServiceLoader.load(SchedulerStrategy.class).stream()
                .map(ServiceLoader.Provider::get)
                .toList();
        installed.forEach(strategy -> strategy.init(new SchedulerContext(installed)));
        return installed.stream()
                .filter(strategy -> strategy.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("scheduler strategy '" + name
                        + "' is not installed (is skep-scheduler-spread on the class or module path?)"));
    }

    /**
     * {@code count} worker nodes with unlimited room, none running the service yet, each running 0-29 tasks of
     * other services, one in a hundred with the service failing on it 5-7 times; the same for the same seed.
     */
    static List<NodeCandidate> candidates(int count, long seed) {
        Random random = new Random(seed);
        String[] zones = {"az1", "az2", "az3"};
        List<NodeCandidate> candidates = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = "node-%06d".formatted(i);
            Map<String, String> attributes = Map.of(
                    "node.id",
                    id,
                    "node.hostname",
                    "host-" + i,
                    "node.role",
                    "worker",
                    "node.platform.os",
                    "linux",
                    "node.platform.arch",
                    "x86_64",
                    "node.labels.az",
                    zones[i % zones.length],
                    "node.labels.rack",
                    "rack-" + i % 20);
            int failures = random.nextInt(100) == 0 ? 5 + random.nextInt(3) : 0;
            candidates.add(new NodeCandidate(id, attributes, 0, random.nextInt(30), Integer.MAX_VALUE, failures));
        }
        return List.copyOf(candidates);
    }
}

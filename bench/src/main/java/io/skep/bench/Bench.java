package io.skep.bench;

import io.skep.bench.docker.EngineScenario;
import io.skep.bench.store.StoreBench;
import java.io.IOException;
import java.util.Arrays;
import java.util.Collection;
import org.openjdk.jmh.Main;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * The main class of {@code benchmarks.jar}: JMH's own command line (same arguments, same output), followed by
 * the {@link Ratios ratio} of each benchmark to the baseline measured in the same run. With {@value #STORE} as
 * its first argument, it runs the {@link StoreBench store scenario} instead, with the arguments that follow; with
 * {@value #DOCKER}, the {@link EngineScenario Docker engine scenario} (raw engine, Swarm mode and skep); with
 * {@value #CLUSTER}, the {@link io.skep.bench.cluster.ClusterScenario many-node scenario}; with {@value #SCALE}, the
 * {@link io.skep.bench.scale.ScaleScenario control-plane scale scenario} (a manager and a thousand simulated workers);
 * with {@value #FAULTS}, the {@link io.skep.bench.faults.FaultScenario fault-injection harness}; with {@value #FUZZ},
 * the {@link io.skep.bench.fuzz.FuzzScenario API fuzzer} (malformed and mutated requests to a live node's control API
 * and cluster port).
 */
public final class Bench {

    /** The first argument that runs the store scenario rather than JMH. */
    public static final String STORE = "store";

    /** The first argument that runs the Docker engine scenario rather than JMH. */
    public static final String DOCKER = "docker";

    /** The first argument that runs the many-node scenario (failover, worker loss) rather than JMH. */
    public static final String CLUSTER = "cluster";

    /** The first argument that runs the control-plane scale scenario rather than JMH. */
    public static final String SCALE = "scale";

    /** The first argument that runs the fault-injection harness rather than JMH. */
    public static final String FAULTS = "faults";

    /** The first argument that runs the API fuzzer rather than JMH. */
    public static final String FUZZ = "fuzz";

    private Bench() {}

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals(STORE)) {
            StoreBench.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals(CLUSTER)) {
            io.skep.bench.cluster.ClusterScenario.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals(SCALE)) {
            io.skep.bench.scale.ScaleScenario.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals(FAULTS)) {
            io.skep.bench.faults.FaultScenario.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals(FUZZ)) {
            io.skep.bench.fuzz.FuzzScenario.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("overlay")) { // io.skep.bench.overlay: VIP throughput, time to resolvable
            io.skep.bench.overlay.OverlayScenario.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("dns")) { // io.skep.bench.dns: skep's DNS server ÷ Docker's embedded DNS
            io.skep.bench.dns.DnsScenario.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals(DOCKER)) {
            EngineScenario.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        CommandLineOptions options;
        try {
            options = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("Error parsing command line:");
            System.err.println(" " + e.getMessage());
            System.exit(1);
            return;
        }
        if (options.shouldHelp()
                || options.shouldList()
                || options.shouldListWithParams()
                || options.shouldListProfilers()
                || options.shouldListResultFormats()) {
            Main.main(args);
            return;
        }
        Collection<RunResult> results;
        try {
            results = new Runner(options).run();
        } catch (NoBenchmarksException e) {
            System.err.println("No benchmarks to run; check the include/exclude regexps.");
            System.exit(1);
            return;
        } catch (RunnerException e) {
            System.err.print("ERROR: ");
            e.printStackTrace(System.err);
            System.exit(1);
            return;
        }
        System.out.println();
        System.out.print(Ratios.table(Ratios.compare(Ratios.rows(results))));
    }
}

package io.skep.bench.store;

import io.skep.bench.FileTrees;
import io.skep.bench.Ratios;
import io.skep.bench.TextTable;
import io.skep.bench.store.WriteLoad.Result;
import io.skep.bench.store.WriteLoad.Workload;
import io.skep.core.store.RaftStore;
import org.openjdk.jmh.util.ListStatistics;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Committed object writes per second through the store, batched and unbatched: a scenario driver rather than a
 * JMH benchmark, because what it measures is a server with a lifecycle (see README.md).
 *
 * <p>It starts one single-peer {@link RaftStore} (Ratis over gRPC on a free loopback port, its log in a new
 * temporary directory, deleted after), then runs the {@link #WORKLOADS} in interleaved rounds on it: warm-up
 * rounds, then measured rounds, each round running every workload once for the same time, in an order that
 * rotates from round to round, each run starting from an empty store (what a run wrote is deleted after it,
 * untimed). Interleaving puts every workload under the same JIT state and background load, so that the ratios to
 * the {@value Ratios#BASELINE} (unbatched, one entry after another) are measured in the same run. Results go
 * through {@link Ratios}, as the JMH benchmarks' do.
 */
public final class StoreBench {

    /** The workloads, the baseline first: every other one is reported as a ratio to it. */
    static final List<Workload> WORKLOADS = List.of(
            new Workload(Ratios.BASELINE, 1, 1),
            new Workload("unbatched32InFlight", 1, 32),
            new Workload("batched100", 100, 1),
            new Workload("batched500", 500, 1));

    /** The longest one commit, or the store's start, may take before the run fails. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Snapshot interval when none is asked for: more entries than any run writes, so no snapshot is taken. */
    static final long NO_SNAPSHOTS = 1_000_000_000L;

    static final String USAGE = """
            usage: java -jar benchmarks.jar store [--rounds=N] [--warmup-rounds=N] [--round=SECONDS] [--dir=PATH]
                                                  [--snapshot-interval=ENTRIES] [--members=N]
              --rounds=N                   measured rounds (default 5)
              --warmup-rounds=N            unmeasured rounds first (default 6)
              --round=SECONDS              how long each workload runs in a round (default 1)
              --dir=PATH                   where the Raft log's temporary directory goes (default java.io.tmpdir)
              --snapshot-interval=ENTRIES  let the server snapshot every ENTRIES entries (default: never)
              --members=N                  the group's members, in this process, over gRPC with mutual TLS as
                                           managers' are (default 1: one member, no TLS)
            Every round runs each workload once: %s.
            """.formatted(String.join(", ", WORKLOADS.stream().map(Workload::name).toList()));

    private StoreBench() {
    }

    /** The command line. */
    record Options(int rounds, int warmupRounds, Duration round, Path dir, long snapshotInterval, int members) {

        static Options parse(String... args) {
            int rounds = 5;
            int warmupRounds = 6;
            Duration round = Duration.ofSeconds(1);
            Path dir = Path.of(System.getProperty("java.io.tmpdir"));
            long snapshotInterval = NO_SNAPSHOTS;
            int members = 1;
            for (String arg : args) {
                int eq = arg.indexOf('=');
                String name = eq < 0 ? arg : arg.substring(0, eq);
                String value = eq < 0 ? null : arg.substring(eq + 1);
                if (value == null || value.isEmpty()) {
                    throw new IllegalArgumentException(arg.equals("--help") || arg.equals("-h") ? ""
                            : "expected --name=value, got '" + arg + "'");
                }
                try {
                    switch (name) {
                        case "--rounds" -> rounds = atLeast(1, Integer.parseInt(value), name);
                        case "--warmup-rounds" -> warmupRounds = atLeast(0, Integer.parseInt(value), name);
                        case "--round" -> round = Duration.ofMillis(atLeast(1,
                                Math.round(Double.parseDouble(value) * 1000), name));
                        case "--dir" -> dir = Path.of(value);
                        case "--snapshot-interval" -> snapshotInterval = atLeast(1, Long.parseLong(value), name);
                        case "--members" -> members = atLeast(1, Integer.parseInt(value), name);
                        default -> throw new IllegalArgumentException("unknown option '" + name + "'");
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(name + ": not a number: '" + value + "'");
                }
            }
            return new Options(rounds, warmupRounds, round, dir, snapshotInterval, members);
        }

        private static <N extends Number & Comparable<N>> N atLeast(long min, N value, String name) {
            if (value.longValue() < min) {
                throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
            }
            return value;
        }
    }

    public static void main(String[] args) {
        io.skep.bench.Driver.main(args, USAGE, Options::parse, (options, out) -> {
            run(options, out);
            return 0;
        });
    }

    /** Starts the store, runs the rounds, prints the results, and removes the store. */
    static void run(Options options, PrintStream out) throws Exception {
        // Ratis logs every election and log segment at INFO (through slf4j-jdk14): keep warnings only.
        Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        Files.createDirectories(options.dir());
        Path dir = Files.createTempDirectory(options.dir(), "skep-store-bench");
        List<RaftStore> group = new ArrayList<>();
        AtomicBoolean removed = new AtomicBoolean();
        Thread[] hook = new Thread[1];
        try {
            hook[0] = new Thread(() -> remove(group, dir, removed), "store-bench-cleanup");
            Runtime.getRuntime().addShutdownHook(hook[0]);
            RaftStore leader = startGroup(options, dir, group);

            out.printf("Store writes: new tasks committed and applied through %s"
                    + " (log in %s, snapshots %s).%n", options.members() == 1
                            ? "a single-peer Ratis group (gRPC on loopback)"
                            : "a " + options.members() + "-member Ratis group in this process (gRPC on loopback, "
                            + "mutual TLS with managers' certificates)", dir,
                    options.snapshotInterval() == NO_SNAPSHOTS ? "off"
                            : "every " + options.snapshotInterval() + " entries");
            out.printf("%d warm-up and %d measured rounds; each runs every workload for %s s, in rotating order.%n%n",
                    options.warmupRounds(), options.rounds(), seconds(options.round()));

            WriteLoad load = new WriteLoad(leader::submit, () -> leader.memory().tasks().size(), TIMEOUT);
            Map<String, List<Result>> results = rounds(load, options, out);
            out.println();
            out.print(report(results, load.tasksWritten()));
        } finally {
            remove(group, dir, removed);
            if (hook[0] != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook[0]);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or has run: nothing left to do
                }
            }
        }
    }

    /**
     * Starts the group: one member without TLS, or {@code members} with managers' certificates of a CA made for the
     * run, the others added by the first, as managers join. Returns the leader, which takes the writes.
     */
    static RaftStore startGroup(Options options, Path dir, List<RaftStore> group) throws Exception {
        UUID id = UUID.randomUUID();
        if (options.members() == 1) {
            RaftStore store = new RaftStore(dir.resolve("raft"), "bench1", id, freePort(), true, options.snapshotInterval(),
                    io.skep.core.store.DataKey.generate());
            group.add(store);
            store.awaitLeader(TIMEOUT);
            return store;
        }
        java.security.SecureRandom random = new java.security.SecureRandom();
        io.skep.core.pki.RootCa ca = io.skep.core.pki.RootCa.create(random, java.time.Instant.now());
        RaftStore first = null;
        io.skep.core.store.DataKey dataKey = io.skep.core.store.DataKey.generate(); // the swarm's, as managers share it
        for (int i = 1; i <= options.members(); i++) {
            String name = "bench" + i;
            io.skep.core.tls.NodeTls tls = new io.skep.core.tls.NodeTls(ca.issue(name, io.skep.core.pki.NodeRole.MANAGER,
                    "bench", Duration.ofDays(1), random, java.time.Instant.now()), ca.certificate());
            RaftStore.Tls raftTls = new RaftStore.Tls(tls.keyManager(), tls.managersOnly());
            RaftStore.Member member = new RaftStore.Member(name, "127.0.0.1:" + freePort());
            Path raft = dir.resolve("raft" + i);
            RaftStore store = first == null
                    ? RaftStore.create(raft, member, id, "127.0.0.1", options.snapshotInterval(), raftTls, dataKey)
                    : RaftStore.join(raft, member, id, "127.0.0.1", options.snapshotInterval(), raftTls, dataKey);
            group.add(store);
            if (first == null) {
                first = store;
                first.awaitLeader(TIMEOUT);
            } else {
                first.addMember(member);
            }
        }
        return first;
    }

    /** Runs the warm-up and measured rounds; returns each workload's measured results, in round order. */
    static Map<String, List<Result>> rounds(WriteLoad load, Options options, PrintStream out) throws Exception {
        Map<String, List<Result>> results = new LinkedHashMap<>();
        WORKLOADS.forEach(w -> results.put(w.name(), new ArrayList<>()));
        int total = options.warmupRounds() + options.rounds();
        for (int r = 0; r < total; r++) {
            boolean warmup = r < options.warmupRounds();
            StringBuilder line = new StringBuilder(warmup
                    ? "warm-up %d/%d:".formatted(r + 1, options.warmupRounds())
                    : "round %d/%d:".formatted(r - options.warmupRounds() + 1, options.rounds()));
            for (Workload workload : rotated(WORKLOADS, r)) {
                Result result = load.run(workload, options.round());
                load.clear(); // untimed: the next run starts from an empty store too
                if (!warmup) {
                    results.get(workload.name()).add(result);
                }
                line.append("  ").append(workload.name()).append(' ')
                        .append(Ratios.round(result.objectsPerSecond())).append(" objects/s");
            }
            out.println(line);
        }
        return results;
    }

    /** {@code list} rotated left by {@code by}. */
    static <T> List<T> rotated(List<T> list, int by) {
        List<T> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(list.get((i + by) % list.size()));
        }
        return out;
    }

    /**
     * The results: objects and entries per second (mean ± half the 99.9 % confidence interval over the rounds, as
     * JMH reports a score), the {@link Ratios} table, and each workload over the baseline of the same round.
     */
    static String report(Map<String, List<Result>> results, long tasksWritten) {
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"Workload", "Objects/entry", "In flight", "Objects/s", "Entries/s"});
        List<Ratios.Row> rows = new ArrayList<>();
        for (Workload workload : WORKLOADS) {
            List<Result> list = results.get(workload.name());
            ListStatistics objects = statistics(list, Result::objectsPerSecond);
            ListStatistics entries = statistics(list, Result::entriesPerSecond);
            lines.add(new String[] {workload.name(), Integer.toString(workload.objectsPerEntry()),
                Integer.toString(workload.inFlight()), withError(objects), withError(entries)});
            rows.add(new Ratios.Row(StoreBench.class.getName() + "." + workload.name(), Map.of(), "thrpt",
                    objects.getMean(), error(objects), "objects/s"));
        }
        int rounds = rounds(results);
        StringBuilder out = new StringBuilder("Committed writes (mean ± 99.9% CI over " + rounds
                + (rounds == 1 ? " round; " : " rounds; ") + tasksWritten
                + " tasks written in all, warm-up included):\n");
        out.append(TextTable.columns(lines, 1));
        out.append('\n').append(Ratios.table(Ratios.compare(rows)));

        List<String[]> paired = new ArrayList<>();
        paired.add(new String[] {"Workload", "Median", "Min", "Max"});
        List<Result> baseline = results.get(Ratios.BASELINE);
        for (Workload workload : WORKLOADS.subList(1, WORKLOADS.size())) {
            List<Result> list = results.get(workload.name());
            ListStatistics ratios = new ListStatistics();
            for (int i = 0; i < list.size(); i++) {
                ratios.addValue(list.get(i).objectsPerSecond() / baseline.get(i).objectsPerSecond());
            }
            paired.add(new String[] {workload.name(), Ratios.round(ratios.getPercentile(50)) + "x",
                Ratios.round(ratios.getMin()) + "x", Ratios.round(ratios.getMax()) + "x"});
        }
        out.append("\nSpeed-up within each round (objects/s over the baseline's in the same round):\n");
        out.append(TextTable.columns(paired, 1));
        return out.toString();
    }

    private static int rounds(Map<String, List<Result>> results) {
        return results.values().iterator().next().size();
    }

    private static ListStatistics statistics(List<Result> results,
                                             java.util.function.ToDoubleFunction<Result> value) {
        ListStatistics statistics = new ListStatistics();
        results.forEach(r -> statistics.addValue(value.applyAsDouble(r)));
        return statistics;
    }

    /** Half the 99.9 % confidence interval, as JMH's score error; NaN from a single round. */
    private static double error(ListStatistics statistics) {
        return statistics.getN() > 1 ? statistics.getMeanErrorAt(0.999) : Double.NaN;
    }

    private static String withError(ListStatistics statistics) {
        double error = error(statistics);
        return Ratios.round(statistics.getMean()) + (Double.isFinite(error) ? " ± " + Ratios.round(error) : "");
    }

    private static String seconds(Duration duration) {
        return Ratios.round(duration.toMillis() / 1000.0);
    }

    /** A TCP port free on loopback just now (the store binds it a moment later). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Closes the store and deletes its directory, once (from the end of the run or the shutdown hook). */
    private static void remove(List<RaftStore> group, Path dir, AtomicBoolean removed) {
        if (!removed.compareAndSet(false, true)) {
            return;
        }
        try {
            for (RaftStore store : List.copyOf(group)) {
                try {
                    store.close();
                } catch (IOException e) {
                    System.err.println("WARNING: could not close a store: " + e);
                }
            }
        } finally {
            try {
                FileTrees.deleteRecursively(dir);
            } catch (IOException e) {
                System.err.println("WARNING: could not delete " + dir + ": " + e);
            }
        }
    }
}

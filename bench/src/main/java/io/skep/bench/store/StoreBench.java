package io.skep.bench.store;

import io.skep.bench.FileTrees;
import io.skep.bench.Ratios;
import io.skep.bench.TextTable;
import io.skep.bench.store.WriteLoad.Result;
import io.skep.bench.store.WriteLoad.Workload;
import io.skep.core.store.DataKey;
import io.skep.core.store.RaftStore;
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
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import org.openjdk.jmh.util.ListStatistics;

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
 *
 * <p>The store seals its entries with a {@link DataKey}, as every manager's does. With {@code --compare-encryption}
 * it starts a second group beside the first, the same but with its entries in the clear, and runs each workload on
 * both, one after the other in every round, to report what sealing costs: each workload's objects/s sealed over its
 * objects/s in the clear in the same round.
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

    /** The group whose members seal their entries with a data key, as managers do; the only one by default. */
    static final String SEALED = "sealed";

    /** The group whose entries are in the clear, beside the sealed one with {@code --compare-encryption}. */
    static final String CLEAR = "clear";

    static final String USAGE = """
            usage: java -jar benchmarks.jar store [--rounds=N] [--warmup-rounds=N] [--round=SECONDS] [--dir=PATH]
                                                  [--snapshot-interval=ENTRIES] [--members=N] [--compare-encryption]
              --rounds=N                   measured rounds (default 5)
              --warmup-rounds=N            unmeasured rounds first (default 6)
              --round=SECONDS              how long each workload runs in a round (default 1)
              --dir=PATH                   where the Raft log's temporary directory goes (default java.io.tmpdir)
              --snapshot-interval=ENTRIES  let the server snapshot every ENTRIES entries (default: never)
              --members=N                  the group's members, in this process, over gRPC with mutual TLS as
                                           managers' are (default 1: one member, no TLS)
              --compare-encryption         also start a group with entries in the clear, and run every workload on
                                           both groups in each round (default: one group, entries sealed with a
                                           data key, AES-256-GCM, as managers seal them)
            Every round runs each workload once (on each group): %s.
            """.formatted(
                    String.join(", ", WORKLOADS.stream().map(Workload::name).toList()));

    private StoreBench() {}

    /** The command line. */
    record Options(
            int rounds,
            int warmupRounds,
            Duration round,
            Path dir,
            long snapshotInterval,
            int members,
            boolean compareEncryption) {

        static Options parse(String... args) {
            int rounds = 5;
            int warmupRounds = 6;
            Duration round = Duration.ofSeconds(1);
            Path dir = Path.of(System.getProperty("java.io.tmpdir"));
            long snapshotInterval = NO_SNAPSHOTS;
            int members = 1;
            boolean compareEncryption = false;
            for (String arg : args) {
                if (arg.equals("--compare-encryption")) { // the one option without a value
                    compareEncryption = true;
                    continue;
                }
                int eq = arg.indexOf('=');
                String name = eq < 0 ? arg : arg.substring(0, eq);
                String value = eq < 0 ? null : arg.substring(eq + 1);
                if (value == null || value.isEmpty()) {
                    throw new IllegalArgumentException(
                            arg.equals("--help") || arg.equals("-h") ? "" : "expected --name=value, got '" + arg + "'");
                }
                try {
                    switch (name) {
                        case "--rounds" -> rounds = atLeast(1, Integer.parseInt(value), name);
                        case "--warmup-rounds" -> warmupRounds = atLeast(0, Integer.parseInt(value), name);
                        case "--round" ->
                            round = Duration.ofMillis(atLeast(1, Math.round(Double.parseDouble(value) * 1000), name));
                        case "--dir" -> dir = Path.of(value);
                        case "--snapshot-interval" -> snapshotInterval = atLeast(1, Long.parseLong(value), name);
                        case "--members" -> members = atLeast(1, Integer.parseInt(value), name);
                        default -> throw new IllegalArgumentException("unknown option '" + name + "'");
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(name + ": not a number: '" + value + "'");
                }
            }
            return new Options(rounds, warmupRounds, round, dir, snapshotInterval, members, compareEncryption);
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

    /**
     * A group the rounds write to: its name ({@value #SEALED} or {@value #CLEAR}), the member that takes the writes
     * (it leads from the start), and the load on it.
     */
    record Group(String name, RaftStore writer, WriteLoad load) {}

    /** Starts the group (or both), runs the rounds, prints the results, and removes the groups. */
    static void run(Options options, PrintStream out) throws Exception {
        // Ratis logs every election and log segment at INFO (through slf4j-jdk14): keep warnings only.
        Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        Files.createDirectories(options.dir());
        Path dir = Files.createTempDirectory(options.dir(), "skep-store-bench");
        List<RaftStore> stores = new ArrayList<>(); // every member of every group, to close
        AtomicBoolean removed = new AtomicBoolean();
        Thread[] hook = new Thread[1];
        try {
            hook[0] = new Thread(() -> remove(stores, dir, removed), "store-bench-cleanup");
            Runtime.getRuntime().addShutdownHook(hook[0]);
            List<Group> groups = new ArrayList<>();
            if (options.compareEncryption()) {
                groups.add(start(SEALED, DataKey.generate(), options, dir.resolve(SEALED), stores));
                groups.add(start(CLEAR, null, options, dir.resolve(CLEAR), stores));
            } else {
                groups.add(start(SEALED, DataKey.generate(), options, dir, stores));
            }

            String size = options.members() == 1 ? "single-peer" : options.members() + "-member";
            String how = options.members() == 1
                    ? " (gRPC on loopback)"
                    : " in this process (gRPC on loopback, mutual TLS with managers' certificates)";
            out.printf(
                    "Store writes: new tasks committed and applied through %s (log in %s, snapshots %s).%n",
                    options.compareEncryption()
                            ? "two " + size + " Ratis groups" + how + ", alike but for their entries: sealed with an"
                                    + " AES-256-GCM data key in one, in the clear in the other"
                            : "a " + size + " Ratis group" + how + ", its entries sealed with an AES-256-GCM data key",
                    dir,
                    options.snapshotInterval() == NO_SNAPSHOTS
                            ? "off"
                            : "every " + options.snapshotInterval() + " entries");
            out.printf(
                    "%d warm-up and %d measured rounds; each runs every workload for %s s, in rotating order%s.%n%n",
                    options.warmupRounds(),
                    options.rounds(),
                    seconds(options.round()),
                    options.compareEncryption()
                            ? ", on one group then the other (the first alternating from round to round)"
                            : "");

            Map<String, Map<String, List<Result>>> results = rounds(groups, options, out);
            long tasksWritten =
                    groups.stream().mapToLong(g -> g.load().tasksWritten()).sum();
            out.println();
            out.print(
                    options.compareEncryption()
                            ? comparison(results.get(SEALED), results.get(CLEAR), tasksWritten)
                            : report(results.get(SEALED), tasksWritten));
        } finally {
            remove(stores, dir, removed);
            if (hook[0] != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook[0]);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or has run: nothing left to do
                }
            }
        }
    }

    /** Starts a group in {@code dir} whose members share {@code dataKey} (null: in the clear), and its load. */
    private static Group start(String name, DataKey dataKey, Options options, Path dir, List<RaftStore> stores)
            throws Exception {
        RaftStore leader = startGroup(options, dir, dataKey, stores);
        return new Group(
                name,
                leader,
                new WriteLoad(leader::submit, () -> leader.memory().tasks().size(), TIMEOUT));
    }

    /**
     * Starts a group: one member without TLS, or {@code members} with managers' certificates of a CA made for the
     * run, the others added by the first, as managers join. Every member seals its entries with {@code dataKey}, the
     * swarm's, as managers share it (null: entries in the clear). Each member started is added to {@code stores}.
     * Returns the leader, which takes the writes.
     */
    static RaftStore startGroup(Options options, Path dir, DataKey dataKey, List<RaftStore> stores) throws Exception {
        UUID id = UUID.randomUUID();
        if (options.members() == 1) {
            RaftStore store = new RaftStore(
                    dir.resolve("raft"), "bench1", id, freePort(), true, options.snapshotInterval(), dataKey);
            stores.add(store);
            store.awaitLeader(TIMEOUT);
            return store;
        }
        java.security.SecureRandom random = new java.security.SecureRandom();
        io.skep.core.pki.RootCa ca = io.skep.core.pki.RootCa.create(random, java.time.Instant.now());
        RaftStore first = null;
        for (int i = 1; i <= options.members(); i++) {
            String name = "bench" + i;
            io.skep.core.tls.NodeTls tls = new io.skep.core.tls.NodeTls(
                    ca.issue(
                            name,
                            io.skep.core.pki.NodeRole.MANAGER,
                            "bench",
                            Duration.ofDays(1),
                            random,
                            java.time.Instant.now()),
                    ca.certificate());
            RaftStore.Tls raftTls = new RaftStore.Tls(tls.keyManager(), tls.managersOnly());
            RaftStore.Member member = new RaftStore.Member(name, "127.0.0.1:" + freePort());
            Path raft = dir.resolve("raft" + i);
            RaftStore store = first == null
                    ? RaftStore.create(raft, member, id, "127.0.0.1", options.snapshotInterval(), raftTls, dataKey)
                    : RaftStore.join(raft, member, id, "127.0.0.1", options.snapshotInterval(), raftTls, dataKey);
            stores.add(store);
            if (first == null) {
                first = store;
                first.awaitLeader(TIMEOUT);
            } else {
                first.addMember(member);
            }
        }
        return first;
    }

    /**
     * Runs the warm-up and measured rounds. In each, every workload runs once on every group, on one group right
     * after the other, in an order that rotates from round to round too (with two groups, each goes first every other
     * round). Returns, by group name, each workload's measured results, in round order.
     */
    static Map<String, Map<String, List<Result>>> rounds(List<Group> groups, Options options, PrintStream out)
            throws Exception {
        Map<String, Map<String, List<Result>>> results = new LinkedHashMap<>();
        for (Group group : groups) {
            Map<String, List<Result>> byWorkload = new LinkedHashMap<>();
            WORKLOADS.forEach(w -> byWorkload.put(w.name(), new ArrayList<>()));
            results.put(group.name(), byWorkload);
        }
        int total = options.warmupRounds() + options.rounds();
        for (int r = 0; r < total; r++) {
            boolean warmup = r < options.warmupRounds();
            StringBuilder line = new StringBuilder(
                    warmup
                            ? "warm-up %d/%d:".formatted(r + 1, options.warmupRounds())
                            : "round %d/%d:".formatted(r - options.warmupRounds() + 1, options.rounds()));
            for (Workload workload : rotated(WORKLOADS, r)) {
                line.append("  ").append(workload.name());
                for (Group group : rotated(groups, r)) {
                    Result result = group.load().run(workload, options.round());
                    group.load().clear(); // untimed: the next run starts from an empty store too
                    if (!warmup) {
                        results.get(group.name()).get(workload.name()).add(result);
                    }
                    line.append(groups.size() == 1 ? "" : " " + group.name())
                            .append(' ')
                            .append(Ratios.round(result.objectsPerSecond()));
                    if (!group.writer().isLeader()) {
                        takeLeadershipBack(group.writer());
                        line.append(" (leader moved, taken back)");
                    }
                }
                line.append(" objects/s");
            }
            out.println(line);
        }
        return results;
    }

    /**
     * Makes {@code writer} the leader again after an election moved leadership to another member (a pause of the
     * process longer than the election timeout, as on a loaded machine), so that writes do not go on through the
     * slower forwarding path for the rest of the run.
     */
    static void takeLeadershipBack(RaftStore writer) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!writer.isLeader()) {
            if (System.nanoTime() - deadline > 0) {
                throw new TimeoutException(writer.self().id() + " did not lead again within " + TIMEOUT);
            }
            try {
                writer.transferLeadership(writer.self().id(), TIMEOUT);
            } catch (IOException electionUnderWay) {
                Thread.sleep(100); // and ask again
            }
        }
        writer.awaitLeader(TIMEOUT); // and has applied what the other leader committed
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
            lines.add(new String[] {
                workload.name(),
                Integer.toString(workload.objectsPerEntry()),
                Integer.toString(workload.inFlight()),
                withError(objects),
                withError(entries)
            });
            rows.add(new Ratios.Row(
                    StoreBench.class.getName() + "." + workload.name(),
                    Map.of(),
                    "thrpt",
                    objects.getMean(),
                    error(objects),
                    "objects/s"));
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
            paired.add(new String[] {
                workload.name(),
                Ratios.round(ratios.getPercentile(50)) + "x",
                Ratios.round(ratios.getMin()) + "x",
                Ratios.round(ratios.getMax()) + "x"
            });
        }
        out.append("\nSpeed-up within each round (objects/s over the baseline's in the same round):\n");
        out.append(TextTable.columns(paired, 1));
        return out.toString();
    }

    /**
     * The comparison of the sealed group with the one in the clear: each workload's objects/s in both (mean ± half
     * the 99.9 % confidence interval over the rounds), the {@link Ratios} table with the clear group as the baseline
     * (the ratio of the means), and each workload's objects/s sealed over in the clear in the same round.
     */
    static String comparison(Map<String, List<Result>> sealed, Map<String, List<Result>> clear, long tasksWritten) {
        List<String[]> lines = new ArrayList<>();
        lines.add(new String[] {"Workload", "Objects/entry", "In flight", "Sealed objects/s", "Clear objects/s"});
        List<Ratios.Row> rows = new ArrayList<>();
        for (Workload workload : WORKLOADS) {
            ListStatistics sealedObjects = statistics(sealed.get(workload.name()), Result::objectsPerSecond);
            ListStatistics clearObjects = statistics(clear.get(workload.name()), Result::objectsPerSecond);
            lines.add(new String[] {
                workload.name(),
                Integer.toString(workload.objectsPerEntry()),
                Integer.toString(workload.inFlight()),
                withError(sealedObjects),
                withError(clearObjects)
            });
            // Ratios pairs a row with the baseline method of its class and parameters: here the workload is the
            // parameter, and the group in the clear the baseline.
            Map<String, String> params = Map.of("workload", workload.name());
            rows.add(new Ratios.Row(
                    StoreBench.class.getName() + "." + Ratios.BASELINE,
                    params,
                    "thrpt",
                    clearObjects.getMean(),
                    error(clearObjects),
                    "objects/s"));
            rows.add(new Ratios.Row(
                    StoreBench.class.getName() + "." + SEALED,
                    params,
                    "thrpt",
                    sealedObjects.getMean(),
                    error(sealedObjects),
                    "objects/s"));
        }
        int rounds = rounds(sealed);
        StringBuilder out = new StringBuilder("Committed writes, entries sealed and in the clear (mean ± 99.9% CI"
                + " over " + rounds + (rounds == 1 ? " round; " : " rounds; ") + tasksWritten
                + " tasks written in all, warm-up included):\n");
        out.append(TextTable.columns(lines, 1));
        out.append("\nThe baseline here is the same workload in the clear; Speed-up is sealed over clear:\n");
        out.append(Ratios.table(Ratios.compare(rows)));

        List<String[]> paired = new ArrayList<>();
        paired.add(new String[] {"Workload", "Median", "Min", "Max"});
        for (Workload workload : WORKLOADS) {
            List<Result> sealedList = sealed.get(workload.name());
            List<Result> clearList = clear.get(workload.name());
            ListStatistics ratios = new ListStatistics();
            for (int i = 0; i < sealedList.size(); i++) {
                ratios.addValue(
                        sealedList.get(i).objectsPerSecond() / clearList.get(i).objectsPerSecond());
            }
            paired.add(new String[] {
                workload.name(),
                Ratios.round(ratios.getPercentile(50)) + "x",
                Ratios.round(ratios.getMin()) + "x",
                Ratios.round(ratios.getMax()) + "x"
            });
        }
        out.append("\nSealed ÷ clear within each round (objects/s sealed over in the clear, same workload):\n");
        out.append(TextTable.columns(paired, 1));
        return out.toString();
    }

    private static int rounds(Map<String, List<Result>> results) {
        return results.values().iterator().next().size();
    }

    private static ListStatistics statistics(List<Result> results, java.util.function.ToDoubleFunction<Result> value) {
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

    /** Closes the stores and deletes their directory, once (from the end of the run or the shutdown hook). */
    private static void remove(List<RaftStore> stores, Path dir, AtomicBoolean removed) {
        if (!removed.compareAndSet(false, true)) {
            return;
        }
        try {
            for (RaftStore store : List.copyOf(stores)) {
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

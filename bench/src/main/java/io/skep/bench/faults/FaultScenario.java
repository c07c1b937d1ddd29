package io.skep.bench.faults;

import io.skep.bench.FileTrees;
import io.skep.bench.faults.Nemesis.Kind;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The fault-injection harness ({@code benchmarks.jar faults}): a swarm of manager processes of the image, each in
 * its own network namespace; clients writing through every manager; a {@link Nemesis} injecting one fault at a
 * time; and after each heal, a check of the whole history and of the swarm: every acknowledged write present and
 * in order, the managers agreeing, every service at exactly its replica count, and every manager taking writes
 * again within a bound. The run stops at the first check that fails, and keeps the nodes' homes (logs, data).
 */
public final class FaultScenario {
    /** Every kind of fault, by its name on the command line. */
    static final Map<String, Kind> KINDS = Map.of(
            "kill",
            Kind.KILL,
            "pause",
            Kind.PAUSE,
            "minority",
            Kind.MINORITY,
            "leader",
            Kind.ISOLATED_LEADER,
            "bridge",
            Kind.BRIDGE);
    /** Replicas of each service the clients create: a task each, so that creates load the swarm but little. */
    private static final int CREATE_REPLICAS = 1;

    static final String USAGE = """
            usage: java -jar benchmarks.jar faults [--managers=N] [--faults=N] [--kinds=K,...] [--hold=MS] [--clients=N]
                                                   [--services=N] [--replicas=N] [--creates=N] [--think=MS] [--timeout=S]
                                                   [--write-bound=S] [--settle-bound=S] [--seed=N] [--skep=PATH]
                                                   [--dir=PATH] [--daemon-opts=OPTIONS] [--keep-going]
              Needs root, ip netns and nft: each manager runs in a network namespace of its own (198.18.0.0/15).
              --managers=N      manager processes (default 3; 5 for two faulty managers' worth of quorum)
              --faults=N        faults injected, the kinds in turn, shuffled per turn (default 100)
              --kinds=K,...     which kinds: kill (kill -9, restart), pause (SIGSTOP, SIGCONT), minority
                                (majority/minority split), leader (isolated leader), bridge (bridge split)
                                (default all)
              --hold=MS         how long a fault lasts, on average: each is held 0.5x to 1.5x this (default 3000)
              --clients=N       writing clients on each manager (default 2)
              --services=N      services updated with version checks (default 3)
              --replicas=N      replicas of each of them (default 3)
              --creates=N       services created by the clients during each fault, 1 replica each (default 2)
              --think=MS        a client's pause between two writes (default 50)
              --timeout=S       how long a write may take before it counts as indeterminate (default 10)
              --write-bound=S   after a heal, every manager must take a write within this (default 30)
              --settle-bound=S  after a heal, the managers must agree and every service run exactly its replicas
                                within this (default 90)
              --seed=N          the nemesis's random seed (default: a random one, printed)
              --skep=PATH       skep's bin/skep (default distribution/target/skep/bin/skep, looked for from here up)
              --dir=PATH        where the nodes' homes go (default java.io.tmpdir); kept when the run fails
              --daemon-opts=O   the daemons' JVM options (JDK_JAVA_OPTIONS) (default -Xmx384m)
              --keep-going      go on after a failed check (each check then reports what is new), to see how
                                often and how a fault breaks the swarm; the run still fails
            """;

    private FaultScenario() {}

    record Options(
            int managers,
            int faults,
            List<Kind> kinds,
            Duration hold,
            int clients,
            int services,
            int replicas,
            int creates,
            Duration think,
            Duration timeout,
            Duration writeBound,
            Duration settleBound,
            long seed,
            Path skep,
            Path dir,
            String daemonOpts,
            boolean keepGoing) {

        static Options parse(String... args) {
            int managers = 3;
            int faults = 100;
            List<Kind> kinds = List.of(Kind.values());
            Duration hold = Duration.ofMillis(3000);
            int clients = 2;
            int services = 3;
            int replicas = 3;
            int creates = 2;
            Duration think = Duration.ofMillis(50);
            Duration timeout = Duration.ofSeconds(10);
            Duration writeBound = Duration.ofSeconds(30);
            Duration settleBound = Duration.ofSeconds(90);
            long seed = new Random().nextLong();
            Path skep = null;
            Path dir = Path.of(System.getProperty("java.io.tmpdir"));
            String daemonOpts = "-Xmx384m";
            boolean keepGoing = false;
            for (String arg : args) {
                if (arg.equals("--keep-going")) {
                    keepGoing = true;
                    continue;
                }
                int eq = arg.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException(
                            arg.equals("--help") || arg.equals("-h") ? "" : "expected --name=value, got '" + arg + "'");
                }
                String name = arg.substring(0, eq);
                String value = arg.substring(eq + 1);
                switch (name) {
                    case "--managers" -> {
                        managers = (int) io.skep.bench.ScenarioArgs.whole(name, value, 3);
                        if (managers % 2 == 0) {
                            throw new IllegalArgumentException("--managers: an odd number, got " + managers);
                        }
                    }
                    case "--faults" -> faults = (int) io.skep.bench.ScenarioArgs.whole(name, value, 0);
                    case "--kinds" -> kinds = kinds(value);
                    case "--hold" -> hold = Duration.ofMillis((int) io.skep.bench.ScenarioArgs.whole(name, value, 1));
                    case "--clients" -> clients = (int) io.skep.bench.ScenarioArgs.whole(name, value, 1);
                    case "--services" -> services = (int) io.skep.bench.ScenarioArgs.whole(name, value, 1);
                    case "--replicas" -> replicas = (int) io.skep.bench.ScenarioArgs.whole(name, value, 0);
                    case "--creates" -> creates = (int) io.skep.bench.ScenarioArgs.whole(name, value, 0);
                    case "--think" -> think = Duration.ofMillis((int) io.skep.bench.ScenarioArgs.whole(name, value, 0));
                    case "--timeout" ->
                        timeout = Duration.ofSeconds((int) io.skep.bench.ScenarioArgs.whole(name, value, 1));
                    case "--write-bound" ->
                        writeBound = Duration.ofSeconds((int) io.skep.bench.ScenarioArgs.whole(name, value, 1));
                    case "--settle-bound" ->
                        settleBound = Duration.ofSeconds((int) io.skep.bench.ScenarioArgs.whole(name, value, 1));
                    case "--seed" -> {
                        try {
                            seed = Long.parseLong(value);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--seed: not a number: '" + value + "'");
                        }
                    }
                    case "--skep" -> skep = Path.of(value);
                    case "--dir" -> dir = Path.of(value);
                    case "--daemon-opts" -> daemonOpts = value;
                    default -> throw new IllegalArgumentException("unknown option '" + name + "'");
                }
            }
            skep = io.skep.bench.ScenarioArgs.skepImage(skep);
            return new Options(
                    managers,
                    faults,
                    kinds,
                    hold,
                    clients,
                    services,
                    replicas,
                    creates,
                    think,
                    timeout,
                    writeBound,
                    settleBound,
                    seed,
                    skep.toAbsolutePath(),
                    dir,
                    daemonOpts,
                    keepGoing);
        }

        private static List<Kind> kinds(String value) {
            List<Kind> out = new ArrayList<>();
            for (String name : value.split(",")) {
                Kind k = KINDS.get(name.strip().toLowerCase(Locale.ROOT));
                if (k == null) {
                    throw new IllegalArgumentException("--kinds: unknown kind '" + name + "' (expected "
                            + String.join(", ", KINDS.keySet().stream().sorted().toList()) + ")");
                }
                if (!out.contains(k)) {
                    out.add(k);
                }
            }
            return List.copyOf(out);
        }
    }

    /**
     * What the check after one heal found (or at the end of the run: no fault).
     *
     * @param kind        the fault's kind; null for the final check
     * @param anyWrite    seconds from the heal to the first write taken through any manager (NaN: none)
     * @param everyWrite  seconds until every manager had taken one (NaN: not all did)
     * @param settled     seconds the check waited for the managers to agree and the services to settle (NaN: never)
     * @param violations  everything wrong (empty: the check passed)
     */
    record Checkpoint(
            int number,
            Kind kind,
            String fault,
            double anyWrite,
            double everyWrite,
            double settled,
            List<String> violations) {
        boolean passed() {
            return violations.isEmpty();
        }
    }

    /**
     * What a run did and found.
     *
     * @param checkpoints one per fault, then the final one
     * @param history     every write and read
     * @param lost        acknowledged writes missing at the last check
     * @param indeterminateApplied indeterminate writes seen to have taken effect
     * @param services    services in the swarm at the last check, and their replicas in all
     * @param homes       where the nodes' homes are (deleted after a run that passed)
     */
    record Result(
            Options options,
            List<Checkpoint> checkpoints,
            History history,
            long failedReads,
            int lost,
            int indeterminateApplied,
            int services,
            int replicas,
            Path homes) {
        boolean passed() {
            return !checkpoints.isEmpty()
                    && checkpoints.stream().allMatch(Checkpoint::passed)
                    && checkpoints.getLast().kind() == null;
        }
    }

    public static void main(String[] args) {
        io.skep.bench.Driver.main(
                args, USAGE, Options::parse, (options, out) -> run(options, out).passed() ? 0 : 1);
    }

    /** Runs the harness and prints its report. */
    static Result run(Options o, PrintStream out) throws Exception {
        String missing = NamespaceNetwork.unavailableReason();
        if (missing != null) {
            throw new IllegalStateException("the harness cannot run here: " + missing);
        }
        Path homes = Files.createTempDirectory(o.dir(), "skep-faults-");
        Random random = new Random(o.seed());
        out.printf(
                "Fault injection: %d managers of %s, each in its own network namespace; %d faults (%s), each held "
                        + "%.1f-%.1f s; %d clients per manager, %d services of %d replicas, %d creates per fault; "
                        + "seed %d; homes in %s%n",
                o.managers(),
                o.skep(),
                o.faults(),
                kindNames(o.kinds()),
                o.hold().toMillis() / 2000.0,
                o.hold().toMillis() * 1.5 / 1000,
                o.clients(),
                o.services(),
                o.replicas(),
                o.creates(),
                o.seed(),
                homes);
        History history = new History();
        ServiceWriter writer = new ServiceWriter(history, o.timeout());
        List<Checkpoint> checkpoints = new ArrayList<>();
        HistoryChecker.Findings last;
        AgreedState.Result state;
        long failedReads;
        try (FaultSwarm swarm =
                FaultSwarm.form(o.skep(), homes, o.managers(), Map.of("JDK_JAVA_OPTIONS", o.daemonOpts()), out)) {
            out.printf("Swarm formed: %s%n", swarm.managers());
            List<String> targets = new ArrayList<>();
            List<String> registers = new ArrayList<>();
            ManagerProcess first = swarm.managers().getFirst();
            for (int i = 1; i <= o.services(); i++) {
                first.ok("POST", "/services/create", ServiceWriter.spec("s" + i, o.replicas()));
                targets.add("s" + i);
            }
            registers.addAll(targets);
            for (ManagerProcess m : swarm.managers()) {
                first.ok("POST", "/services/create", ServiceWriter.spec(WriteRecovery.probe(m), 0));
                registers.add(WriteRecovery.probe(m));
            }
            HealCheck check = new HealCheck(swarm, history, registers, o);
            Nemesis nemesis = new Nemesis(swarm, random);
            List<Kind> schedule = schedule(o.kinds(), o.faults(), random);
            try (WriteClients clients = new WriteClients(swarm, writer, targets, CREATE_REPLICAS, o.think())) {
                clients.start(o.clients());
                for (int i = 1; i <= schedule.size(); i++) {
                    Kind kind = schedule.get(i - 1);
                    clients.allowCreates(o.creates());
                    Nemesis.Fault fault = nemesis.inject(kind);
                    Thread.sleep(hold(o.hold(), random)); // the fault lasts this long, whatever the swarm does
                    fault.heal().run();
                    long healed = System.nanoTime();
                    WriteRecovery.Result recovery = WriteRecovery.measure(swarm, writer, healed, o.writeBound());
                    clients.pause();
                    Checkpoint c = check.after(i, kind, fault.description(), recovery);
                    clients.resume();
                    checkpoints.add(c);
                    out.println(line(c, schedule.size()));
                    if (!c.passed() && !o.keepGoing()) {
                        break;
                    }
                }
                failedReads = clients.failedReads();
            }
            if (o.keepGoing() || checkpoints.stream().allMatch(Checkpoint::passed)) {
                Checkpoint end = check.after(checkpoints.size() + 1, null, "end of the run", null);
                checkpoints.add(end);
                out.println(line(end, schedule.size()));
            }
            last = check.lastFindings();
            state = check.lastState();
            if (checkpoints.stream().anyMatch(c -> !c.passed())) {
                out.println("A check failed; each daemon's log (every start of it) is kept:");
                swarm.managers().forEach(m -> out.println("  " + m + ": " + m.log()));
            }
        }
        int services = state.services() == null ? 0 : state.services().size();
        int replicas = state.services() == null
                ? 0
                : state.services().values().stream()
                        .mapToInt(AgreedState.Service::replicas)
                        .sum();
        Result result = new Result(
                o,
                List.copyOf(checkpoints),
                history,
                failedReads,
                last == null ? 0 : last.lost(),
                last == null ? 0 : last.indeterminateApplied(),
                services,
                replicas,
                homes);
        if (result.passed()) {
            FileTrees.deleteRecursively(homes);
        }
        out.println();
        out.print(FaultReport.text(result));
        return result;
    }

    /** The kinds in turn, each turn shuffled, so that every kind comes as often as the others (give or take one). */
    static List<Kind> schedule(List<Kind> kinds, int faults, Random random) {
        List<Kind> out = new ArrayList<>();
        while (out.size() < faults) {
            List<Kind> turn = new ArrayList<>(kinds);
            Collections.shuffle(turn, random);
            out.addAll(turn.subList(0, Math.min(turn.size(), faults - out.size())));
        }
        return out;
    }

    private static Duration hold(Duration mean, Random random) {
        return Duration.ofMillis((long) (mean.toMillis() * (0.5 + random.nextDouble())));
    }

    private static String kindNames(List<Kind> kinds) {
        return String.join(", ", kinds.stream().map(k -> k.description).toList());
    }

    static String line(Checkpoint c, int faults) {
        String head = c.kind() == null ? "final check" : "fault %d/%d".formatted(c.number(), faults);
        return "%-12s %-70s write after heal: any %s s, every %s s; settled in %s s%s"
                .formatted(
                        head,
                        c.fault(),
                        seconds(c.anyWrite()),
                        seconds(c.everyWrite()),
                        seconds(c.settled()),
                        c.passed() ? "" : "\n  FAILED:\n    " + String.join("\n    ", c.violations()));
    }

    static String seconds(double s) {
        return Double.isNaN(s) ? "-" : "%.2f".formatted(s);
    }
}

package io.skep.bench.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skep.bench.FileTrees;
import io.skep.bench.SkepDaemon;
import io.skep.bench.TextTable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The many-node scenario: a swarm of separate {@code skep daemon} processes of the image on loopback (3 managers and
 * a worker, default settings: 5 s heartbeat), tasks as host processes. Each round measures, from a {@code kill -9}:
 * <ul>
 *   <li><b>worker loss</b>: until all the killed worker's tasks run on other nodes;</li>
 *   <li><b>leader failover</b>: until a survivor accepts a write (a service create).</li>
 * </ul>
 * Swarm cannot be run as 3 managers on one machine, so its side is its defaults' arithmetic (reference:
 * swarmkit-semantics.md): 15 s to find a dead node (3 × 5 s heartbeat) plus the start of its tasks, and a 10 s
 * election timeout. The report gives skep's medians and their ratios to those figures and to the goals.
 */
public final class ClusterScenario {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONVERGE = Duration.ofSeconds(120);
    /** How often the driver polls: small against what it measures. */
    private static final long POLL_MILLIS = 20;

    private static final int REPLICAS = 4;

    static final String USAGE = """
            usage: java -jar benchmarks.jar cluster [--rounds=N] [--skep=PATH] [--dir=PATH]
              --rounds=N     measured rounds, each a new swarm (default 3)
              --skep=PATH    skep's bin/skep (default distribution/target/skep/bin/skep, looked for from here up)
              --dir=PATH     where the nodes' data directories go (default java.io.tmpdir)
            """;

    private ClusterScenario() {}

    record Options(int rounds, Path skep, Path dir) {
        static Options parse(String... args) {
            int rounds = 3;
            Path skep = null;
            Path dir = Path.of(System.getProperty("java.io.tmpdir"));
            for (String arg : args) {
                int eq = arg.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException(
                            arg.equals("--help") || arg.equals("-h") ? "" : "expected --name=value, got '" + arg + "'");
                }
                String value = arg.substring(eq + 1);
                switch (arg.substring(0, eq)) {
                    case "--rounds" -> {
                        try {
                            rounds = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--rounds: not a number: '" + value + "'");
                        }
                        if (rounds < 1) {
                            throw new IllegalArgumentException("--rounds must be at least 1, got " + rounds);
                        }
                    }
                    case "--skep" -> skep = Path.of(value);
                    case "--dir" -> dir = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option '" + arg.substring(0, eq) + "'");
                }
            }
            skep = io.skep.bench.ScenarioArgs.skepImage(skep);
            return new Options(rounds, skep, dir);
        }
    }

    public static void main(String[] args) {
        io.skep.bench.Driver.main(args, USAGE, Options::parse, (options, out) -> {
            run(options, out);
            return 0;
        });
    }

    static void run(Options options, PrintStream out) throws Exception {
        out.printf(
                "Cluster scenario: 3 managers and a worker, each a `skep daemon` process of %s on loopback, "
                        + "default settings; %d replicas of a host-process service.%n%n",
                options.skep(), REPLICAS);
        List<Double> workerLoss = new ArrayList<>();
        List<Double> failover = new ArrayList<>();
        for (int r = 1; r <= options.rounds(); r++) {
            Path dir = Files.createTempDirectory(options.dir(), "skep-cluster-bench");
            try (Swarm swarm = new Swarm(options.skep(), dir)) {
                swarm.form();
                double loss = swarm.killWorker();
                double elected = swarm.killLeader();
                workerLoss.add(loss);
                failover.add(elected);
                out.printf(
                        "round %d/%d:  worker loss %.2f s  leader failover %.2f s%n",
                        r, options.rounds(), loss, elected);
            } finally {
                FileTrees.deleteRecursively(dir);
            }
        }
        out.println();
        out.print(report(median(workerLoss), median(failover), options.rounds()));
    }

    static String report(double workerLoss, double failover, int rounds) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {
            "From kill -9 of", "until", "skep (s)", "Swarm's defaults (s)", "skep/Swarm", "goal (s)", "skep/goal"
        });
        rows.add(row("a worker", "its tasks run elsewhere", workerLoss, 15, 6));
        rows.add(row("the leader", "a write is accepted", failover, 10, 2));
        return "Medians over " + rounds + " rounds (Swarm's side: 15 s = 3 missed 5 s heartbeats, before its tasks "
                + "even start; 10 s = its election timeout):\n" + TextTable.columns(rows, 2);
    }

    private static String[] row(String what, String until, double skep, double swarm, double goal) {
        return new String[] {
            what,
            until,
            "%.2f".formatted(skep),
            "%.0f".formatted(swarm),
            "%.2f".formatted(skep / swarm),
            "%.0f".formatted(goal),
            "%.2f".formatted(skep / goal)
        };
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The nodes of one round, their processes, and the task processes they started. */
    private static final class Swarm implements AutoCloseable {
        private final Path skep;
        private final Path dir;
        private final Map<String, SkepDaemon> nodes = new LinkedHashMap<>();
        private final Set<Long> taskPids = new HashSet<>();

        Swarm(Path skep, Path dir) {
            this.skep = skep;
            this.dir = dir;
        }

        /** 3 managers and a worker, joined through tokens, and the service running on all four. */
        void form() throws IOException {
            SkepDaemon first = add("manager1");
            first.initSwarm();
            String addr = first.clusterAddr();
            JsonNode tokens = first.ok("GET", "/swarm", null).path("JoinTokens");
            for (String name : List.of("manager2", "manager3", "worker")) {
                SkepDaemon n = add(name);
                String token = tokens.path(name.startsWith("manager") ? "Manager" : "Worker")
                        .asText();
                n.ok("POST", "/swarm/join", Map.of("RemoteAddrs", List.of(addr), "JoinToken", token));
                n.nodeId();
            }
            await("4 ready nodes", () -> {
                JsonNode list = first.call("GET", "/nodes", null);
                int ready = 0;
                for (JsonNode n : list == null ? JSON.createArrayNode() : list) {
                    ready += n.path("Status").path("State").asText().equals("ready") ? 1 : 0;
                }
                return ready == 4;
            });
            first.ok(
                    "POST",
                    "/services/create",
                    Map.of(
                            "Name",
                            "w",
                            "Mode",
                            Map.of("Replicated", Map.of("Replicas", REPLICAS)),
                            "TaskTemplate",
                            Map.of("ContainerSpec", Map.of("Image", "host", "Command", List.of("sleep", "100000")))));
            await(
                    REPLICAS + " running tasks, one on each node",
                    () -> running(first).size() == 4);
        }

        private SkepDaemon add(String name) throws IOException {
            SkepDaemon n = new SkepDaemon(skep, dir.resolve(name), name, Map.of());
            nodes.put(name, n);
            return n;
        }

        /** Node ID of each running task of the service that should run. */
        Map<String, String> running(SkepDaemon on) {
            JsonNode tasks = on.call("GET", "/tasks", null);
            Map<String, String> out = new LinkedHashMap<>();
            for (JsonNode t : tasks == null ? JSON.createArrayNode() : tasks) {
                long pid = t.path("Status").path("ContainerStatus").path("PID").asLong(0);
                if (pid > 0) {
                    taskPids.add(pid);
                }
                if (t.path("Status").path("State").asText().equals("running")
                        && t.path("DesiredState").asText().equals("running")) {
                    out.put(t.path("ID").asText(), t.path("NodeID").asText());
                }
            }
            return out;
        }

        /** Seconds from kill -9 of the worker until the service runs whole on the managers. */
        double killWorker() {
            SkepDaemon worker = nodes.get("worker");
            SkepDaemon manager = nodes.get("manager1");
            String workerId = worker.nodeId();
            worker.process().destroyForcibly();
            long t0 = System.nanoTime();
            await("the worker's tasks to run elsewhere", () -> {
                Map<String, String> r = running(manager);
                return r.size() == REPLICAS && !r.containsValue(workerId);
            });
            return (System.nanoTime() - t0) / 1e9;
        }

        /** Seconds from kill -9 of the leader until a survivor accepts a write. */
        double killLeader() {
            SkepDaemon any = nodes.get("manager1");
            String leaderId = null;
            for (JsonNode n : any.ok("GET", "/nodes", null)) {
                if (n.path("ManagerStatus").path("Leader").asBoolean(false)) {
                    leaderId = n.path("ID").asText();
                }
            }
            String leader = leaderId;
            SkepDaemon killed = nodes.values().stream()
                    .filter(n -> n.nodeId().equals(leader))
                    .findFirst()
                    .orElseThrow();
            SkepDaemon survivor = nodes.values().stream()
                    .filter(n -> n != killed && n.name().startsWith("manager"))
                    .findFirst()
                    .orElseThrow();
            killed.process().destroyForcibly();
            long t0 = System.nanoTime();
            int[] attempt = {0};
            await(
                    "a write on a survivor",
                    () -> survivor.call(
                                    "POST",
                                    "/services/create",
                                    Map.of(
                                            "Name",
                                            "probe-" + attempt[0]++,
                                            "Mode",
                                            Map.of("Replicated", Map.of("Replicas", 0)),
                                            "TaskTemplate",
                                            Map.of(
                                                    "ContainerSpec",
                                                    Map.of("Image", "host", "Command", List.of("true")))))
                            != null);
            return (System.nanoTime() - t0) / 1e9;
        }

        @Override
        public void close() {
            for (SkepDaemon n : nodes.values()) {
                n.process().destroyForcibly();
            }
            nodes.values().forEach(SkepDaemon::close);
            taskPids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        }
    }

    static void await(String what, BooleanSupplier condition) {
        SkepDaemon.await(what, CONVERGE, Duration.ofMillis(POLL_MILLIS), condition);
    }
}

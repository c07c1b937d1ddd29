package io.skep.bench.overlay;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.bench.Driver;
import io.skep.bench.FileTrees;
import io.skep.bench.ScenarioArgs;
import io.skep.bench.faults.FaultSwarm;
import io.skep.bench.faults.ManagerProcess;
import io.skep.bench.faults.NamespaceNetwork;
import io.skep.bench.overlay.OverlayReport.Round;
import io.skep.bench.overlay.OverlayReport.Sample;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The overlay network scenario ({@code benchmarks.jar overlay}, issue 13's "Measured"): a swarm of three daemons of
 * the image, each in its own network namespace, one overlay network, process-runtime tasks pinned to nodes so that
 * every byte crosses nodes over VXLAN.
 *
 * <ul>
 *   <li>Throughput: bulk TCP ({@link BulkTcp}, run in the tasks) from a task on one node to a receiver task on
 *       another, once straight to the receiver's address and once through its service's VIP, in rounds whose order
 *       alternates; the figure is the VIP's rate over the direct one within each round (issue 13's goal: at least
 *       0.95).
 *   <li>Time to resolvable: new services, one at a time, each with one task on the receiver's node; a loop inside the
 *       client task on the other node, started before the service is created, polls until {@code tasks.NAME}
 *       resolves and its task answers HTTP by that name, then until the service's name (its VIP) answers too. The
 *       figure runs from the task's RUNNING timestamp (its {@code Status.Timestamp}, set by its node, whose clock is
 *       this machine's) to the moment the loop says so (issue 13's goal: p99 at most 250 ms).
 * </ul>
 *
 * Figures are reported, never asserted: they depend on the machine and what else it does.
 */
public final class OverlayScenario {
    /** The overlays' pool: the other half of the benchmarking range (the nodes' underlay is 198.18.0.0/24). */
    static final String POOL = "198.19.0.0/16";

    static final String NETWORK = "bench";
    static final int PORT = 5001;
    private static final String BUSYBOX = TaskShell.BUSYBOX;
    /** The pause between two polls inside the client task. */
    private static final int POLL_PAUSE_MICROS = 5_000;
    /** Failing polls timed to measure one. */
    private static final int POLLS_TIMED = 20;

    private static final Duration TRANSFER_BOUND = Duration.ofMinutes(5);
    private static final Duration RESOLVE_BOUND = Duration.ofSeconds(60);
    private static final Duration EXEC_BOUND = Duration.ofSeconds(30);
    private static final int CONNECT_TRIES = 50;

    static final String USAGE = """
            usage: java -jar benchmarks.jar overlay [--rounds=N] [--mib=N] [--samples=N] [--skep=PATH] [--dir=PATH]
                                                    [--daemon-opts=OPTIONS]
              Needs root, ip netns, nft, nsenter and /bin/busybox: three daemons of the image, each in a network
              namespace of its own (198.18.0.0/24), their overlay network in 198.19.0.0/16. The bulk transfers run
              in JVMs of this java and this jar inside the tasks.
              --rounds=N        measured throughput rounds, each a transfer to the VIP and one straight to the task
                                (default 15; one more, first, is not measured)
              --mib=N           MiB per transfer (default 256)
              --samples=N       measured new services for the time to resolvable (default 20; one more, first, is not
                                measured)
              --skep=PATH       skep's bin/skep (default distribution/target/skep/bin/skep, looked for from here up)
              --dir=PATH        where the nodes' homes go (default java.io.tmpdir); kept when the run fails
              --daemon-opts=O   the daemons' JVM options (JDK_JAVA_OPTIONS) (default -Xmx384m)
            """;

    private OverlayScenario() {}

    record Options(int rounds, int mib, int samples, Path skep, Path dir, String daemonOpts) {
        static Options parse(String... args) {
            int rounds = 15;
            int mib = 256;
            int samples = 20;
            Path skep = null;
            Path dir = Path.of(System.getProperty("java.io.tmpdir"));
            String daemonOpts = "-Xmx384m";
            for (String arg : args) {
                int eq = arg.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException(
                            arg.equals("--help") || arg.equals("-h") ? "" : "expected --name=value, got '" + arg + "'");
                }
                String name = arg.substring(0, eq);
                String value = arg.substring(eq + 1);
                switch (name) {
                    case "--rounds" -> rounds = (int) ScenarioArgs.whole(name, value, 1);
                    case "--mib" -> mib = (int) ScenarioArgs.whole(name, value, 1);
                    case "--samples" -> samples = (int) ScenarioArgs.whole(name, value, 1);
                    case "--skep" -> skep = Path.of(value);
                    case "--dir" -> dir = Path.of(value);
                    case "--daemon-opts" -> daemonOpts = value;
                    default -> throw new IllegalArgumentException("unknown option '" + name + "'");
                }
            }
            return new Options(
                    rounds, mib, samples, ScenarioArgs.skepImage(skep).toAbsolutePath(), dir, daemonOpts);
        }
    }

    public static void main(String[] args) {
        Driver.main(args, USAGE, Options::parse, (options, out) -> {
            run(options, out);
            return 0;
        });
    }

    /** Why the scenario cannot run on this machine, or null. */
    static String unavailableReason() {
        String reason = NamespaceNetwork.unavailableReason();
        if (reason != null) {
            return reason;
        }
        for (String tool : List.of(BUSYBOX, "/usr/sbin/nft", "/usr/bin/nsenter")) {
            if (!Files.isExecutable(Path.of(tool))) {
                return tool + " is missing";
            }
        }
        return null;
    }

    /** Runs the scenario and prints its report; the nodes' homes are kept (and named) when it fails. */
    static OverlayReport.Result run(Options o, PrintStream out) throws Exception {
        String missing = unavailableReason();
        if (missing != null) {
            throw new IllegalStateException("the overlay scenario cannot run here: " + missing);
        }
        Path homes = Files.createTempDirectory(o.dir(), "skep-overlay-");
        Path www = Files.createDirectories(homes.resolve("www"));
        Files.writeString(www.resolve("index.html"), "ok\n", StandardCharsets.UTF_8);
        OverlayReport.Result result;
        List<String> nodeIds = new CopyOnWriteArrayList<>();
        Set<String> taskIds = ConcurrentHashMap.newKeySet();
        Thread sweep = new Thread(() -> TaskLeftovers.remove(taskIds, nodeIds), "skep-overlay-leftovers");
        Runtime.getRuntime().addShutdownHook(sweep); // on Ctrl-C too: the tasks outlive their daemons
        try (FaultSwarm swarm = FaultSwarm.form(
                o.skep(),
                homes,
                3,
                Map.of("JDK_JAVA_OPTIONS", o.daemonOpts()),
                Map.of("DefaultAddrPool", List.of(POOL), "SubnetSize", 24),
                out)) {
            swarm.managers().forEach(m -> nodeIds.add(m.nodeId()));
            out.println("Swarm formed: " + swarm.managers());
            PinnedServices services = new PinnedServices(swarm.managers().getFirst(), NETWORK, taskIds);
            try {
                result = measure(o, swarm, services, www, out);
            } catch (Exception | Error e) {
                out.println("The run failed; each daemon's log and data are kept:");
                swarm.managers().forEach(m -> out.println("  " + m + ": " + m.log()));
                throw e;
            } finally {
                services.removeAll();
            }
        } finally {
            TaskLeftovers.remove(taskIds, nodeIds);
            Runtime.getRuntime().removeShutdownHook(sweep);
        }
        FileTrees.deleteRecursively(homes);
        out.println();
        out.print(OverlayReport.text(result));
        return result;
    }

    private static OverlayReport.Result measure(
            Options o, FaultSwarm swarm, PinnedServices services, Path www, PrintStream out) throws Exception {
        ManagerProcess receiverNode = swarm.managers().get(0);
        ManagerProcess senderNode = swarm.managers().get(1);
        String nodes = ("3 nodes of %s, each in its own network namespace; overlay network '%s' (pool %s); the "
                        + "receiver and the new services on %s, the sender and client on %s")
                .formatted(o.skep(), NETWORK, POOL, receiverNode.name(), senderNode.name());
        services.createNetwork();
        String sink = services.create("sink", receiverNode, BulkTcp.sinkCommand(PORT));
        String client = services.create("client", senderNode, List.of(BUSYBOX, "sleep", "1000000"));
        String direct = PinnedServices.address(services.runningTask(sink));
        String vip = services.vip(sink);
        TaskShell sender = new TaskShell(
                senderNode.pid(), services.runningTask(client).path("ID").asText());
        double execMs = execMillis(sender);
        out.printf(
                "%s; receiver at %s, its VIP %s; one exec into a task through nsenter: %.1f ms%n",
                nodes, direct, vip, execMs);

        List<Round> rounds = new ArrayList<>();
        for (int i = 0; i <= o.rounds(); i++) {
            boolean vipFirst = i % 2 == 0;
            double first = rate(sender, vipFirst ? vip : direct, o.mib());
            double second = rate(sender, vipFirst ? direct : vip, o.mib());
            Round round = vipFirst ? new Round(second, first) : new Round(first, second);
            out.printf(
                    "%-14s direct %8.1f MiB/s  VIP %8.1f MiB/s  VIP/direct %.3f%n",
                    i == 0 ? "warm-up" : "round %d/%d".formatted(i, o.rounds()),
                    round.directMibps(),
                    round.vipMibps(),
                    round.ratio());
            if (i > 0) {
                rounds.add(round);
            }
        }

        double pollMs = pollMillis(sender, execMs);
        out.printf("One failing poll inside the client task: %.1f ms%n", pollMs);
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i <= o.samples(); i++) {
            Sample s = resolvable("probe" + i, services, receiverNode, sender, www);
            out.printf(
                    "%-14s %-8s by tasks.NAME %6.0f ms  by NAME (VIP) %6.0f ms%n",
                    i == 0 ? "warm-up" : "sample %d/%d".formatted(i, o.samples()),
                    s.service(),
                    s.byTaskNameMs(),
                    s.byVipNameMs());
            if (i > 0) {
                samples.add(s);
            }
        }
        return new OverlayReport.Result(o, nodes, execMs, pollMs, List.copyOf(rounds), List.copyOf(samples));
    }

    /** The median time of a no-op exec into the task through nsenter, in ms (after one not counted). */
    private static double execMillis(TaskShell task) throws IOException, InterruptedException {
        double[] ms = new double[11];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = millis(ok(task, ":", EXEC_BOUND).nanos());
        }
        return OverlayReport.percentile(Arrays.copyOfRange(ms, 1, ms.length), 50);
    }

    /**
     * One transfer of {@code mib} MiB from the task to {@code host}'s sink, in MiB/s, as {@link BulkTcp} times it
     * inside the task. The sink's JVM listens a moment after its task runs: a refused connection is tried again.
     */
    static double rate(TaskShell sender, String host, int mib) throws IOException, InterruptedException {
        String script = "exec " + BulkTcp.shellLine(BulkTcp.sendCommand(host, PORT, (long) mib << 20));
        TaskShell.Ran last = null;
        for (int i = 0; i < CONNECT_TRIES; i++) {
            last = sender.run(script, TRANSFER_BOUND);
            if (last.ok()) {
                return BulkTcp.mibPerSecond(last.output());
            }
            Thread.sleep(Duration.ofMillis(200)); // the sink's JVM is starting
        }
        throw new IllegalStateException("no transfer to " + host + ":" + PORT + " in " + CONNECT_TRIES
                + " tries; the last said: " + last.output().strip());
    }

    /**
     * The shell function {@code reach NAME}: an HTTP GET of NAME succeeds, and {@code nslookup NAME} answers. (The
     * fetch first: while the name does not resolve, a poll costs one lookup, not two.)
     */
    private static final String REACH = ("reach() { %1$s wget -q -O /dev/null \"http://$1/\" 2>/dev/null"
                    + " && %1$s nslookup \"$1\" 2>/dev/null | %1$s grep -q '^Name:'; }; ")
            .formatted(BUSYBOX);

    /** How long one failing poll takes inside the task (a name that does not exist, then the pause), in ms. */
    private static double pollMillis(TaskShell client, double execMs) throws IOException, InterruptedException {
        String script = REACH
                + "i=0; while [ $i -lt %d ]; do reach tasks.absent; %s usleep %d; i=$((i+1)); done"
                        .formatted(POLLS_TIMED, BUSYBOX, POLL_PAUSE_MICROS);
        return (millis(ok(client, script, EXEC_BOUND).nanos()) - execMs) / POLLS_TIMED;
    }

    /**
     * One sample: the client's loop is started (and said so) before the service is created, so that it sees the
     * name as soon as its node does; the moments it reports are read as they come.
     */
    private static Sample resolvable(
            String name, PinnedServices services, ManagerProcess node, TaskShell client, Path www)
            throws IOException, InterruptedException {
        String pause = BUSYBOX + " usleep " + POLL_PAUSE_MICROS;
        String script = REACH
                + "echo polling; until reach tasks.%1$s; do %2$s; done; echo task; ".formatted(name, pause)
                + "until reach %1$s; do %2$s; done; echo vip".formatted(name, pause);
        Process loop = client.start(script);
        Thread deadline = Thread.ofVirtual().start(() -> {
            try {
                if (!loop.waitFor(RESOLVE_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                    TaskShell.kill(loop);
                }
            } catch (InterruptedException e) {
                // the loop ended in time
            }
        });
        String serviceId = null;
        try {
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(loop.getInputStream(), StandardCharsets.UTF_8));
            expect(lines, "polling", name);
            serviceId = services.create(name, node, List.of(BUSYBOX, "httpd", "-f", "-p", "80", "-h", www.toString()));
            expect(lines, "task", name);
            Instant byTaskName = Instant.now();
            expect(lines, "vip", name);
            Instant byVipName = Instant.now();
            JsonNode task = services.runningTask(serviceId);
            Instant running = OffsetDateTime.parse(
                            task.path("Status").path("Timestamp").asText())
                    .toInstant();
            return new Sample(name, since(running, byTaskName), since(running, byVipName));
        } finally {
            deadline.interrupt();
            TaskShell.kill(loop);
            if (serviceId != null) {
                services.remove(serviceId);
            }
        }
    }

    private static void expect(BufferedReader lines, String word, String name) throws IOException {
        String line = lines.readLine();
        if (!word.equals(line)) {
            throw new IllegalStateException("the client's loop for " + name + " said '" + line + "', expected '" + word
                    + "' (no answer within " + RESOLVE_BOUND.toSeconds() + " s?)");
        }
    }

    private static TaskShell.Ran ok(TaskShell task, String script, Duration within)
            throws IOException, InterruptedException {
        TaskShell.Ran r = task.run(script, within);
        if (!r.ok()) {
            throw new IllegalStateException(
                    "in task " + task.taskId() + ", '" + script + "' failed (" + r.exitCode() + "): " + r.output());
        }
        return r;
    }

    private static double since(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}

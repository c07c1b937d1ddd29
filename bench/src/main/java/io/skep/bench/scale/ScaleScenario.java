package io.skep.bench.scale;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.bench.FileTrees;
import io.skep.bench.SkepDaemon;
import io.skep.bench.TextTable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The control-plane scale scenario: one manager, a {@code skep daemon} process of the image (a one-node swarm, the
 * manager drained so that it runs no task; {@code --managers=3} makes a Raft group of three, the workers talking to
 * its leader), and {@code --workers} simulated workers in this JVM, each a real node of
 * the swarm: joined with the worker token through the join flow ({@link Joining}), holding its own certificate, and
 * speaking the dispatcher protocol over mutual TLS on the cluster port ({@link LightAgents}, on Netty; or
 * {@link JdkAgents}, the core's own {@code RemoteDispatcher}), with a runtime that starts tasks instantly.
 *
 * <p>Timed from the first {@code POST /services/create} of {@code --services} services of {@code --replicas}
 * replicas ({@code host} image: the {@code process} runtime, which every simulated worker advertises) until the
 * control API ({@code GET /services?status=true}, {@code ServiceStatus.RunningTasks}) shows every task running. It
 * is polled every {@code --poll} (1 s: each poll costs the manager a pass over every task), and every 50 ms once the
 * workers' reports are all taken. On the way, the time until every task reached its worker (scheduled, assigned and
 * dispatched), and until the manager took every running report (answered 204), from the workers' own counts. The
 * goal is the issue's: at least 3,750 tasks/s, the rate of Nomad's C1M (1M containers on 5,000 machines). The join
 * of the workers is timed apart, not in the figure. The manager's CPU time over the timed phase, its heap (its GC
 * log, and a full GC at the end through {@code jcmd}) and its resident memory are measured on its process alone.
 */
public final class ScaleScenario {
    /** The goal, tasks/s: Nomad's C1M, 1M containers at about 3,750/s on 5,000 machines. */
    static final double GOAL = 3_750;
    /** How often a progress line is printed during the timed phase. */
    private static final Duration PROGRESS = Duration.ofSeconds(5);
    /** The driver's own tick: it reads the workers' counters (in memory) that often. */
    private static final Duration TICK = Duration.ofMillis(10);
    /** How often the control API is asked once the workers have done their part: the end is near. */
    private static final Duration CLOSE_POLL = Duration.ofMillis(50);
    /** Keep the core's per-node INFO lines (sessions, joins) of the in-process workers out of the report. */
    private static final Logger QUIET = Logger.getLogger("io.skep");

    static final String USAGE = """
            usage: java -jar benchmarks.jar scale [--workers=N] [--services=N] [--replicas=N] [--skep=PATH] [--dir=PATH]
                                                  [--managers=N] [--agent=netty|jdk] [--agent-threads=N] [--join-parallel=N]
                                                  [--poll=MS] [--timeout=S] [--jfr=PATH] [--manager-opts=OPTIONS]
                                                  [--fanout=N]
              --workers=N        simulated workers, each a node of the swarm (default 1000)
              --services=N       services created (default 100)
              --replicas=N       replicas of each service (default 1000)
              --skep=PATH        skep's bin/skep (default distribution/target/skep/bin/skep, looked for from here up)
              --dir=PATH         where the manager's data directory goes (default java.io.tmpdir)
              --managers=N       manager processes, a Raft group (default 1); the workers' sessions go to the leader
              --agent=KIND       netty: light agents on one Netty event loop group (default); jdk: the core's
                                 RemoteDispatcher, a JDK HTTP client per worker
              --agent-threads=N  the Netty agents' event-loop threads (default 2)
              --join-parallel=N  joins in flight at once (default 16)
              --poll=MS          how often the control API is asked how many tasks run, until the workers have
                                 done their part (then every 50 ms) (default 1000)
              --timeout=S        the most the timed phase may take (default 900)
              --jfr=PATH         a flight recording of the manager over the timed phase (settings=profile), through
                                 the jcmd of the JDK this runs on
              --manager-opts=O   JVM options of the manager (JDK_JAVA_OPTIONS), e.g. -Xmx2g
              --fanout=N         instead of the timed phase, the peer-table fan-out: a network with a task on every
                                 worker, then N changes (a task more), each timed until every other node's views hold
                                 it, and its bytes (netty agents only; --services and --replicas are not used)
            """;

    private ScaleScenario() {}

    record Options(
            int managers,
            int workers,
            int services,
            int replicas,
            Path skep,
            Path dir,
            String agent,
            int agentThreads,
            int joinParallel,
            Duration poll,
            Duration timeout,
            Path jfr,
            String managerOpts,
            int fanout) {

        long tasks() {
            return (long) services * replicas;
        }

        static Options parse(String... args) {
            int managers = 1;
            int workers = 1000;
            int services = 100;
            int replicas = 1000;
            Path skep = null;
            Path dir = Path.of(System.getProperty("java.io.tmpdir"));
            String agent = "netty";
            int agentThreads = 2;
            int joinParallel = 16;
            Duration poll = Duration.ofMillis(1000);
            Duration timeout = Duration.ofSeconds(900);
            Path jfr = null;
            String managerOpts = "";
            int fanout = 0;
            for (String arg : args) {
                int eq = arg.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException(
                            arg.equals("--help") || arg.equals("-h") ? "" : "expected --name=value, got '" + arg + "'");
                }
                String name = arg.substring(0, eq);
                String value = arg.substring(eq + 1);
                switch (name) {
                    case "--managers" -> managers = (int) io.skep.bench.ScenarioArgs.whole(name, value, 1);
                    case "--workers" -> workers = (int) io.skep.bench.ScenarioArgs.whole(name, value, 1);
                    case "--services" -> services = (int) io.skep.bench.ScenarioArgs.whole(name, value, 1);
                    case "--replicas" -> replicas = (int) io.skep.bench.ScenarioArgs.whole(name, value, 1);
                    case "--skep" -> skep = Path.of(value);
                    case "--dir" -> dir = Path.of(value);
                    case "--agent" -> {
                        if (!value.equals("netty") && !value.equals("jdk")) {
                            throw new IllegalArgumentException("--agent: expected netty or jdk, got '" + value + "'");
                        }
                        agent = value;
                    }
                    case "--agent-threads" -> agentThreads = (int) io.skep.bench.ScenarioArgs.whole(name, value, 1);
                    case "--join-parallel" -> joinParallel = (int) io.skep.bench.ScenarioArgs.whole(name, value, 1);
                    case "--poll" -> poll = Duration.ofMillis((int) io.skep.bench.ScenarioArgs.whole(name, value, 1));
                    case "--timeout" ->
                        timeout = Duration.ofSeconds((int) io.skep.bench.ScenarioArgs.whole(name, value, 1));
                    case "--jfr" -> jfr = Path.of(value).toAbsolutePath();
                    case "--manager-opts" -> managerOpts = value;
                    case "--fanout" -> fanout = (int) io.skep.bench.ScenarioArgs.whole(name, value, 0);
                    default -> throw new IllegalArgumentException("unknown option '" + name + "'");
                }
            }
            if (fanout > 0 && !agent.equals("netty")) {
                throw new IllegalArgumentException("--fanout: needs --agent=netty (the agents that count their views)");
            }
            skep = io.skep.bench.ScenarioArgs.skepImage(skep);
            return new Options(
                    managers,
                    workers,
                    services,
                    replicas,
                    skep,
                    dir,
                    agent,
                    agentThreads,
                    joinParallel,
                    poll,
                    timeout,
                    jfr,
                    managerOpts,
                    fanout);
        }
    }

    public static void main(String[] args) {
        io.skep.bench.Driver.main(args, USAGE, Options::parse, (options, out) -> {
            run(options, out);
            return 0;
        });
    }

    /**
     * What a run measured. Times in seconds (NaN: not seen); the timed phase's from the first service create
     * request. Heap and memory in MB.
     */
    record Result(
            Options options,
            String fleet,
            double joinSeconds,
            double sessionSeconds,
            double createdSeconds,
            double deliveredSeconds,
            double reportedSeconds,
            double runningSeconds,
            double managerCpuSeconds,
            double benchCpuSeconds,
            double machineBusy,
            Gauges.Heap heap,
            double liveHeapMb,
            double committedHeapMb,
            double rssPeakMb,
            double rssMb,
            double followersCpuSeconds,
            double followersRssPeakMb) {

        double tasksPerSecond() {
            return options.tasks() / runningSeconds;
        }
    }

    static void run(Options options, PrintStream out) throws Exception {
        QUIET.setLevel(Level.WARNING);
        long tasks = options.tasks();
        out.printf(
                "Scale scenario: %s (`skep daemon` of %s, drained), %d simulated workers in this JVM; "
                        + "%d services x %d replicas = %d tasks.%n",
                options.managers() == 1 ? "one manager" : options.managers() + " managers",
                options.skep(),
                options.workers(),
                options.services(),
                options.replicas(),
                tasks);
        Path dir = Files.createTempDirectory(options.dir(), "skep-scale-bench");
        List<SkepDaemon> managers = new java.util.concurrent.CopyOnWriteArrayList<>();
        Fleet[] fleet = {null};
        Thread cleanup = new Thread(() -> cleanUp(managers, fleet[0], dir));
        Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C: no manager left behind
        boolean ok = false;
        try {
            SkepDaemon first = startManager(options, dir, 1, managers);
            first.initSwarm();
            drain(first, first.nodeId());
            if (options.managers() > 1) {
                String firstAddr = first.clusterAddr();
                String token = first.joinToken("Manager");
                for (int i = 2; i <= options.managers(); i++) {
                    SkepDaemon next = startManager(options, dir, i, managers);
                    next.ok("POST", "/swarm/join", Map.of("RemoteAddrs", List.of(firstAddr), "JoinToken", token));
                    drain(first, next.nodeId());
                }
                SkepDaemon.await(
                        options.managers() + " reachable managers",
                        Duration.ofSeconds(120),
                        Duration.ofMillis(200),
                        () -> reachableManagers(first) == options.managers());
            }
            SkepDaemon leader = leader(first, managers);
            String addr = leader.clusterAddr();
            for (SkepDaemon m : managers) {
                out.printf(
                        "%s: pid %d%s, JVM options: %s%n",
                        m.name(),
                        m.pid(),
                        m == leader ? ", the leader, " + "cluster port " + addr : "",
                        jvmOptions(options, m.home()));
            }

            long j0 = System.nanoTime();
            List<Joining.Member> members =
                    Joining.join(addr, leader.joinToken("Worker"), options.workers(), options.joinParallel());
            double joinSeconds = seconds(j0);
            out.printf(
                    "Joined %d workers in %.2f s (%.0f/s: GET /ca, POST /join with a CSR each, %d at a time)%n",
                    members.size(), joinSeconds, members.size() / joinSeconds, options.joinParallel());

            fleet[0] =
                    options.agent().equals("jdk") ? new JdkAgents(addr) : new LightAgents(addr, options.agentThreads());
            Fleet f = fleet[0];
            long s0 = System.nanoTime();
            f.open(members, Duration.ofSeconds(300));
            SkepDaemon.await(
                    options.workers() + " ready workers",
                    Duration.ofSeconds(300),
                    Duration.ofMillis(200),
                    () -> readyWorkers(leader) == options.workers());
            double sessionSeconds = seconds(s0);
            out.printf(
                    "Sessions open and %d workers ready in %.2f s (%s)%n%n",
                    options.workers(), sessionSeconds, f.describe());

            if (options.fanout() > 0) {
                FanoutPhase.run(leader, (LightAgents) f, options.workers(), options.fanout(), options.timeout(), out);
            } else {
                List<SkepDaemon> followers =
                        managers.stream().filter(m -> m != leader).toList();
                Result r = timed(options, leader, followers, f, joinSeconds, sessionSeconds, out);
                out.println();
                out.print(report(r));
            }
            if (f.traffic() != null) {
                out.println("Dispatcher traffic over the whole run: " + f.traffic());
            }
            out.println("Workers' failed calls: " + f.errors());
            ok = true;
        } finally {
            if (!ok && !managers.isEmpty()) {
                tail(managers.getFirst().home().resolve("daemon.log"), 40);
            }
            cleanUp(managers, fleet[0], dir);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    /** Manager {@code i} of the run, its GC log in its home ({@code gc.log}), and any {@code --manager-opts}. */
    private static SkepDaemon startManager(Options options, Path dir, int i, List<SkepDaemon> managers)
            throws IOException {
        String name = options.managers() == 1 ? "manager" : "manager" + i;
        Path home = dir.resolve(name);
        SkepDaemon m =
                new SkepDaemon(options.skep(), home, name, Map.of("JDK_JAVA_OPTIONS", jvmOptions(options, home)));
        managers.add(m);
        return m;
    }

    /**
     * The manager's JVM options: its GC log, room on its ports for the simulated workers (they all come from
     * 127.0.0.1, where real workers would each come from their own address: a node holds 2 or 3 connections, and 16
     * joins run at once), and {@code --manager-opts}.
     */
    private static String jvmOptions(Options options, Path home) {
        long connections = Math.max(10_000, 4L * options.workers() + 1_000);
        return ("-Xlog:gc:file=" + home.resolve("gc.log") + " -Dskep.api.connectionsPerPeer=" + connections
                        + " -Dskep.api.connections=" + connections + " " + options.managerOpts())
                .strip();
    }

    /** The timed phase: services created, then the workers' and the control API's counts polled until all run. */
    private static Result timed(
            Options options,
            SkepDaemon m,
            List<SkepDaemon> followers,
            Fleet f,
            double joinSeconds,
            double sessionSeconds,
            PrintStream out)
            throws Exception {
        long tasks = options.tasks();
        long pid = m.pid();
        Path gcLog = m.home().resolve("gc.log");
        java.util.Optional<Path> jcmd = Gauges.jcmd();
        if (options.jfr() != null) {
            Gauges.jcmd(
                    jcmd.orElseThrow(
                            () -> new IllegalStateException("--jfr: no jcmd in " + System.getProperty("java.home"))),
                    pid,
                    "JFR.start",
                    "name=skep-scale",
                    "settings=profile");
        }
        int gcLinesBefore = readLines(gcLog).size();
        double cpu0 = Gauges.cpuSeconds(pid);
        double followers0 =
                followers.stream().mapToDouble(d -> Gauges.cpuSeconds(d.pid())).sum();
        double bench0 = Gauges.cpuSeconds(ProcessHandle.current().pid());
        Gauges.Ticks machine0 = Gauges.machine();
        long t0 = System.nanoTime();
        for (int i = 0; i < options.services(); i++) {
            m.ok("POST", "/services/create", serviceSpec(i, options.replicas()));
        }
        double created = seconds(t0);
        out.printf("%7.2f s: %d services created%n", created, options.services());
        double delivered = Double.NaN;
        double reported = Double.NaN;
        double running = Double.NaN;
        long deadline = t0 + options.timeout().toNanos();
        long nextPoll = System.nanoTime();
        long nextProgress = t0 + PROGRESS.toNanos();
        double lastCpu = cpu0;
        long lastProgress = t0;
        long runningNow = 0;
        while (Double.isNaN(running)) {
            long now = System.nanoTime();
            if (now > deadline) {
                throw new IllegalStateException("timed out after "
                        + options.timeout().toSeconds() + " s: "
                        + f.delivered() + " delivered, " + f.reported() + " reported, " + runningNow + " running of "
                        + tasks + " (workers' failed calls: " + f.errors() + ")");
            }
            if (Double.isNaN(delivered) && f.delivered() >= tasks) {
                delivered = seconds(t0);
                out.printf("%7.2f s: every task delivered to its worker%n", delivered);
            }
            if (Double.isNaN(reported) && f.reported() >= tasks) {
                reported = seconds(t0);
                out.printf("%7.2f s: every running status taken by the manager%n", reported);
                nextPoll = now; // the end is near: look now
            }
            // Closely once the workers have done their part (for a fleet that cannot see its reports taken, once
            // every task is on its worker); until then at --poll, which only feeds the progress lines.
            boolean near = f.reported() < 0 ? !Double.isNaN(delivered) : !Double.isNaN(reported);
            if (now >= nextPoll) {
                runningNow = runningTasks(m);
                if (runningNow >= tasks) {
                    running = seconds(t0);
                    break;
                }
                nextPoll = System.nanoTime() + (near ? CLOSE_POLL : options.poll()).toNanos();
            }
            if (now >= nextProgress) {
                double cpu = Gauges.cpuSeconds(pid);
                out.printf(
                        "%7.2f s: delivered %d, reported %s, running %d; manager %.2f cores, RSS %.0f MB%n",
                        seconds(t0),
                        f.delivered(),
                        f.reported() < 0 ? "?" : Long.toString(f.reported()),
                        runningNow,
                        (cpu - lastCpu) / ((now - lastProgress) / 1e9),
                        Gauges.statusMb(pid, "VmRSS"));
                lastCpu = cpu;
                lastProgress = now;
                nextProgress = now + PROGRESS.toNanos();
            }
            Thread.sleep(TICK);
        }
        out.printf("%7.2f s: the control API shows every task running%n", running);
        double managerCpu = Gauges.cpuSeconds(pid) - cpu0;
        double followersCpu = followers.isEmpty()
                ? Double.NaN
                : followers.stream()
                                .mapToDouble(d -> Gauges.cpuSeconds(d.pid()))
                                .sum()
                        - followers0;
        double followersRss = followers.stream()
                .mapToDouble(d -> Gauges.statusMb(d.pid(), "VmHWM"))
                .max()
                .orElse(Double.NaN);
        double benchCpu = Gauges.cpuSeconds(ProcessHandle.current().pid()) - bench0;
        double busy = Gauges.machine().busySince(machine0);
        if (Double.isNaN(reported) && f.reported() >= 0) {
            // The manager may commit a report before its answer reaches the worker: the workers' count follows.
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (f.reported() < tasks && System.nanoTime() < until) {
                Thread.sleep(TICK);
            }
            reported = f.reported() >= tasks ? seconds(t0) : Double.NaN;
        }
        Gauges.Heap heap = Gauges.gcLog(tail(readLines(gcLog), gcLinesBefore));
        double rssPeak = Gauges.statusMb(pid, "VmHWM");
        double rss = Gauges.statusMb(pid, "VmRSS");
        if (options.jfr() != null) {
            Gauges.jcmd(jcmd.orElseThrow(), pid, "JFR.stop", "name=skep-scale", "filename=" + options.jfr());
            out.println("Flight recording of the manager over the timed phase: " + options.jfr());
        }
        double[] live = {Double.NaN, Double.NaN};
        if (jcmd.isPresent()) {
            try {
                Gauges.jcmd(jcmd.get(), pid, "GC.run");
                live = Gauges.heapInfo(Gauges.jcmd(jcmd.get(), pid, "GC.heap_info"));
            } catch (IOException e) {
                out.println("(no heap after a full GC: " + e.getMessage() + ")");
            }
        }
        return new Result(
                options,
                f.describe(),
                joinSeconds,
                sessionSeconds,
                created,
                delivered,
                reported,
                running,
                managerCpu,
                benchCpu,
                busy,
                heap,
                live[0],
                live[1],
                rssPeak,
                rss,
                followersCpu,
                followersRss);
    }

    static String report(Result r) {
        Options o = r.options();
        long tasks = o.tasks();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"From the first service create request until", "s", "tasks/s"});
        rows.add(new String[] {"the last of " + o.services() + " services was created", f2(r.createdSeconds()), ""});
        rows.add(phase("every task was on its worker (scheduled, dispatched)", r.deliveredSeconds(), tasks));
        rows.add(phase("the manager took every running report", r.reportedSeconds(), tasks));
        rows.add(phase("the control API showed all " + tasks + " tasks running", r.runningSeconds(), tasks));
        double rate = r.tasksPerSecond();
        StringBuilder s = new StringBuilder();
        s.append("%d workers (%s), %d services x %d replicas:%n"
                .formatted(o.workers(), r.fleet(), o.services(), o.replicas()));
        s.append(TextTable.columns(rows, 1));
        s.append("Goal: at least %.0f tasks/s (Nomad's C1M). skep: %.0f tasks/s, %.2fx the goal: %s%n"
                .formatted(GOAL, rate, rate / GOAL, rate >= GOAL ? "met" : "not met"));
        s.append("Join (not in the figure): %d workers in %.2f s (%.0f/s); their sessions opened in %.2f s%n"
                .formatted(o.workers(), r.joinSeconds(), o.workers() / r.joinSeconds(), r.sessionSeconds()));
        String manager = o.managers() == 1 ? "Manager" : "Leader";
        s.append(manager
                + " over the timed phase: CPU %.1f s in %.2f s = %.2f cores; heap: peak used %s MB, peak after GC"
                        .formatted(
                                r.managerCpuSeconds(),
                                r.runningSeconds(),
                                r.managerCpuSeconds() / r.runningSeconds(),
                                f0(r.heap().peakBeforeMb())));
        s.append(" %s MB, peak committed %s MB (%d GC pauses, %.0f ms in all)%n"
                .formatted(
                        f0(r.heap().peakAfterMb()),
                        f0(r.heap().peakCommittedMb()),
                        r.heap().pauses(),
                        r.heap().pauseMillis()));
        s.append(manager
                + " at the end: heap live after a full GC %s MB (committed %s MB); RSS %s MB, peak RSS %s MB%n"
                        .formatted(f0(r.liveHeapMb()), f0(r.committedHeapMb()), f0(r.rssMb()), f0(r.rssPeakMb())));
        if (o.managers() > 1) {
            s.append("Other managers (%d Raft followers): CPU %.1f s = %.2f cores; peak RSS %s MB each at most%n"
                    .formatted(
                            o.managers() - 1,
                            r.followersCpuSeconds(),
                            r.followersCpuSeconds() / r.runningSeconds(),
                            f0(r.followersRssPeakMb())));
        }
        s.append(
                "This JVM (the simulated workers and the driver): CPU %.1f s = %.2f cores; the machine: %s busy of %d cores%n"
                        .formatted(
                                r.benchCpuSeconds(),
                                r.benchCpuSeconds() / r.runningSeconds(),
                                Double.isNaN(r.machineBusy()) ? "?" : "%.0f%%".formatted(r.machineBusy() * 100),
                                Runtime.getRuntime().availableProcessors()));
        return s.toString();
    }

    private static String[] phase(String what, double seconds, long tasks) {
        return Double.isNaN(seconds)
                ? new String[] {what, "?", ""}
                : new String[] {what, f2(seconds), "%.0f".formatted(tasks / seconds)};
    }

    private static String f2(double v) {
        return "%.2f".formatted(v);
    }

    private static String f0(double v) {
        return Double.isNaN(v) ? "?" : "%.0f".formatted(v);
    }

    /** A service of {@code replicas} host processes: the {@code process} runtime, which the workers advertise. */
    static Map<String, Object> serviceSpec(int index, int replicas) {
        return Map.of(
                "Name",
                "scale-%03d".formatted(index),
                "Mode",
                Map.of("Replicated", Map.of("Replicas", replicas)),
                "TaskTemplate",
                Map.of("ContainerSpec", Map.of("Image", "host", "Command", List.of("sleep", "infinity"))));
    }

    /**
     * A manager takes no task (as managers of big swarms are run): its own runtimes stay out of the figure. Asked of
     * {@code via}, the first manager.
     */
    private static void drain(SkepDaemon via, String nodeId) {
        // The node's version moves while a new manager settles (its session, the Raft membership): read it again
        // when the update names an older one.
        SkepDaemon.await(nodeId + " drained", Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
            JsonNode node = via.ok("GET", "/nodes/" + nodeId, null);
            return via.call(
                            "POST",
                            "/nodes/" + nodeId + "/update?version="
                                    + node.path("Version").path("Index").asLong(),
                            Map.of("Role", "manager", "Availability", "drain"))
                    != null;
        });
    }

    private static int reachableManagers(SkepDaemon via) {
        JsonNode list = via.call("GET", "/nodes", null);
        int reachable = 0;
        for (JsonNode n : list == null ? List.<JsonNode>of() : list) {
            reachable += n.path("ManagerStatus").path("Reachability").asText().equals("reachable") ? 1 : 0;
        }
        return reachable;
    }

    /** The manager that leads the Raft group now. */
    private static SkepDaemon leader(SkepDaemon via, List<SkepDaemon> managers) {
        if (managers.size() == 1) {
            return managers.getFirst();
        }
        for (JsonNode n : via.ok("GET", "/nodes", null)) {
            if (n.path("ManagerStatus").path("Leader").asBoolean(false)) {
                String id = n.path("ID").asText();
                return managers.stream()
                        .filter(m -> m.nodeId().equals(id))
                        .findFirst()
                        .orElseThrow();
            }
        }
        throw new IllegalStateException("no leader among the managers");
    }

    private static int readyWorkers(SkepDaemon m) {
        JsonNode list = m.call(
                "GET",
                "/nodes?filters="
                        + java.net.URLEncoder.encode(
                                "{\"role\":[\"worker\"]}", java.nio.charset.StandardCharsets.UTF_8),
                null);
        int ready = 0;
        for (JsonNode n : list == null ? List.<JsonNode>of() : list) {
            ready += n.path("Status").path("State").asText().equals("ready") ? 1 : 0;
        }
        return ready;
    }

    /** The sum of the services' running tasks, as {@code docker service ls} reads it. */
    private static long runningTasks(SkepDaemon m) {
        JsonNode services = m.call("GET", "/services?status=true", null);
        long running = 0;
        for (JsonNode s : services == null ? List.<JsonNode>of() : services) {
            running += s.path("ServiceStatus").path("RunningTasks").asLong();
        }
        return running;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static List<String> readLines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    private static <T> List<T> tail(List<T> list, int from) {
        return list.subList(Math.min(from, list.size()), list.size());
    }

    private static void tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            System.err.println("The manager's log, its last lines (" + log + "):");
            tail(all, Math.max(0, all.size() - lines)).forEach(System.err::println);
        } catch (IOException e) {
            System.err.println("(no manager log: " + e.getMessage() + ")");
        }
    }

    /** At the run's end, and on Ctrl-C (a second call finds nothing left to do): workers, manager, data directory. */
    private static synchronized void cleanUp(List<SkepDaemon> managers, Fleet fleet, Path dir) {
        if (fleet != null) {
            fleet.close();
        }
        managers.forEach(SkepDaemon::close);
        try {
            FileTrees.deleteRecursively(dir);
        } catch (IOException e) {
            System.err.println("WARNING: cannot delete " + dir + ": " + e.getMessage());
        }
    }
}

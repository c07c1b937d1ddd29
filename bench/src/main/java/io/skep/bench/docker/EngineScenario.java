package io.skep.bench.docker;

import io.skep.bench.FileTrees;
import io.skep.bench.docker.Report.LegRun;
import io.skep.bench.docker.Report.Measured;
import io.skep.bench.docker.Step.Shape;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The Docker engine scenario of issue 3 ({@code benchmarks.jar docker}): on one Docker engine, the same four steps
 * (create N replicas, scale to M, rolling update of all M to another image P at a time, remove), each timed until
 * a poll of the engine shows it done, three ways: the raw engine doing the containers itself
 * ({@code docker run -d} / {@code stop} / {@code rm}, P at a time), Docker Swarm mode on that engine, and skep
 * with its docker runtime, the last two driven by the same docker CLI commands. It prints each step's times and
 * skep's ratios to the other two (see README.md). A scenario driver, never run by the build.
 *
 * <p>Everything it creates carries the label {@value #RUN_LABEL} with the run's ID, and is removed at the end of
 * its leg, at the end of the run, or on Ctrl-C: containers, services, the two images, the swarm when this run
 * initialised it, and skep's data directory.
 */
public final class EngineScenario {

    /** On every container and image the run creates: the run's ID. */
    static final String RUN_LABEL = "io.skep.bench.run";
    /** On every container of a leg (warm-up passes included): the leg's name, which its cleanup filters on. */
    static final String LEG_LABEL = "io.skep.bench.leg";
    /** On every container of a pass: the service's name (the raw leg's too), which is what the polls filter on. */
    static final String SERVICE_LABEL = "io.skep.bench.service";
    /** The task: a shell that exits at once on SIGTERM (busybox sleep as PID 1 would ignore it). */
    static final String TASK = "trap 'exit 0' TERM; while :; do sleep 1 & wait $!; done";

    static final String USAGE = """
            usage: java -jar benchmarks.jar docker [--legs=raw,swarm,skep] [--rounds=N] [--replicas=N]
                   [--scale-to=N] [--parallelism=N] [--warmup=N] [--timeout=SECONDS] [--poll=MILLIS] [--pause=SECONDS]
                   [--engine=unix:///PATH] [--docker=PATH] [--skep=PATH] [--busybox=PATH] [--skep-log=PATH]
                   [--verbose] [--trace]
              --legs=LIST         which legs, in this order in the first round (default raw,swarm,skep)
              --rounds=N          every leg N times, in an order that rotates from round to round (default 1)
              --replicas=N        replicas created by the first step (default 20)
              --scale-to=N        replicas after scaling, all updated then removed (default 50)
              --parallelism=N     containers changed at a time: the raw leg's workers and the services'
                                  update parallelism (default 10)
              --warmup=N          untimed passes of the four steps in each leg before its timed one, on the same
                                  swarm and skep daemon (default 0: skep's daemon has just started)
              --timeout=SECONDS   the longest one step may take before its leg fails (default 180)
              --poll=MILLIS       how often the engine is polled during a step (default 100)
              --pause=SECONDS     untimed pause between steps and between legs (default 1)
              --engine=HOST       the Docker engine, a unix socket (default $DOCKER_HOST when it is unix://,
                                  else unix:///var/run/docker.sock)
              --docker=PATH       the docker CLI (default docker, found on the PATH)
              --skep=PATH         skep's bin/skep (default distribution/target/skep/bin/skep, looked for from
                                  the current directory up)
              --busybox=PATH      a static busybox for the two FROM scratch images (default /bin/busybox)
              --skep-log=PATH     keep the skep daemon's log there (the last round's)
              --verbose           print every command, with when it started and how long it took
              --trace             print what every poll saw (running, running the step's image, in all)
            """;

    private EngineScenario() {}

    /** The command line. */
    record Options(
            List<Leg> legs,
            int rounds,
            Shape shape,
            int warmup,
            Duration timeout,
            Duration poll,
            Duration pause,
            String engine,
            String docker,
            Path skep,
            Path busybox,
            Path skepLog,
            boolean verbose,
            boolean trace) {

        static Options parse(Map<String, String> env, String... args) {
            List<Leg> legs = List.of(Leg.values());
            int rounds = 1;
            int replicas = 20;
            int scaleTo = 50;
            int parallelism = 10;
            int warmup = 0;
            Duration timeout = Duration.ofSeconds(180);
            Duration poll = Duration.ofMillis(100);
            Duration pause = Duration.ofSeconds(1);
            String dockerHost = env.getOrDefault("DOCKER_HOST", "");
            String engine = dockerHost.startsWith("unix://") ? dockerHost : "unix:///var/run/docker.sock";
            String docker = "docker";
            Path skep = null;
            Path busybox = null;
            Path skepLog = null;
            boolean verbose = false;
            boolean trace = false;
            for (String arg : args) {
                if (arg.equals("--help") || arg.equals("-h")) {
                    throw new IllegalArgumentException("");
                }
                if (arg.equals("--verbose") || arg.equals("--trace")) {
                    verbose |= arg.equals("--verbose");
                    trace |= arg.equals("--trace");
                    continue;
                }
                int eq = arg.indexOf('=');
                String name = eq < 0 ? arg : arg.substring(0, eq);
                String value = eq < 0 ? null : arg.substring(eq + 1);
                if (value == null || value.isEmpty()) {
                    throw new IllegalArgumentException("expected --name=value, got '" + arg + "'");
                }
                try {
                    switch (name) {
                        case "--legs" -> legs = legs(value);
                        case "--rounds" -> rounds = atLeast(1, Integer.parseInt(value), name);
                        case "--replicas" -> replicas = atLeast(1, Integer.parseInt(value), name);
                        case "--scale-to" -> scaleTo = atLeast(2, Integer.parseInt(value), name);
                        case "--parallelism" -> parallelism = atLeast(1, Integer.parseInt(value), name);
                        case "--warmup" -> warmup = atLeast(0, Integer.parseInt(value), name);
                        case "--timeout" -> timeout = Duration.ofMillis(atLeast(1000, seconds(value), name));
                        case "--poll" -> poll = Duration.ofMillis(atLeast(10, Long.parseLong(value), name));
                        case "--pause" -> pause = Duration.ofMillis(atLeast(0, seconds(value), name));
                        case "--engine" -> {
                            EngineApi.socketOf(value);
                            engine = value;
                        }
                        case "--docker" -> docker = value;
                        case "--skep" -> skep = Path.of(value);
                        case "--busybox" -> busybox = Path.of(value);
                        case "--skep-log" -> skepLog = Path.of(value);
                        default -> throw new IllegalArgumentException("unknown option '" + name + "'");
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(name + ": not a number: '" + value + "'");
                } catch (IllegalArgumentException e) {
                    throw e.getMessage().startsWith("--") || e.getMessage().startsWith("unknown")
                            ? e
                            : new IllegalArgumentException(name + ": " + e.getMessage());
                }
            }
            if (scaleTo <= replicas) {
                throw new IllegalArgumentException(
                        "--scale-to must be more than --replicas (" + replicas + "), got " + scaleTo);
            }
            return new Options(
                    legs,
                    rounds,
                    new Shape(replicas, scaleTo, parallelism),
                    warmup,
                    timeout,
                    poll,
                    pause,
                    engine,
                    docker,
                    skep,
                    busybox,
                    skepLog,
                    verbose,
                    trace);
        }

        private static List<Leg> legs(String list) {
            Set<Leg> legs = new LinkedHashSet<>();
            for (String name : list.split(",")) {
                if (!legs.add(Leg.parse(name))) {
                    throw new IllegalArgumentException("--legs: '" + name.trim() + "' twice");
                }
            }
            return List.copyOf(legs);
        }

        private static long seconds(String value) {
            return Math.round(Double.parseDouble(value) * 1000);
        }

        private static <N extends Number> N atLeast(long min, N value, String name) {
            if (value.longValue() < min) {
                boolean seconds = name.equals("--timeout") || name.equals("--pause");
                throw new IllegalArgumentException(name + " must be at least " + (seconds ? min / 1000.0 : min)
                        + ", got " + (seconds ? value.longValue() / 1000.0 : value));
            }
            return value;
        }
    }

    public static void main(String[] args) {
        io.skep.bench.Driver.main(
                args,
                USAGE,
                a -> Options.parse(System.getenv(), a),
                (options, out) -> new EngineScenario.Run(options, out).run());
    }

    /** {@code list} rotated left by {@code by}. */
    static <T> List<T> rotated(List<T> list, int by) {
        List<T> out = new ArrayList<>(list);
        Collections.rotate(out, -(by % Math.max(1, list.size())));
        return out;
    }

    /** The v1 or v2 image's Dockerfile: the version label comes first, so that the two share no build cache. */
    static String dockerfile(String version) {
        return """
                FROM scratch
                LABEL io.skep.bench.image=%s
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "--install", "-s", "/bin"]
                CMD ["/bin/sh", "-c", "%s"]
                """.formatted(version, TASK.replace("\"", "\\\""));
    }

    /** One run of the scenario: its ID, its images, its cleanup. */
    static final class Run {

        private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);
        private static final Duration POLL_TIMEOUT = Duration.ofSeconds(10);

        private final Options options;
        private final PrintStream out;
        private final String id = HexFormat.of()
                .toHexDigits(ThreadLocalRandom.current().nextInt())
                .substring(2);
        private final Cli cli;
        private final EngineApi engine;
        /** The engine's process, when it is known on this machine (its CPU time is shown per step), or null. */
        private final ProcessHandle dockerd;

        private final Cleanup cleanup = new Cleanup(System.err);
        private String v1;
        private String v2;
        private String v1Id;
        private String v2Id;

        Run(Options options, PrintStream out) {
            this.options = options;
            this.out = out;
            this.cli = new Cli(options.docker(), options.verbose(), out);
            this.engine = new EngineApi(options.engine());
            this.dockerd = dockerd(options.engine());
        }

        /**
         * The default engine's process from its pid file; any other engine's when it is the only dockerd here.
         */
        private static ProcessHandle dockerd(String engine) {
            Path pidFile = Path.of("/var/run/docker.pid");
            if (engine.equals("unix:///var/run/docker.sock") && Files.isReadable(pidFile)) {
                try {
                    return ProcessHandle.of(
                                    Long.parseLong(Files.readString(pidFile).strip()))
                            .orElse(null);
                } catch (IOException | NumberFormatException e) {
                    return null;
                }
            }
            List<ProcessHandle> all = ProcessHandle.allProcesses()
                    .filter(p ->
                            p.info().command().map(c -> c.endsWith("/dockerd")).orElse(false))
                    .toList();
            return all.size() == 1 ? all.getFirst() : null;
        }

        int run() throws Exception {
            Thread hook = new Thread(
                    () -> {
                        cli.stop();
                        System.err.println("Stopping: removing what run " + id + " created ...");
                        cleanup.runAll();
                    },
                    "engine-scenario-cleanup");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                return runLegs();
            } finally {
                cleanup.runAll();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running or has run
                }
            }
        }

        private int runLegs() throws Exception {
            Path skep = null;
            if (options.legs().contains(Leg.SKEP)) {
                skep = options.skep() != null
                        ? options.skep()
                        : io.skep.bench.FileTrees.findUp(Path.of(""), "distribution/target/skep/bin/skep");
                if (skep == null || !Files.isExecutable(skep)) {
                    throw new IOException("no skep image ("
                            + (skep == null
                                    ? "distribution/target/skep/bin/skep not found from "
                                            + Path.of("").toAbsolutePath()
                                    : skep + " is not executable")
                            + "): build it with ./mvnw -B -q install -DskipTests, or give --skep=PATH");
                }
            }
            String client = cli.docker(options.engine(), CLI_TIMEOUT, "version", "--format", "{{.Client.Version}}")
                    .check()
                    .output()
                    .strip();
            out.printf(
                    "Docker engine scenario, run %s: %s at %s (%s); docker CLI %s.%n",
                    id,
                    engine.describe(POLL_TIMEOUT),
                    options.engine(),
                    dockerd == null ? "its process unknown here" : "dockerd pid " + dockerd.pid(),
                    client);
            Shape shape = options.shape();
            out.printf(
                    "Steps: create %d replicas; scale to %d; update all %d to the v2 image, %d at a time, no delay;"
                            + " remove. Each timed from its first command until a poll of the engine (every %d ms) shows it"
                            + " done, within %d s.%n",
                    shape.replicas(),
                    shape.scaleTo(),
                    shape.scaleTo(),
                    shape.parallelism(),
                    options.poll().toMillis(),
                    options.timeout().toSeconds());
            Path image = skep;
            out.printf(
                    "Legs: %s.%n",
                    String.join(
                            "; ",
                            options.legs().stream()
                                    .map(leg -> switch (leg) {
                                        case RAW ->
                                            "raw (docker run -d / stop / rm, " + shape.parallelism() + " at a time)";
                                        case SWARM -> "Swarm (Docker Swarm mode on this engine)";
                                        case SKEP -> "skep (its docker runtime; " + image + ")";
                                    })
                                    .toList()));

            buildImages();
            cleanup.add("remove the containers of run " + id, () -> removeContainers(RUN_LABEL + "=" + id));

            List<LegRun> runs = new ArrayList<>();
            for (int round = 1; round <= options.rounds(); round++) {
                for (Leg leg : rotated(options.legs(), round - 1)) {
                    LegRun run = runLeg(leg, round, skep);
                    runs.add(run);
                    out.println(Report.line(run, options.rounds()));
                    sleep(options.pause());
                }
            }
            out.println();
            out.print(Report.table(shape, options.legs(), runs));
            return runs.stream().anyMatch(r -> r.failure() != null) ? 1 : 0;
        }

        /** Builds the v1 and v2 images FROM scratch with busybox, and checks that a task stops on SIGTERM. */
        private void buildImages() throws Exception {
            Path busybox = options.busybox();
            if (busybox == null) {
                busybox = Stream.of("/bin/busybox", "/usr/bin/busybox")
                        .map(Path::of)
                        .filter(Files::isExecutable)
                        .findFirst()
                        .orElseThrow(() -> new IOException("no busybox in /bin or /usr/bin: install a"
                                + " static one (Debian: busybox-static) or give --busybox=PATH"));
            }
            Path context = Files.createTempDirectory("skep-engine-bench-image");
            try {
                Files.copy(busybox, context.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
                v1 = "skep-bench-" + id + "/task:v1";
                v2 = "skep-bench-" + id + "/task:v2";
                v1Id = build(context, "v1", v1);
                v2Id = build(context, "v2", v2);
            } finally {
                FileTrees.deleteRecursively(context);
            }
            String probe = "skepbench-" + id + "-probe";
            cli.docker(options.engine(), CLI_TIMEOUT, "run", "-d", "--name", probe, "--label", RUN_LABEL + "=" + id, v1)
                    .check();
            long start = System.nanoTime();
            cli.docker(options.engine(), CLI_TIMEOUT, "stop", probe).check();
            double stopped = (System.nanoTime() - start) / 1e9;
            cli.docker(options.engine(), CLI_TIMEOUT, "rm", probe).check();
            out.printf(
                    "Images: %s (%s) and %s (%s), FROM scratch with %s; a task stops on SIGTERM in %.2f s.%n%n",
                    v1,
                    v1Id.substring(0, Math.min(19, v1Id.length())),
                    v2,
                    v2Id.substring(0, Math.min(19, v2Id.length())),
                    busybox,
                    stopped);
            if (stopped > 5) {
                throw new IOException("the task image does not stop promptly on SIGTERM (" + stopped + " s)");
            }
        }

        private String build(Path context, String version, String tag) throws Exception {
            Files.writeString(context.resolve("Dockerfile." + version), dockerfile(version), StandardCharsets.UTF_8);
            cleanup.add("remove the image " + tag, () -> cli.cleanup(options.engine(), CLI_TIMEOUT, "rmi", tag));
            cli.docker(
                            options.engine(),
                            Duration.ofMinutes(5),
                            "build",
                            "-q",
                            "--label",
                            RUN_LABEL + "=" + id,
                            "-f",
                            context.resolve("Dockerfile." + version).toString(),
                            "-t",
                            tag,
                            context.toString())
                    .check();
            return cli.docker(options.engine(), CLI_TIMEOUT, "image", "inspect", "--format", "{{.Id}}", tag)
                    .check()
                    .output()
                    .strip();
        }

        /**
         * One leg of one round: set up, the untimed warm-up passes of the four steps (each printed), the timed pass,
         * torn down whatever happened.
         */
        private LegRun runLeg(Leg leg, int round, Path skep) {
            String name = "skepbench-" + id + "-" + leg.option() + round;
            Map<Step, Measured> steps = new EnumMap<>(Step.class);
            List<Cleanup.Action> undo = new ArrayList<>();
            String failure = null;
            Path[] daemonLog = new Path[1];
            ProcessHandle[] daemon = new ProcessHandle[1];
            try {
                Driver driver = switch (leg) {
                    case RAW -> raw(name, undo);
                    case SWARM -> swarm(name, undo);
                    case SKEP -> skep(name, skep, undo, daemonLog, daemon);
                };
                for (int pass = 1; pass <= options.warmup() + 1; pass++) {
                    boolean warmup = pass <= options.warmup();
                    String service = warmup ? name + "-warmup" + pass : name;
                    steps.clear();
                    for (Step step : Step.values()) {
                        sleep(options.pause());
                        steps.put(step, measure(step, driver, service, daemon[0]));
                    }
                    if (warmup) {
                        out.println(Report.line(new LegRun(leg, round, steps, null), options.rounds())
                                .replaceFirst("^round", "warm-up " + pass + ", round"));
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = "interrupted";
            } catch (Exception e) {
                failure = (steps.size() < Step.values().length
                                ? "at " + Step.values()[steps.size()].name().toLowerCase(Locale.ROOT) + ": "
                                : "")
                        + message(e);
                if (daemonLog[0] != null) {
                    failure += "\n  skep daemon log, last lines:\n" + tail(daemonLog[0], 25);
                }
            } finally {
                Collections.reverse(undo);
                undo.forEach(Cleanup.Action::run);
            }
            return new LegRun(leg, round, steps, failure);
        }

        /**
         * What a leg does for each step of a pass (one service): issue its commands; the future completes when they
         * have returned.
         */
        interface Driver {
            CompletableFuture<?> issue(Step step, String service);
        }

        private Driver raw(String leg, List<Cleanup.Action> undo) {
            undo.add(cleanup.add("remove the containers of " + leg, () -> removeContainers(LEG_LABEL + "=" + leg)));
            Shape shape = options.shape();
            return (step, service) -> {
                List<Callable<Void>> jobs = new ArrayList<>();
                switch (step) {
                    case CREATE -> range(1, shape.replicas()).forEach(i -> jobs.add(() -> runRaw(leg, service, i, v1)));
                    case SCALE ->
                        range(shape.replicas() + 1, shape.scaleTo())
                                .forEach(i -> jobs.add(() -> runRaw(leg, service, i, v1)));
                    case UPDATE ->
                        range(1, shape.scaleTo())
                                .forEach(i -> jobs.add(() -> {
                                    rawCommand("stop", service + "." + i);
                                    rawCommand("rm", service + "." + i);
                                    return runRaw(leg, service, i, v2);
                                }));
                    case REMOVE ->
                        range(1, shape.scaleTo())
                                .forEach(i -> jobs.add(() -> {
                                    rawCommand("stop", service + "." + i);
                                    rawCommand("rm", service + "." + i);
                                    return null;
                                }));
                }
                return inParallel(jobs, shape.parallelism());
            };
        }

        private Void runRaw(String leg, String service, int slot, String image) throws Exception {
            rawCommand(
                    "run",
                    "-d",
                    "--name",
                    service + "." + slot,
                    "--label",
                    RUN_LABEL + "=" + id,
                    "--label",
                    LEG_LABEL + "=" + leg,
                    "--label",
                    SERVICE_LABEL + "=" + service,
                    image);
            return null;
        }

        private void rawCommand(String... args) throws Exception {
            cli.docker(options.engine(), options.timeout(), args).check();
        }

        /** The jobs on {@code parallelism} workers; completes when all have ended, failed if one failed. */
        private static CompletableFuture<Void> inParallel(List<Callable<Void>> jobs, int parallelism) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("raw-leg").start(() -> {
                ExecutorService pool = Executors.newFixedThreadPool(parallelism);
                try {
                    Exception failure = null;
                    for (Future<Void> f : pool.invokeAll(jobs)) {
                        try {
                            f.get();
                        } catch (ExecutionException e) {
                            if (failure == null) {
                                failure = e.getCause() instanceof Exception x ? x : e;
                            }
                        }
                    }
                    if (failure == null) {
                        done.complete(null);
                    } else {
                        done.completeExceptionally(failure);
                    }
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                } finally {
                    pool.shutdownNow();
                }
            });
            return done;
        }

        private Driver swarm(String leg, List<Cleanup.Action> undo) throws Exception {
            String state = cli.docker(
                            options.engine(),
                            CLI_TIMEOUT,
                            "info",
                            "--format",
                            "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}")
                    .check()
                    .output()
                    .strip();
            switch (state) {
                case "inactive false" -> {
                    undo.add(cleanup.add(
                            "leave the swarm that run " + id + " initialised",
                            () -> cli.cleanup(options.engine(), CLI_TIMEOUT, "swarm", "leave", "--force")
                                    .check()));
                    cli.docker(
                                    options.engine(),
                                    CLI_TIMEOUT,
                                    "swarm",
                                    "init",
                                    "--advertise-addr",
                                    "127.0.0.1",
                                    "--listen-addr",
                                    "127.0.0.1:2377")
                            .check();
                }
                case "active true" -> {
                    // the engine is already a swarm manager: use its swarm, and leave it as it is
                }
                default ->
                    throw new IOException("the engine is in the swarm state '" + state
                            + "': neither a manager nor outside any swarm");
            }
            List<String> created = Collections.synchronizedList(new ArrayList<>());
            undo.add(cleanup.add("remove the Swarm services of " + leg, () -> {
                for (String service : List.copyOf(created)) {
                    cli.cleanup(options.engine(), CLI_TIMEOUT, "service", "rm", service);
                }
                removeContainersOf(leg, Duration.ofSeconds(30));
            }));
            return services(options.engine(), leg, created);
        }

        private Driver skep(
                String leg, Path skep, List<Cleanup.Action> undo, Path[] daemonLog, ProcessHandle[] daemonHandle)
                throws Exception {
            Path dir = Files.createTempDirectory("skep-engine-bench");
            undo.add(cleanup.add("delete " + dir, () -> FileTrees.deleteRecursively(dir)));
            String socket = "unix://" + dir.resolve("skep.sock");
            Path log = dir.resolve("daemon.log");
            daemonLog[0] = log;
            ProcessBuilder builder = new ProcessBuilder(
                            skep.toString(),
                            "daemon",
                            "--data-dir",
                            dir.resolve("data").toString(),
                            "-H",
                            socket,
                            "--raft-port",
                            "0",
                            "--listen-addr",
                            "127.0.0.1:0")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Stream.of("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_API_VERSION", "SKEP_HOST")
                    .forEach(builder.environment()::remove);
            builder.environment().put("DOCKER_HOST", options.engine()); // the engine its docker runtime drives
            if (cli.stopping()) {
                throw new IOException("stopping");
            }
            Process daemon = builder.start();
            daemonHandle[0] = daemon.toHandle(); // bin/skep execs the JVM: this is the daemon itself
            undo.add(cleanup.add("stop the skep daemon and remove the containers of " + leg, () -> {
                stop(daemon);
                if (options.skepLog() != null) {
                    Files.copy(log, options.skepLog(), StandardCopyOption.REPLACE_EXISTING);
                }
                removeContainers(LEG_LABEL + "=" + leg);
            }));
            List<String> skepCli = List.of(skep.toString(), "-H", socket);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!skepCommand(skepCli, "version").ok()) {
                if (!daemon.isAlive()) {
                    throw new IOException("the skep daemon exited with " + daemon.exitValue());
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("the skep daemon did not answer within 60 s");
                }
                sleep(Duration.ofMillis(200));
            }
            skepCommand(skepCli, "swarm", "init").check();
            String plugins = skepCommand(skepCli, "plugin", "ls").check().output();
            if (plugins.lines().noneMatch(line -> line.matches("(?i).*\\bdocker\\b.*"))) {
                throw new IOException("this skep image has no docker runtime; rebuild it (./mvnw -B -q install"
                        + " -DskipTests) once io.skep.runtime.docker is in it. skep plugin ls:\n" + plugins.strip());
            }
            return services(socket, leg, new ArrayList<>());
        }

        private Cli.Result skepCommand(List<String> skepCli, String... args) throws Exception {
            List<String> command = new ArrayList<>(skepCli);
            command.addAll(List.of(args));
            return cli.run(command, Map.of(), CLI_TIMEOUT, false);
        }

        /**
         * Swarm and skep: the same docker CLI commands, against the engine or against skep's socket. The services
         * it creates are added to {@code created}.
         */
        private Driver services(String host, String leg, List<String> created) {
            Shape shape = options.shape();
            return (step, service) -> {
                if (step == Step.CREATE) {
                    created.add(service);
                }
                String[] args = switch (step) {
                    case CREATE ->
                        new String[] {
                            "service",
                            "create",
                            "-d",
                            "--no-resolve-image",
                            "--name",
                            service,
                            "--replicas",
                            Integer.toString(shape.replicas()),
                            "--update-parallelism",
                            Integer.toString(shape.parallelism()),
                            "--update-delay",
                            "0s",
                            "--container-label",
                            RUN_LABEL + "=" + id,
                            "--container-label",
                            LEG_LABEL + "=" + leg,
                            "--container-label",
                            SERVICE_LABEL + "=" + service,
                            "--label",
                            "io.skep.runtime=docker",
                            v1
                        };
                    case SCALE -> new String[] {"service", "scale", "-d", service + "=" + shape.scaleTo()};
                    case UPDATE ->
                        new String[] {"service", "update", "-d", "--no-resolve-image", "--image", v2, service};
                    case REMOVE -> new String[] {"service", "rm", service};
                };
                return cli.dockerAsync(host, options.timeout(), args).thenApply(result -> {
                    try {
                        return result.check();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            };
        }

        /**
         * Issues the step and polls the engine until it shows the step done and the commands have returned; also
         * when its first effect showed, and the CPU time dockerd and the skep daemon (when there is one) used.
         */
        private Measured measure(Step step, Driver driver, String service, ProcessHandle skepDaemon) throws Exception {
            Shape shape = options.shape();
            String label = SERVICE_LABEL + "=" + service;
            String image = step.toV2() ? v2Id : v1Id;
            int before = step.progress(snapshot(label, image));
            Duration engineCpu = cpu(dockerd);
            Duration skepCpu = cpu(skepDaemon);
            long start = System.nanoTime();
            long deadline = start + options.timeout().toNanos();
            CompletableFuture<?> issued = driver.issue(step, service);
            Duration first = null;
            int peak = 0;
            long tick = start;
            while (true) {
                Snapshot s = snapshot(label, image);
                long now = System.nanoTime();
                peak = Math.max(peak, s.running());
                if (options.trace()) {
                    out.printf(
                            "  %s %-6s %7.3f s: %d running, %d of them %s, %d in all%n",
                            service,
                            step.name().toLowerCase(Locale.ROOT),
                            (now - start) / 1e9,
                            s.running(),
                            s.runningWithImage(),
                            step.toV2() ? "v2" : "v1",
                            s.all());
                }
                if (first == null && step.progress(s) != before) {
                    first = Duration.ofNanos(now - start);
                }
                if (issued.isDone()) {
                    try {
                        issued.join();
                    } catch (Exception e) {
                        throw new IOException(message(e), e);
                    }
                    if (step.done(s, shape)) {
                        int most = step == Step.CREATE ? shape.replicas() : shape.scaleTo();
                        if (peak > most) {
                            out.printf(
                                    "  note: %s ran %d containers at once during '%s' (%d expected)%n",
                                    service, peak, step.label(shape), most);
                        }
                        return new Measured(
                                Duration.ofNanos(now - start),
                                first,
                                used(dockerd, engineCpu),
                                used(skepDaemon, skepCpu));
                    }
                }
                if (now > deadline) {
                    issued.cancel(true);
                    throw new TimeoutException(
                            "not done within " + options.timeout().toSeconds() + " s: the engine"
                                    + " shows " + s.running() + " running (" + s.runningWithImage() + " of "
                                    + (step.toV2() ? "v2" : "v1") + "), " + s.all() + " in all");
                }
                tick += options.poll().toNanos();
                long wait = tick - System.nanoTime();
                if (wait > 0 && !issued.isDone()) {
                    try {
                        issued.get(wait, TimeUnit.NANOSECONDS); // poll at once when the commands return
                    } catch (TimeoutException | ExecutionException | java.util.concurrent.CancellationException e) {
                        // the next poll, or the failure on the next round
                    }
                } else if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } else {
                    tick = System.nanoTime();
                }
            }
        }

        /** The CPU time the process has used so far, or null if it is unknown (or there is no process). */
        private static Duration cpu(ProcessHandle process) {
            return process == null ? null : process.info().totalCpuDuration().orElse(null);
        }

        private static Duration used(ProcessHandle process, Duration before) {
            Duration now = cpu(process);
            return now == null || before == null ? null : now.minus(before);
        }

        private Snapshot snapshot(String label, String image) throws IOException {
            return Snapshot.of(engine.containers(label, POLL_TIMEOUT), image);
        }

        /** Waits up to {@code wait} for the leg's containers to go (services removed), then removes the rest. */
        private void removeContainersOf(String leg, Duration wait) throws Exception {
            String label = LEG_LABEL + "=" + leg;
            long deadline = System.nanoTime() + wait.toNanos();
            while (!engine.containers(label, POLL_TIMEOUT).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            removeContainers(label);
        }

        /** {@code docker rm -f} of every container with this label. */
        private void removeContainers(String label) throws Exception {
            List<String> ids = engine.containers(label, POLL_TIMEOUT).stream()
                    .map(Snapshot.Container::id)
                    .toList();
            if (!ids.isEmpty()) {
                List<String> args = new ArrayList<>(List.of("rm", "-f"));
                args.addAll(ids);
                cli.cleanup(options.engine(), CLI_TIMEOUT, args.toArray(String[]::new))
                        .check();
            }
        }

        /** Stops the daemon: SIGTERM, then SIGKILL after 30 s. */
        private static void stop(Process daemon) throws InterruptedException {
            daemon.destroy();
            if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
                daemon.waitFor(10, TimeUnit.SECONDS);
            }
        }

        private void sleep(Duration d) throws InterruptedException {
            if (!d.isZero() && !cli.stopping()) {
                Thread.sleep(d);
            }
        }
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> list = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            list.add(i);
        }
        return list;
    }

    private static String message(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException
                        || t instanceof ExecutionException
                        || t instanceof UncheckedIOException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join(
                    "\n",
                    all.subList(Math.max(0, all.size() - lines), all.size()).stream()
                            .map(line -> "    " + line)
                            .toList());
        } catch (IOException | UncheckedIOException e) {
            return "    (unreadable: " + e.getMessage() + ")";
        }
    }
}

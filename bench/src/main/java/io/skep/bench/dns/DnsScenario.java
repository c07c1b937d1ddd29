package io.skep.bench.dns;

import io.skep.bench.ScenarioArgs;
import io.skep.bench.dns.DnsReport.Leg;
import io.skep.bench.dns.DnsReport.LegRun;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Issue 13's DNS measure: queries per second answered by skep's service-discovery DNS server ÷ Docker's embedded DNS on
 * a user-defined bridge network of the same engine, in the same run. The same generator ({@link DnsLoad}, a JVM of its
 * own) runs in turn inside a Docker container's network namespace against 127.0.0.11:53 ({@link DockerSide}) and
 * inside a namespace joined to this one by a veth pair against a {@link io.skep.core.discovery.DnsServer} in this JVM
 * ({@link SkepSide}); the legs alternate which goes first from round to round, and the report gives the median of the
 * ratios within each round ({@link DnsReport}). Everything made for the run is removed at its end, on failure and on
 * Ctrl-C.
 */
public final class DnsScenario {

    static final String USAGE = """
            Usage: java -jar benchmarks.jar dns [--rounds=3] [--warmup-rounds=1] [--seconds=5] [--warmup=2]
                   [--window=64] [--timeout-ms=1000] [--docker=PATH] [--busybox=PATH] [--java=PATH]
              --rounds=N       rounds; each runs both legs, which goes first alternating
              --warmup-rounds=N  rounds before, printed but not counted (skep's server runs in this JVM: its JIT)
              --seconds=N      how long each leg's replies are counted
              --warmup=N       seconds of load before, not counted (each leg's generator is a new JVM)
              --window=N       queries the generator keeps outstanding
              --timeout-ms=N   a query without a reply after this long is lost
              --docker=PATH    the docker CLI (default: docker on the PATH; the engine of DOCKER_HOST or the default)
              --busybox=PATH   a static busybox for the FROM scratch image (default /bin/busybox)
              --java=PATH      the java that runs the generator (default: this JVM's)
            Needs root (network namespaces, nsenter) and a Docker engine on this machine.
            """;

    private DnsScenario() {}

    /** The command line. */
    record Options(
            int rounds,
            int warmupRounds,
            int seconds,
            int warmup,
            int window,
            int timeoutMillis,
            String docker,
            Path busybox,
            Path java) {

        static Options parse(String... args) {
            long rounds = 3;
            long warmupRounds = 1;
            long seconds = 5;
            long warmup = 2;
            long window = 64;
            long timeoutMillis = 1000;
            String docker = "docker";
            Path busybox = null;
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            for (String arg : args) {
                if (arg.equals("--help") || arg.equals("-h")) {
                    throw new IllegalArgumentException("");
                }
                int eq = arg.indexOf('=');
                String key = eq < 0 ? arg : arg.substring(0, eq);
                String value = eq < 0 ? "" : arg.substring(eq + 1);
                if (value.isEmpty()) {
                    throw new IllegalArgumentException("expected --name=value, got '" + arg + "'");
                }
                switch (key) {
                    case "--rounds" -> rounds = ScenarioArgs.whole(key, value, 1);
                    case "--warmup-rounds" -> warmupRounds = ScenarioArgs.whole(key, value, 0);
                    case "--seconds" -> seconds = ScenarioArgs.whole(key, value, 1);
                    case "--warmup" -> warmup = ScenarioArgs.whole(key, value, 0);
                    case "--window" -> window = ScenarioArgs.whole(key, value, 1);
                    case "--timeout-ms" -> timeoutMillis = ScenarioArgs.whole(key, value, 1);
                    case "--docker" -> docker = value;
                    case "--busybox" -> busybox = Path.of(value);
                    case "--java" -> java = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option '" + key + "'");
                }
            }
            return new Options(
                    (int) Math.min(rounds, 1000),
                    (int) Math.min(warmupRounds, 1000),
                    (int) Math.min(seconds, 3600),
                    (int) Math.min(warmup, 3600),
                    (int) Math.min(window, 32_768),
                    (int) Math.min(timeoutMillis, 60_000),
                    docker,
                    busybox,
                    java);
        }
    }

    public static void main(String[] args) {
        io.skep.bench.Driver.main(args, USAGE, Options::parse, DnsScenario::run);
    }

    /**
     * Why this machine cannot run the scenario (not root; no {@code ip netns}, {@code nsenter} or Docker engine), or
     * null when it can.
     */
    static String unavailableReason(String docker) throws InterruptedException {
        try {
            if (!Commands.ok("id", "-u").equals("0")) {
                return "not root";
            }
        } catch (IOException e) {
            return "cannot tell whether root: " + e.getMessage();
        }
        if (!Commands.works("ip", "netns", "list")) {
            return "ip netns does not work";
        }
        if (!Commands.works("nsenter", "--version")) {
            return "no nsenter";
        }
        if (!Commands.works(docker, "info")) {
            return "no Docker engine (" + docker + " info fails)";
        }
        return null;
    }

    /** The generators' order in round {@code round} (0-based): Docker first in even rounds, skep in odd ones. */
    static List<Leg> order(int round) {
        return round % 2 == 0 ? List.of(Leg.DOCKER, Leg.SKEP) : List.of(Leg.SKEP, Leg.DOCKER);
    }

    static int run(Options options, PrintStream out) throws Exception {
        String unavailable = unavailableReason(options.docker());
        if (unavailable != null) {
            throw new IOException("the DNS scenario cannot run here: " + unavailable);
        }
        Path busybox = busybox(options.busybox());
        String id = Long.toString(
                ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36, 36L * 36 * 36 * 36 * 36 * 36), 36);
        // two /24s of the benchmarking range, random per run so that parallel runs do not meet
        int octet = 2 * ThreadLocalRandom.current().nextInt(100, 127);
        Undo undo = new Undo(System.err);
        Thread hook = new Thread(undo::runAll, "dns-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            Target docker = DockerSide.start(id, options.docker(), busybox, "198.19." + octet + ".0/24", undo);
            Target skep = SkepSide.start(id, "198.19." + (octet + 1), undo);
            out.printf(
                    Locale.ROOT,
                    "DNS scenario %s: Docker's embedded DNS at %s (from a container on a user-defined bridge network),"
                            + " skep's DnsServer at %s (from a namespace behind a veth); %d round(s) of %d s after %d"
                            + " warm-up round(s), each leg after %d s of warm-up, %d queries outstanding, A %s.%n%n",
                    id,
                    docker.server().getAddress().getHostAddress() + ":"
                            + docker.server().getPort(),
                    skep.server().getAddress().getHostAddress() + ":"
                            + skep.server().getPort(),
                    options.rounds(),
                    options.seconds(),
                    options.warmupRounds(),
                    options.warmup(),
                    options.window(),
                    docker.name());
            List<LegRun> runs = new ArrayList<>();
            for (int round = 0; round < options.warmupRounds() + options.rounds(); round++) {
                boolean counted = round >= options.warmupRounds();
                for (Leg leg : order(round)) {
                    LegRun run = generate(
                            undo,
                            options,
                            leg,
                            counted ? round - options.warmupRounds() + 1 : round + 1,
                            leg == Leg.DOCKER ? docker : skep,
                            out);
                    out.println((counted ? "" : "(warm-up) ") + run.line());
                    if (counted) {
                        runs.add(run);
                    }
                }
            }
            out.println();
            out.print(DnsReport.table(runs));
            return runs.stream().allMatch(r -> r.result().wrong() == 0) ? 0 : 1;
        } finally {
            undo.runAll();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Ctrl-C: the JVM is shutting down, and the hook finds nothing left to undo
            }
        }
    }

    /** One generator run in the target's namespace; its CPU figure is the server's, over the measured time. */
    static LegRun generate(Undo undo, Options options, Leg leg, int round, Target target, PrintStream out)
            throws IOException, InterruptedException {
        DnsLoad.Options load = new DnsLoad.Options(
                target.server(),
                target.name(),
                target.expect(),
                Duration.ofSeconds(options.seconds()),
                Duration.ofSeconds(options.warmup()),
                options.window(),
                Duration.ofMillis(options.timeoutMillis()));
        List<String> command = new ArrayList<>(List.of(
                "nsenter",
                "--net=" + target.namespace(),
                "--",
                options.java().toString(),
                "-XX:+UseSerialGC",
                "-Xmx128m",
                "-cp",
                classPath(),
                DnsLoad.class.getName()));
        command.addAll(List.of(load.toArgs()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        undo.add("stop the " + leg.option + " generator", process::destroyForcibly); // on Ctrl-C: it is in the netns
        process.getOutputStream().close();
        Duration cpuFrom = null;
        Duration cpuTo = null;
        DnsLoad.Result result = null;
        List<String> other = new ArrayList<>();
        try (BufferedReader lines =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.equals(DnsLoad.MEASURING)) {
                    cpuFrom = target.serverCpu().get();
                } else if (line.startsWith(DnsLoad.Result.PREFIX)) {
                    cpuTo = target.serverCpu().get();
                    result = DnsLoad.Result.parse(line);
                } else {
                    other.add(line);
                    out.println("  " + leg.option + " generator: " + line);
                }
            }
        } finally {
            long limit = options.warmup() + options.seconds() + options.timeoutMillis() / 1000 + 30;
            if (!process.waitFor(limit, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        if (result == null) {
            throw new IOException(leg.option + " generator (exit " + process.waitFor() + ") printed no result"
                    + (other.isEmpty() ? "" : ": " + String.join(" / ", other)));
        }
        double cpu = cpuFrom == null || cpuTo == null || result.answered() == 0
                ? Double.NaN
                : cpuTo.minus(cpuFrom).toNanos() / 1e3 / result.answered();
        return new LegRun(leg, round, result, cpu);
    }

    /** Where the generator's class is (benchmarks.jar, or the module's classes): JDK-only, it runs from there. */
    static String classPath() throws IOException {
        try {
            return Path.of(DnsLoad.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("cannot tell where the generator's class is", e);
        }
    }

    private static Path busybox(Path given) throws IOException {
        if (given != null) {
            if (!Files.isExecutable(given)) {
                throw new IOException("--busybox: " + given + " is not an executable");
            }
            return given;
        }
        return Stream.of("/bin/busybox", "/usr/bin/busybox")
                .map(Path::of)
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IOException(
                        "no busybox in /bin or /usr/bin: install a static one (Debian: busybox-static) or give"
                                + " --busybox=PATH"));
    }
}

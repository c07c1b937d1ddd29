package io.skep.distribution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A jlinked {@code skep} image on disk, driven as an operator would: {@code bin/skep <args>} as a process.
 *
 * <p>The build passes the images' locations as system properties: {@value #IMAGE_PROPERTY} (the full image)
 * and {@value #WITHOUT_PROCESS_PROPERTY} (the same without the process runtime).
 *
 * <p>Processes start from this JVM's environment less the variables through which a JDK could leak in
 * ({@link #JAVA_VARIABLES}), so a passing test shows the image needs no JDK; the caller's map then adds,
 * replaces or (with a {@code null} value) removes variables. Output goes to files, never to pipes, so a chatty
 * process cannot block on a full pipe and the output is still there after a failure.
 *
 * <p>{@code bin/skep} is the shell script jlink writes; it starts {@code bin/java} as its child without
 * {@code exec}. Signals therefore go to the JVM (the script's descendants) first: see {@link Daemon#stop}.
 */
public final class SkepImage {
    /** System property: the full image's home. */
    public static final String IMAGE_PROPERTY = "skep.image";
    /** System property: the home of the image built without {@code io.skep.runtime.process}. */
    public static final String WITHOUT_PROCESS_PROPERTY = "skep.image.withoutProcess";
    /** System property: the home of the client image (the CLI alone). */
    public static final String CLIENT_PROPERTY = "skep.image.client";
    /** Removed from the environment of every process started here. */
    public static final Set<String> JAVA_VARIABLES = Set.of(
            "JAVA_HOME",
            "JDK_HOME",
            "JRE_HOME",
            "CLASSPATH",
            "JAVA_TOOL_OPTIONS",
            "JDK_JAVA_OPTIONS",
            "_JAVA_OPTIONS",
            "JAVA_OPTS");
    /** The timeout of {@link #run(String...)}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final Path home;

    private SkepImage(Path home) {
        this.home = home.toAbsolutePath().normalize();
        if (!Files.isExecutable(launcher())) {
            throw new IllegalStateException("no skep image at " + this.home + ": " + launcher()
                    + " is missing or not executable (build it with ./mvnw -f distribution/pom.xml package)");
        }
    }

    /** The image at {@code home}. */
    public static SkepImage at(Path home) {
        return new SkepImage(home);
    }

    /** The full image, from the system property {@value #IMAGE_PROPERTY}. */
    public static SkepImage full() {
        return fromProperty(IMAGE_PROPERTY);
    }

    /** The image without the process runtime, from the system property {@value #WITHOUT_PROCESS_PROPERTY}. */
    public static SkepImage withoutProcess() {
        return fromProperty(WITHOUT_PROCESS_PROPERTY);
    }

    /** The client image (the CLI, no daemon), from the system property {@value #CLIENT_PROPERTY}. */
    public static SkepImage client() {
        return fromProperty(CLIENT_PROPERTY);
    }

    private static SkepImage fromProperty(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set: run the image tests"
                    + " through Maven (failsafe sets it), or pass -D" + property + "=<image dir>");
        }
        return at(Path.of(value));
    }

    public Path home() {
        return home;
    }

    /** {@code bin/skep}. */
    public Path launcher() {
        return home.resolve("bin").resolve("skep");
    }

    /** {@code bin/java} of the image. */
    public Path java() {
        return home.resolve("bin").resolve("java");
    }

    /** {@code plugins/}: drop-in plugin jars. */
    public Path pluginsDir() {
        return home.resolve("plugins");
    }

    /** Runs {@code bin/skep <args>} with the default environment and timeout. */
    public Result run(String... args) {
        return run(Map.of(), DEFAULT_TIMEOUT, args);
    }

    /** Runs {@code bin/skep <args>} with the given environment changes and the default timeout. */
    public Result run(Map<String, String> env, String... args) {
        return run(env, DEFAULT_TIMEOUT, args);
    }

    /**
     * Runs {@code bin/skep <args>} until it exits or {@code timeout} passes; on timeout the process and its
     * descendants are killed and the result says {@link Result#timedOut()}.
     */
    public Result run(Map<String, String> env, Duration timeout, String... args) {
        return exec(launcher(), env, timeout, args);
    }

    /** Runs the image's {@code bin/java <args>} (e.g. {@code --list-modules}). */
    public Result runJava(String... args) {
        return exec(java(), Map.of(), DEFAULT_TIMEOUT, args);
    }

    private Result exec(Path program, Map<String, String> env, Duration timeout, String... args) {
        Path dir = tempDir("skep-run-");
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        try {
            Process process = builder(program, env, args)
                    .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                killTree(process.toHandle(), Duration.ofSeconds(5));
            }
            int code = exited ? process.exitValue() : -1;
            return new Result(command(program, args), code, read(out), read(err), !exited);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command(program, args), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command(program, args), e);
        } finally {
            deleteQuietly(out, err, dir);
        }
    }

    /**
     * Starts {@code bin/skep daemon <args>} and returns at once. Its output goes to {@code stdout.log} and
     * {@code stderr.log} in {@code logDir} (created if missing; kept after the daemon ends).
     */
    public Daemon startDaemon(Map<String, String> env, Path logDir, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "daemon";
        System.arraycopy(args, 0, all, 1, args.length);
        return start(env, logDir, all);
    }

    /** Like {@link #startDaemon}, for any long-running command: {@code bin/skep <args>}. */
    public Daemon start(Map<String, String> env, Path logDir, String... args) {
        try {
            Files.createDirectories(logDir);
            Path out = logDir.resolve("stdout.log");
            Path err = logDir.resolve("stderr.log");
            Process process = builder(launcher(), env, args)
                    .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            return new Daemon(command(launcher(), args), process, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command(launcher(), args), e);
        }
    }

    private ProcessBuilder builder(Path program, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(program.toString());
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile());
        Map<String, String> environment = builder.environment();
        JAVA_VARIABLES.forEach(environment::remove);
        env.forEach((name, value) -> {
            if (value == null) {
                environment.remove(name);
            } else {
                environment.put(name, value);
            }
        });
        return builder;
    }

    private static String command(Path program, String... args) {
        return program + (args.length == 0 ? "" : " " + String.join(" ", args));
    }

    private static java.io.File nullFile() {
        return new java.io.File("/dev/null");
    }

    private static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path... paths) {
        for (Path p : paths) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }

    /**
     * SIGTERM to the descendants (the JVM under the launcher script; the script itself only if nothing runs
     * under it yet), so the script exits with the JVM's own exit code. Whatever still runs after {@code grace}
     * gets SIGKILL. Returns whether everything ended within the grace period.
     */
    static boolean killTree(ProcessHandle root, Duration grace) {
        List<ProcessHandle> children = root.descendants().toList();
        if (children.isEmpty()) {
            root.destroy();
        } else {
            children.forEach(ProcessHandle::destroy);
        }
        List<ProcessHandle> all = new ArrayList<>(children);
        all.add(root);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception timedOutOrInterrupted) {
                // forced below
            }
        }
        boolean graceful = all.stream().noneMatch(ProcessHandle::isAlive);
        // descendants again: the JVM may have started helpers meanwhile
        root.descendants().forEach(ProcessHandle::destroyForcibly);
        all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        return graceful;
    }

    @Override
    public String toString() {
        return "SkepImage[" + home + "]";
    }

    /** How a {@code bin/skep} run ended. {@code exitCode} is -1 when it {@code timedOut}. */
    public record Result(String command, int exitCode, String stdout, String stderr, boolean timedOut) {
        public Result {
            Objects.requireNonNull(stdout);
            Objects.requireNonNull(stderr);
        }

        /** For assertion messages: the command, exit code and both outputs. */
        public String describe() {
            return command + "\nexit code: " + (timedOut ? "none (timed out, killed)" : exitCode) + "\n--- stdout ---\n"
                    + stdout + "--- stderr ---\n" + stderr;
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** A long-running {@code bin/skep} process (a node daemon). Closing it stops it. */
    public static final class Daemon implements AutoCloseable {
        private final String command;
        private final Process process;
        private final Path stdoutFile;
        private final Path stderrFile;

        Daemon(String command, Process process, Path stdoutFile, Path stderrFile) {
            this.command = command;
            this.process = process;
            this.stdoutFile = stdoutFile;
            this.stderrFile = stderrFile;
        }

        public Process process() {
            return process;
        }

        /** The pid of the JVM (the launcher script's child), or of the script while the JVM is not up yet. */
        public long pid() {
            return process.toHandle()
                    .descendants()
                    .findFirst()
                    .orElse(process.toHandle())
                    .pid();
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        public Path stdoutFile() {
            return stdoutFile;
        }

        public Path stderrFile() {
            return stderrFile;
        }

        /** Output so far. */
        public String stdout() {
            return read(stdoutFile);
        }

        /** Error output so far. */
        public String stderr() {
            return read(stderrFile);
        }

        /**
         * Waits until {@code stdout + stderr} so far satisfies {@code condition}; fails if the process ends or
         * {@code timeout} passes first (with the output in the message).
         */
        public String awaitOutput(Predicate<String> condition, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                String all = stdout() + stderr();
                if (condition.test(all)) {
                    return all;
                }
                if (!process.isAlive()) {
                    // one last read: the output may have landed just before the exit
                    all = stdout() + stderr();
                    if (condition.test(all)) {
                        return all;
                    }
                    throw new IllegalStateException("'" + command + "' exited with " + process.exitValue()
                            + " before the expected output\n" + describeOutput());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("'" + command + "' did not print the expected output within "
                            + timeout + "\n" + describeOutput());
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        }

        /** Waits until the output contains {@code text}. */
        public String awaitOutput(String text, Duration timeout) {
            return awaitOutput(s -> s.contains(text), timeout);
        }

        /** Waits for the exit without signalling; returns the exit code, or -1 if still running after timeout. */
        public int waitFor(Duration timeout) {
            try {
                return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }

        /**
         * SIGTERM to the JVM (a graceful shutdown: shutdown hooks run), SIGKILL to whatever still runs after
         * {@code grace}. Returns the exit code the launcher passes on from the JVM (143 for a JVM ended by
         * SIGTERM, unless the application exits with a code of its own), or -1 when it had to be killed.
         */
        public int stop(Duration grace) {
            // bin/skep execs the JVM: the process is the daemon itself. Its tasks run on, as after any stop.
            process.destroy();
            int code = waitFor(grace);
            if (code == -1) {
                process.destroyForcibly();
                waitFor(Duration.ofSeconds(5));
            }
            return code;
        }

        /** SIGKILL to the daemon's JVM (a crash): its task processes are left running, as a crash leaves them. */
        public void kill() {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(5));
        }

        /** Command, state and output so far, for assertion messages. */
        public String describeOutput() {
            return command + (process.isAlive() ? " (running)" : " (exit code " + process.exitValue() + ")")
                    + "\n--- stdout ---\n" + stdout() + "--- stderr ---\n" + stderr();
        }

        /** Stops the daemon with a 10 s grace period. */
        @Override
        public void close() {
            if (process.isAlive()) {
                stop(Duration.ofSeconds(10));
            }
        }

        @Override
        public String toString() {
            return "Daemon[" + command + ", pid " + process.pid() + "]";
        }
    }

    /** Helper for tests: an environment map that allows {@code null} values (removals). */
    public static Map<String, String> env(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }
}

package io.skep.distribution;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The machine's Docker engine, driven with the docker CLI, and the test image built for it once per run:
 * {@code FROM scratch} with the host's static busybox (no registry is reachable). Tests that need the engine
 * are skipped without one, unless {@code SKEP_REQUIRE_DOCKER=1} (CI) makes them fail.
 */
final class TestEngine {
    /** A task command that runs until SIGTERM and then exits at once (busybox sleep as PID 1 would not). */
    static final List<String> LOOP = List.of("sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1 & wait $!; done");

    private static String image;

    private TestEngine() {}

    record Run(int exitCode, String stdout, String stderr) {
        String describe() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }

    /** Skips the test (or fails it, in CI) when no engine answers or no static busybox is there. */
    static void require() {
        boolean engine = Files.isExecutable(Path.of("/usr/bin/docker"))
                && docker(Map.of(), "info").exitCode() == 0;
        boolean busybox = Files.isExecutable(Path.of("/bin/busybox"));
        if ("1".equals(System.getenv("SKEP_REQUIRE_DOCKER"))) {
            assertTrue(engine, "SKEP_REQUIRE_DOCKER=1 but no Docker engine answers");
            assertTrue(busybox, "SKEP_REQUIRE_DOCKER=1 but there is no /bin/busybox (busybox-static)");
        }
        assumeTrue(engine && busybox, "no Docker engine or no static busybox on this machine");
    }

    /** Skips the test (or fails it, in CI) when there is no docker CLI; no engine is needed. */
    static void requireCli() {
        boolean cli = Files.isExecutable(Path.of("/usr/bin/docker"));
        if ("1".equals(System.getenv("SKEP_REQUIRE_DOCKER"))) {
            assertTrue(cli, "SKEP_REQUIRE_DOCKER=1 but there is no docker CLI");
        }
        assumeTrue(cli, "no docker CLI on this machine");
    }

    /** The busybox test image, built on first use and removed when the test JVM ends. */
    static synchronized String busyboxImage() {
        if (image == null) {
            String name = "skep-test/it-busybox:" + ProcessHandle.current().pid();
            try {
                Path context = Files.createTempDirectory("skep-it-image");
                Files.copy(Path.of("/bin/busybox"), context.resolve("busybox"));
                Files.writeString(context.resolve("Dockerfile"), """
                        FROM scratch
                        COPY busybox /bin/busybox
                        RUN ["/bin/busybox", "--install", "-s", "/bin"]
                        CMD ["/bin/sh"]
                        """);
                Run r = docker(Map.of(), "build", "-q", "-t", name, context.toString());
                assertTrue(r.exitCode() == 0, () -> "cannot build the test image: " + r.describe());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            image = name;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> docker(Map.of(), "rmi", "-f", name)));
        }
        return image;
    }

    /** Runs the docker CLI with extra environment (e.g. {@code DOCKER_HOST} of skep's socket). */
    static Run docker(Map<String, String> env, String... args) {
        return dockerWithInput(env, "", args);
    }

    /** {@link #docker} with {@code stdin} as the command's input. */
    static Run dockerWithInput(Map<String, String> env, String stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add("docker");
        command.addAll(List.of(args));
        try {
            Path in = Files.createTempFile("docker", ".in");
            Path out = Files.createTempFile("docker", ".out");
            Path err = Files.createTempFile("docker", ".err");
            try {
                Files.writeString(in, stdin);
                ProcessBuilder pb = new ProcessBuilder(command)
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(in.toFile()));
                pb.environment().remove("DOCKER_CONTEXT");
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(180, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("docker " + String.join(" ", args) + " did not finish in 180 s");
                }
                return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(in);
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** IDs of the engine's containers (running ones, or all with {@code all}) with a label. */
    static List<String> containers(String label, boolean all) {
        return containers(all, label);
    }

    /** The containers (IDs) that carry every one of {@code labels}, running ones only unless {@code all}. */
    static List<String> containers(boolean all, String... labels) {
        List<String> command = new java.util.ArrayList<>(List.of("ps", all ? "-aq" : "-q", "--no-trunc"));
        for (String label : labels) {
            command.add("--filter");
            command.add("label=" + label);
        }
        Run r = docker(Map.of(), command.toArray(String[]::new));
        return r.stdout().lines().filter(l -> !l.isBlank()).sorted().toList();
    }
}

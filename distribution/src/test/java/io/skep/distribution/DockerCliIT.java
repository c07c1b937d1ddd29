package io.skep.distribution;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The unmodified docker CLI against skep's socket ({@code DOCKER_HOST=unix://…}): swarm, node and service
 * commands exit 0 and print what they print against Docker Swarm. Skipped where no docker CLI is installed,
 * unless {@code SKEP_REQUIRE_DOCKER=1} (CI) makes it mandatory.
 */
class DockerCliIT {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path dir;
    private SkepImage.Daemon daemon;
    private String host;

    record Run(int exitCode, String stdout, String stderr) {
        String describe() {
            return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "--- stderr ---\n" + stderr;
        }
    }

    @BeforeEach
    void startSkep() {
        boolean haveCli = Files.isExecutable(Path.of("/usr/bin/docker")) || Files.isExecutable(Path.of("/usr/local/bin/docker"));
        if ("1".equals(System.getenv("SKEP_REQUIRE_DOCKER"))) {
            assertTrue(haveCli, "SKEP_REQUIRE_DOCKER=1 but no docker CLI is installed");
        }
        assumeTrue(haveCli, "no docker CLI on this machine");
        SkepImage image = SkepImage.full();
        host = "unix://" + dir.resolve("skep.sock");
        daemon = image.startDaemon(SkepImage.env(), dir.resolve("logs"),
                "--data-dir", dir.resolve("data").toString(), "--raft-port", "0", "-H", host);
        daemon.awaitOutput("listening on", Duration.ofSeconds(60));
    }

    @AfterEach
    void stopSkep() {
        if (daemon != null) {
            docker("service", "rm", "web");
            daemon.stop(Duration.ofSeconds(10));
        }
    }

    private Run docker(String... args) {
        List<String> command = new ArrayList<>();
        command.add("docker");
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(dir, "out", ".txt");
            Path err = Files.createTempFile(dir, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().put("DOCKER_HOST", host);
            pb.environment().remove("DOCKER_CONTEXT");
            pb.environment().put("HOME", dir.toString()); // no ~/.docker config of the machine's user
            Process p = pb.start();
            if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("docker " + String.join(" ", args) + " did not finish in " + COMMAND_TIMEOUT);
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private String ok(String... args) {
        Run r = docker(args);
        assertEquals(0, r.exitCode(), () -> "docker " + String.join(" ", args) + "\n" + r.describe() + "\n" + daemon.describeOutput());
        return r.stdout();
    }

    @Test
    void theDockerCliDrivesASkepSwarm() {
        assertTrue(ok("swarm", "init").contains("Swarm initialized: current node ("));
        String info = ok("info");
        assertTrue(info.contains("Swarm: active") && info.contains("Is Manager: true"), info);
        String nodes = ok("node", "ls");
        assertTrue(nodes.lines().anyMatch(l -> l.contains("*") && l.contains("Ready") && l.contains("Leader")), nodes);

        String created = ok("service", "create", "--name", "web", "--replicas", "2", "host", "sleep", "1000");
        assertTrue(created.contains("overall progress: 2 out of 2 tasks") && created.contains("verify: Service")
                && created.strip().endsWith("converged"), created);
        assertTrue(ok("service", "ls").lines().anyMatch(l -> l.contains("web") && l.contains("2/2")));
        String ps = ok("service", "ps", "web");
        assertTrue(ps.contains("web.1") && ps.contains("web.2") && ps.contains("Running"), ps);
        String pretty = ok("service", "inspect", "--pretty", "web");
        assertTrue(pretty.contains("Name:\t\tweb") && pretty.contains("Replicas:\t2"), pretty);

        String scaled = ok("service", "scale", "web=4");
        assertTrue(scaled.contains("web scaled to 4") && scaled.strip().endsWith("converged"), scaled);
        assertTrue(ok("service", "ls").contains("4/4"));
        String updated = ok("service", "update", "--env-add", "A=1", "web");
        assertTrue(updated.strip().endsWith("converged"), updated);
        assertTrue(ok("service", "inspect", "web").contains("\"A=1\""));
        assertEquals("web", ok("service", "rm", "web").strip());
        assertEquals("", ok("service", "ls", "-q").strip());
    }
}

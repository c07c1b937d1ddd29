package io.skep.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tasks as Docker containers: the jlinked image with its docker runtime on the machine's engine, checked on
 * the engine itself ({@code docker ps}, {@code docker inspect}), never on skep's word alone.
 */
class DockerRuntimeIT extends ImageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private String nodeLabel;

    @BeforeEach
    void startNode() {
        TestEngine.require();
        startDaemon();
        ok("swarm", "init");
        nodeLabel = "com.docker.swarm.node.id="
                + ok("info", "--format", "{{.Swarm.NodeID}}").strip();
    }

    @AfterEach
    void cleanUp() {
        if (daemon != null && daemon.isAlive()) {
            removeServices();
            await(
                    "the node's containers to be removed",
                    () -> TestEngine.containers(nodeLabel, true).isEmpty());
            daemon.stop(Duration.ofSeconds(10));
        }
        TestEngine.containers(nodeLabel, true).forEach(id -> TestEngine.docker(Map.of(), "rm", "-f", id));
    }

    private List<String> create(String name, int replicas) {
        List<String> args = new ArrayList<>(List.of(
                "service",
                "create",
                "-d",
                "--name",
                name,
                "--replicas",
                Integer.toString(replicas),
                TestEngine.busyboxImage()));
        args.addAll(TestEngine.LOOP);
        ok(args.toArray(String[]::new));
        return awaitContainers(name, replicas);
    }

    /** Waits until the engine runs exactly {@code count} containers of the service; returns their IDs. */
    private List<String> awaitContainers(String service, int count) {
        String label = "com.docker.swarm.service.name=" + service;
        await(
                count + " running containers of " + service,
                () -> TestEngine.containers(false, label, nodeLabel).size() == count
                        && ok("service", "ls").contains(count + "/" + count));
        return TestEngine.containers(false, label, nodeLabel);
    }

    private JsonNode inspect(String container) {
        try {
            return JSON.readTree(
                            TestEngine.docker(Map.of(), "inspect", container).stdout())
                    .get(0);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void replicasAreContainersThatAreReplacedScaledAndRemoved() {
        List<String> ids = create("w", 3);
        JsonNode labels = inspect(ids.get(0)).path("Config").path("Labels");
        for (String key : List.of(
                "com.docker.swarm.service.id",
                "com.docker.swarm.service.name",
                "com.docker.swarm.task.id",
                "com.docker.swarm.task.name",
                "com.docker.swarm.node.id")) {
            assertFalse(labels.path(key).asText().isEmpty(), key + " missing from " + labels);
        }
        assertEquals("w", labels.path("com.docker.swarm.service.name").asText());
        String policy = inspect(ids.get(0))
                .path("HostConfig")
                .path("RestartPolicy")
                .path("Name")
                .asText();
        assertTrue(policy.isEmpty() || policy.equals("no"), "skep restarts tasks, never Docker: " + policy);

        String victim = ids.get(1);
        TestEngine.docker(Map.of(), "kill", victim);
        await("a replacement for the killed container", () -> {
            List<String> now = TestEngine.containers(false, "com.docker.swarm.service.name=w", nodeLabel);
            return now.size() == 3 && !now.contains(victim);
        });

        ok("service", "scale", "-d", "w=5");
        awaitContainers("w", 5);
        ok("service", "scale", "-d", "w=1");
        awaitContainers("w", 1);

        ok("service", "rm", "w");
        await(
                "every container of the service removed",
                () -> TestEngine.containers(true, "com.docker.swarm.service.name=w", nodeLabel)
                        .isEmpty());
    }

    @Test
    void aRestartedDaemonAdoptsItsContainers() {
        List<String> before = create("keep", 3);
        List<String> startedAt = before.stream()
                .map(id -> inspect(id).path("State").path("StartedAt").asText())
                .toList();

        daemon.kill();
        startDaemon();

        awaitContainers("keep", 3);
        assertEquals(
                before,
                TestEngine.containers(true, "com.docker.swarm.service.name=keep", nodeLabel),
                "the same containers, none duplicated");
        assertEquals(
                startedAt,
                before.stream()
                        .map(id -> inspect(id).path("State").path("StartedAt").asText())
                        .toList(),
                "none restarted");
    }

    @Test
    void aRestartedDaemonRemovesContainersOfTasksThatNoLongerExist() {
        String nodeId = nodeLabel.substring(nodeLabel.indexOf('=') + 1);
        daemon.kill();
        // A container skep made for a task the swarm no longer has (as a crash between removal and cleanup leaves).
        List<String> run = new ArrayList<>(List.of(
                "run",
                "-d",
                "--label",
                "io.skep.node.id=" + nodeId,
                "--label",
                "io.skep.task.id=gone0000000000000000000000",
                "--label",
                nodeLabel,
                TestEngine.busyboxImage()));
        run.addAll(TestEngine.LOOP);
        TestEngine.Run started = TestEngine.docker(Map.of(), run.toArray(String[]::new));
        assertEquals(0, started.exitCode(), started::describe);
        String orphan = started.stdout().strip();

        startDaemon();
        await(
                "the orphan container to be removed",
                () -> !TestEngine.containers(nodeLabel, true).contains(orphan));
    }

    @Test
    void anImageThatCannotBeHadIsRejectedWithTheEnginesReasonAndRetriedPerTheRestartPolicy() throws IOException {
        // A registry that refuses at once, on this machine: the pull fails without any traffic leaving it.
        String missing = "localhost:1/skep-test/nope:1";
        ok("service", "create", "-d", "--name", "bad", missing, "sh");
        await("three rejected attempts", () -> rejected("bad").size() >= 3);
        String ps = ok("service", "ps", "--no-trunc", "bad");
        assertTrue(ps.contains("Rejected") && ps.contains("No such image: " + missing), ps);

        List<Instant> attempts = rejected("bad");
        for (int i = 1; i < attempts.size(); i++) {
            Duration gap = Duration.between(attempts.get(i - 1), attempts.get(i));
            assertTrue(
                    gap.compareTo(Duration.ofMillis(4_500)) >= 0,
                    "attempts follow the restart delay (5 s), not a flood: " + attempts);
        }
        assertTrue(TestEngine.containers(true, "com.docker.swarm.service.name=bad", nodeLabel)
                .isEmpty());
    }

    @Test
    void aTaskIsPreparingWhileItsImageIsPulledThenRejectedWhenThePullFails() throws Exception {
        try (HeldRegistry registry = new HeldRegistry()) {
            String image = registry.address() + "/slow:latest";
            ok("service", "create", "-d", "--name", "slow", image, "sh");

            assertTrue(
                    registry.awaitManifestRequest(Duration.ofSeconds(60)),
                    "the engine asks the registry for the" + " image's manifest");
            await(
                    "the task to be reported preparing while its image is pulled",
                    () -> states("slow").contains("preparing"));
            assertEquals(List.of("preparing"), states("slow"), "one task, preparing, while the pull is held");

            registry.release();

            await(
                    "the task rejected with the pull's error",
                    () -> states("slow").contains("rejected"));
            String ps = ok("service", "ps", "--no-trunc", "slow");
            assertTrue(ps.contains("Rejected") && ps.contains("pull failed") && ps.contains("manifest unknown"), ps);
            assertTrue(
                    TestEngine.containers(true, "com.docker.swarm.service.name=slow", nodeLabel)
                            .isEmpty(),
                    "no container of an image that could not be had");
        }
    }

    /** The states of the service's tasks, oldest first. */
    private List<String> states(String service) {
        try {
            List<String> out = new ArrayList<>();
            for (JsonNode t : JSON.readTree(ok("service", "ps", service, "--format", "json"))) {
                out.add(t.path("Status").path("State").asText());
            }
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** When each of the service's tasks was rejected (each start attempt), oldest first. */
    private List<Instant> rejected(String service) {
        try {
            List<Instant> out = new ArrayList<>();
            for (JsonNode t : JSON.readTree(ok("service", "ps", service, "--format", "json"))) {
                if (t.path("Status").path("State").asText().equals("rejected")) {
                    out.add(Instant.parse(t.path("Status").path("Timestamp").asText()));
                }
            }
            out.sort(null);
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}

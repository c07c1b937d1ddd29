package io.skep.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.core.testing.Await;
import io.skep.core.testing.TestDaemon;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code skep node update} and {@code node ps} against a real node running host processes. */
class NodeCommandsTest {
    private static final Duration CONVERGE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private TestDaemon node;

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            List<Long> pids = pids();
            Skep.run(node.host(), Map.of(), "service", "rm", "sleepers");
            Await.until(
                    CONVERGE, "the task processes to end", () -> pids.stream().noneMatch(NodeCommandsTest::alive));
            node.close();
        }
    }

    private Skep.Result skep(String... args) {
        return Skep.run(node.host(), Map.of(), args);
    }

    private List<JsonNode> tasks() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        node.get("/tasks").forEach(out::add);
        return out;
    }

    private List<Long> pids() throws Exception {
        List<Long> out = new ArrayList<>();
        for (JsonNode t : tasks()) {
            long pid = t.path("Status").path("ContainerStatus").path("PID").asLong(0);
            if (pid > 0) {
                out.add(pid);
            }
        }
        return out;
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private long running() throws Exception {
        return tasks().stream()
                .filter(t -> t.path("Status").path("State").asText().equals("running"))
                .count();
    }

    @Test
    void drainingTheOnlyNodeStopsItsTasksAndActiveStartsThemAgain() throws Exception {
        node = new TestDaemon(dir.resolve("node"));
        node.init();
        Skep.Result created = skep(
                "service",
                "create",
                "-d",
                "--name",
                "sleepers",
                "--replicas",
                "2",
                "--restart-delay",
                "0s",
                "host",
                "sleep",
                "1000");
        assertEquals(0, created.code(), created.err());
        Await.until(CONVERGE, "2 running tasks", () -> running() == 2);
        List<Long> first = pids();

        Skep.Result ps = skep("node", "ps");
        assertEquals(0, ps.code(), ps.err());
        assertEquals(3, ps.lines().size(), ps.out());
        assertTrue(ps.lines().get(0).startsWith("ID") && ps.lines().get(1).contains("sleepers."), ps.out());

        Skep.Result drained = skep("node", "update", "--availability", "drain", "self");
        assertEquals(0, drained.code(), drained.err());
        assertEquals("self\n", drained.out());
        assertEquals(
                "drain",
                node.get("/nodes/"
                                + node.get("/info").path("Swarm").path("NodeID").asText())
                        .path("Spec")
                        .path("Availability")
                        .asText());
        Await.until(
                CONVERGE,
                "the drained node's processes to end",
                () -> first.stream().noneMatch(NodeCommandsTest::alive));
        Await.until(
                CONVERGE,
                "two replacements waiting for a node",
                () -> tasks().stream()
                                .filter(t -> t.path("DesiredState").asText().equals("running")
                                        && t.path("Status")
                                                .path("Err")
                                                .asText()
                                                .equals("no suitable node (1 node not available for new tasks)"))
                                .count()
                        == 2);

        assertEquals(
                0,
                skep("node", "update", "--availability", "active", "--label-add", "zone=a", "self")
                        .code());
        Await.until(CONVERGE, "2 running tasks again", () -> running() == 2);
        assertEquals(4, tasks().size(), "the two drained tasks and their two replacements");
        assertEquals(
                "a",
                node.get("/nodes/"
                                + node.get("/info").path("Swarm").path("NodeID").asText())
                        .path("Spec")
                        .path("Labels")
                        .path("zone")
                        .asText());

        Skep.Result bad = skep("node", "update", "--label-rm", "nope", "self");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("key nope doesn't exist in node's labels"), bad.err());
        Skep.Result invalid = skep("node", "update", "--availability", "sleepy", "self");
        assertEquals(1, invalid.code());
        assertTrue(invalid.err().contains("invalid Availability \"sleepy\""), invalid.err());
    }
}

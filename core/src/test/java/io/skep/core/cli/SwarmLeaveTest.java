package io.skep.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.core.testing.Await;
import io.skep.core.testing.TestDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code skep swarm leave}: refused for the last manager without --force; with it, the swarm is gone from here. */
class SwarmLeaveTest {
    private static final Duration CONVERGE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private TestDaemon node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private Skep.Result skep(String... args) {
        return Skep.run(node.host(), Map.of(), args);
    }

    private List<Long> runningPids() throws Exception {
        List<Long> out = new ArrayList<>();
        for (JsonNode t : node.get("/tasks")) {
            if (t.path("Status").path("State").asText().equals("running")) {
                out.add(t.path("Status").path("ContainerStatus").path("PID").asLong());
            }
        }
        return out;
    }

    @Test
    void theLastManagerLeavesOnlyWhenForcedAndTakesItsTasksAndTheSwarmWithIt() throws Exception {
        node = new TestDaemon(dir.resolve("node"));
        node.init();
        assertEquals(
                0,
                skep("service", "create", "-d", "--name", "sleepers", "--replicas", "2", "host", "sleep", "1000")
                        .code());
        Await.until(CONVERGE, "2 running tasks", () -> runningPids().size() == 2);
        List<Long> pids = runningPids();

        Skep.Result refused = skep("swarm", "leave");
        assertEquals(1, refused.code());
        assertTrue(
                refused.err()
                        .contains("Removing the last manager erases all current state of the swarm. "
                                + "Use `--force` to ignore this message."),
                refused.err());
        assertEquals(2, runningPids().size(), "a refused leave changes nothing");

        Skep.Result left = skep("swarm", "leave", "--force");
        assertEquals(0, left.code(), left.err());
        assertEquals("Node left the swarm.\n", left.out());
        Await.until(
                CONVERGE,
                "the tasks' processes to end",
                () -> pids.stream()
                        .noneMatch(p ->
                                ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)));
        assertEquals(
                "inactive",
                node.get("/info").path("Swarm").path("LocalNodeState").asText());
        assertFalse(Files.exists(node.dataDir().resolve("certificates")), "the node's certificate is gone");
        assertFalse(Files.exists(node.dataDir().resolve("raft")), "and the swarm's state");
        Skep.Result ls = skep("service", "ls");
        assertEquals(1, ls.code());
        assertTrue(ls.err().contains("not a swarm manager"), ls.err());
        Skep.Result again = skep("swarm", "leave", "--force");
        assertEquals(1, again.code());
        assertTrue(again.err().contains("This node is not part of a swarm"), again.err());

        node.init(); // a new swarm, from nothing
        assertEquals("", skep("service", "ls", "-q").out());
        node.stop();
        node.start(); // and it is the one a restart finds
        assertEquals(0, skep("service", "ls", "-q").code());
    }
}

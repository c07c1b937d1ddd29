package io.skep.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.core.testing.TestDaemon;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code skep swarm join-token}, docker's text, against a real node. */
class JoinTokenCommandTest {
    @TempDir
    Path dir;

    private TestDaemon node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void printsTheJoinCommandRotatesAndPrintsTheTokenAlone() throws Exception {
        node = new TestDaemon(dir.resolve("node"));
        String nodeId = node.init();
        String addr =
                node.get("/nodes/" + nodeId).path("ManagerStatus").path("Addr").asText();
        Skep.Result quiet = Skep.run(node.host(), Map.of(), "swarm", "join-token", "-q", "worker");
        assertEquals(0, quiet.code(), quiet.err());
        String token = quiet.out().strip();
        assertTrue(token.matches("SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}"), token);

        Skep.Result full = Skep.run(node.host(), Map.of(), "swarm", "join-token", "worker");
        assertEquals(0, full.code(), full.err());
        assertEquals(
                "To add a worker to this swarm, run the following command:\n\n" + "    skep swarm join --token " + token
                        + " " + addr + "\n\n",
                full.out());

        Skep.Result rotated = Skep.run(node.host(), Map.of(), "swarm", "join-token", "--rotate", "worker");
        assertEquals(0, rotated.code(), rotated.err());
        assertTrue(rotated.out().startsWith("Successfully rotated worker join token.\n\n"), rotated.out());
        String next = Skep.run(node.host(), Map.of(), "swarm", "join-token", "-q", "worker")
                .out()
                .strip();
        assertNotEquals(token, next);
        assertTrue(rotated.out().contains(next), rotated.out());
        assertEquals(token.substring(0, 60), next.substring(0, 60), "same CA, same digest");

        Skep.Result bad = Skep.run(node.host(), Map.of(), "swarm", "join-token", "workers");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("unknown role workers"), bad.err());
    }

    @Test
    void swarmUpdateMergesTheFlagsGivenIntoTheSpec() throws Exception {
        node = new TestDaemon(dir.resolve("node"));
        node.init();
        var before = node.get("/v1.41/swarm");
        Skep.Result updated = Skep.run(
                node.host(), Map.of(), "swarm", "update", "--dispatcher-heartbeat", "2s", "--task-history-limit", "3");
        assertEquals(0, updated.code(), updated.err());
        assertEquals("Swarm updated.\n", updated.out());
        var after = node.get("/v1.41/swarm");
        assertEquals(
                2_000_000_000L,
                after.path("Spec").path("Dispatcher").path("HeartbeatPeriod").asLong());
        assertEquals(
                3,
                after.path("Spec")
                        .path("Orchestration")
                        .path("TaskHistoryRetentionLimit")
                        .asLong());
        assertEquals(
                before.path("Spec").path("CAConfig"), after.path("Spec").path("CAConfig"), "what was not given stays");
        assertEquals(before.path("JoinTokens"), after.path("JoinTokens"), "no token rotated");

        Skep.Result tooShort = Skep.run(node.host(), Map.of(), "swarm", "update", "--cert-expiry", "30m");
        assertEquals(1, tooShort.code());
        assertTrue(
                tooShort.err().contains("invalid CAConfig.NodeCertExpiry: minimum certificate expiry time is 1h0m0s"),
                tooShort.err());
    }
}

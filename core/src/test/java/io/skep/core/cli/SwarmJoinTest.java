package io.skep.core.cli;

import static io.skep.core.cli.LocalNodes.CONVERGE;
import static io.skep.core.cli.LocalNodes.alive;
import static io.skep.core.cli.LocalNodes.clusterAddr;
import static io.skep.core.cli.LocalNodes.skep;
import static io.skep.core.cli.LocalNodes.workerToken;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.core.testing.Await;
import io.skep.core.testing.TestDaemon;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code skep swarm join}: real nodes on loopback, each with its own data directory, a manager's cluster port with
 * mutual TLS between them; workers run host processes.
 */
class SwarmJoinTest {
    @RegisterExtension
    final LocalNodes nodes = new LocalNodes();

    private TestDaemon manager;

    private TestDaemon node(String name) throws Exception {
        return nodes.node(name);
    }

    private TestDaemon initManager() throws Exception {
        manager = nodes.initManager("manager");
        return manager;
    }

    @Test
    void workersJoinWithTheWorkerTokenAndRunTheirShareOfTasks() throws Exception {
        initManager();
        String addr = clusterAddr(manager);
        assertTrue(addr.startsWith("127.0.0.1:") && !addr.endsWith(":2377") && !addr.endsWith(":0"), addr);
        String token = workerToken(manager);
        List<TestDaemon> workers = List.of(node("worker1"), node("worker2"));
        for (TestDaemon w : workers) {
            Skep.Result joined = skep(w, "swarm", "join", "--token", token, addr);
            assertEquals(0, joined.code(), joined.err());
            assertEquals("This node joined a swarm as a worker.\n", joined.out());
        }
        Await.until(CONVERGE, "3 ready nodes", () -> {
            JsonNode list = manager.get("/nodes");
            int ready = 0;
            for (JsonNode n : list) {
                ready += n.path("Status").path("State").asText().equals("ready") ? 1 : 0;
            }
            return list.size() == 3 && ready == 3;
        });
        Skep.Result ls = skep(manager, "node", "ls");
        assertEquals(4, ls.lines().size(), ls.out());
        assertEquals(
                2,
                ls.lines().stream()
                        .filter(l -> l.contains("Ready") && l.contains("Active") && !l.contains("Leader"))
                        .count(),
                ls.out());

        // A worker knows its swarm, and sends cluster questions to a manager, in Docker's words.
        JsonNode info = workers.get(0).get("/info").path("Swarm");
        assertEquals("active", info.path("LocalNodeState").asText());
        assertEquals(false, info.path("ControlAvailable").asBoolean(true));
        assertEquals(addr, info.path("RemoteManagers").get(0).path("Addr").asText());
        Skep.Result refused = skep(workers.get(0), "service", "ls");
        assertEquals(1, refused.code());
        assertTrue(
                refused.err()
                        .contains("This node is not a swarm manager. Worker nodes can't be used to view or "
                                + "modify cluster state."),
                refused.err());

        Skep.Result created = skep(
                manager, "service", "create", "-d", "--name", "sleepers", "--replicas", "6", "host", "sleep", "1000");
        assertEquals(0, created.code(), created.err());
        Await.until(CONVERGE, "6 running tasks, 2 on each node", () -> {
            Map<String, Integer> perNode = new HashMap<>();
            for (JsonNode t : manager.get("/tasks")) {
                long pid = t.path("Status").path("ContainerStatus").path("PID").asLong(0);
                if (t.path("Status").path("State").asText().equals("running") && alive(pid)) {
                    perNode.merge(t.path("NodeID").asText(), 1, Integer::sum);
                }
            }
            return perNode.size() == 3 && perNode.values().stream().allMatch(c -> c == 2);
        });

        // Draining a worker moves every one of its tasks to the other nodes.
        String drained =
                workers.get(0).get("/info").path("Swarm").path("NodeID").asText();
        assertEquals(
                0,
                skep(manager, "node", "update", "--availability", "drain", drained)
                        .code());
        Await.until(CONVERGE, "6 running tasks, none on the drained node", () -> {
            Map<String, Integer> perNode = new HashMap<>();
            for (JsonNode t : manager.get("/tasks")) {
                long pid = t.path("Status").path("ContainerStatus").path("PID").asLong(0);
                if (t.path("Status").path("State").asText().equals("running")
                        && t.path("DesiredState").asText().equals("running")
                        && alive(pid)) {
                    perNode.merge(t.path("NodeID").asText(), 1, Integer::sum);
                }
            }
            return !perNode.containsKey(drained)
                    && perNode.values().stream().mapToInt(Integer::intValue).sum() == 6;
        });
    }

    @Test
    void aWrongOrRotatedTokenAndAnotherSwarmsCaAreRefused() throws Exception {
        initManager();
        String addr = clusterAddr(manager);
        String token = workerToken(manager);
        TestDaemon joiner = node("joiner");

        Skep.Result malformed = skep(joiner, "swarm", "join", "--token", "SWMTKN-1-nonsense", addr);
        assertEquals(1, malformed.code());
        assertTrue(malformed.err().contains("invalid join token"), malformed.err());

        String wrongSecret = token.substring(0, token.lastIndexOf('-') + 1) + "0".repeat(25);
        Skep.Result wrong = skep(joiner, "swarm", "join", "--token", wrongSecret, addr);
        assertEquals(1, wrong.code());
        assertTrue(wrong.err().contains("A valid join token is necessary to join this cluster"), wrong.err());

        assertEquals(
                0, skep(manager, "swarm", "join-token", "--rotate", "worker").code());
        Skep.Result rotated = skep(joiner, "swarm", "join", "--token", token, addr);
        assertEquals(1, rotated.code());
        assertTrue(rotated.err().contains("A valid join token is necessary to join this cluster"), rotated.err());

        // A token of another swarm: the CA this manager shows is not the one the token names.
        TestDaemon other = node("other");
        other.init();
        String otherToken = workerToken(other);
        Skep.Result foreign = skep(joiner, "swarm", "join", "--token", otherToken, addr);
        assertEquals(1, foreign.code());
        assertTrue(
                foreign.err()
                        .contains("remote CA does not match fingerprint. Expected: "
                                + otherToken.split("-")[2]),
                foreign.err());

        assertEquals(1, manager.get("/nodes").size(), "no refused node was recorded");
        assertEquals(
                "inactive",
                joiner.get("/info").path("Swarm").path("LocalNodeState").asText());
        Skep.Result joined = skep(joiner, "swarm", "join", "--token", workerToken(manager), addr);
        assertEquals(0, joined.code(), joined.err());
        assertEquals(2, manager.get("/nodes").size());
    }

    @Test
    void aWorkerRenewsItsCertificateThroughTheManagersCa() throws Exception {
        initManager();
        TestDaemon worker = node("worker");
        assertEquals(
                0,
                skep(worker, "swarm", "join", "--token", workerToken(manager), clusterAddr(manager))
                        .code());
        Path certificates = worker.dataDir().resolve("certificates");
        io.skep.core.pki.NodeCertificate first = io.skep.core.pki.NodeCertificate.fromPem(
                java.nio.file.Files.readString(certificates.resolve("swarm-node.crt")),
                java.nio.file.Files.readString(certificates.resolve("swarm-node.key")));

        assertTrue(worker.daemon().renewCertificateIfDue(first.notAfter()), "due at the latest at its expiry");
        io.skep.core.pki.NodeCertificate renewed = io.skep.core.pki.NodeCertificate.fromPem(
                java.nio.file.Files.readString(certificates.resolve("swarm-node.crt")),
                java.nio.file.Files.readString(certificates.resolve("swarm-node.key")));
        assertEquals(first.nodeId(), renewed.nodeId());
        assertEquals(io.skep.core.pki.NodeRole.WORKER, renewed.role().orElseThrow());
        assertTrue(!renewed.key().equals(first.key()), "with a new key");
        // The worker goes on with the new certificate: its session stays up.
        String id = renewed.nodeId();
        Await.until(
                CONVERGE,
                "the worker to stay ready",
                () -> manager.get("/nodes/" + id)
                        .path("Status")
                        .path("State")
                        .asText()
                        .equals("ready"));
    }

    @Test
    void aWorkerLeavesWithoutForceAndJoinsAgainAsANewNode() throws Exception {
        initManager();
        TestDaemon worker = node("worker");
        String addr = clusterAddr(manager);
        assertEquals(
                0,
                skep(worker, "swarm", "join", "--token", workerToken(manager), addr)
                        .code());
        String firstId = worker.get("/info").path("Swarm").path("NodeID").asText();

        Skep.Result left = skep(worker, "swarm", "leave");
        assertEquals(0, left.code(), left.err());
        assertEquals("Node left the swarm.\n", left.out());
        assertEquals(
                "inactive",
                worker.get("/info").path("Swarm").path("LocalNodeState").asText());

        // As in Swarm, the node that left is a new node when it joins again; the old one stays in the books.
        assertEquals(
                0,
                skep(worker, "swarm", "join", "--token", workerToken(manager), addr)
                        .code());
        String secondId = worker.get("/info").path("Swarm").path("NodeID").asText();
        assertTrue(!secondId.equals(firstId), "a new node ID");
        assertEquals(3, manager.get("/nodes").size());
        Await.until(
                CONVERGE,
                "the new node to be ready",
                () -> manager.get("/nodes/" + secondId)
                        .path("Status")
                        .path("State")
                        .asText()
                        .equals("ready"));
    }

    /** Issue 5's cluster: az=1,1,2,2 and a node without the label; then a bad preference, in docker's words. */
    @Test
    void aPlacementPreferenceSpreadsTheReplicasEvenlyOverTheZones() throws Exception {
        initManager();
        String addr = clusterAddr(manager);
        String token = workerToken(manager);
        List<TestDaemon> workers = new ArrayList<>();
        for (String name : List.of("w1", "w2", "w3", "w4")) {
            TestDaemon w = node(name);
            assertEquals(0, skep(w, "swarm", "join", "--token", token, addr).code());
            workers.add(w);
        }
        Map<String, String> zoneOf = new HashMap<>();
        List<TestDaemon> labelled = List.of(manager, workers.get(0), workers.get(1), workers.get(2));
        for (int i = 0; i < labelled.size(); i++) {
            String id =
                    labelled.get(i).get("/info").path("Swarm").path("NodeID").asText();
            String zone = i < 2 ? "1" : "2";
            zoneOf.put(id, zone);
            Await.until(
                    CONVERGE,
                    "node " + id + " to take a label",
                    () -> skep(manager, "node", "update", "--label-add", "az=" + zone, id)
                                    .code()
                            == 0);
        }
        Await.until(CONVERGE, "5 ready nodes", () -> {
            int ready = 0;
            for (JsonNode n : manager.get("/nodes")) {
                ready += n.path("Status").path("State").asText().equals("ready") ? 1 : 0;
            }
            return ready == 5;
        });

        Skep.Result created = skep(
                manager,
                "service",
                "create",
                "-d",
                "--name",
                "zoned",
                "--replicas",
                "6",
                "--placement-pref",
                "spread=node.labels.az",
                "host",
                "sleep",
                "1000");
        assertEquals(0, created.code(), created.err());
        Await.until(CONVERGE, "2 running tasks in each zone and 2 on the unlabelled node", () -> {
            Map<String, Integer> perZone = new HashMap<>();
            for (JsonNode t : manager.get("/tasks")) {
                long pid = t.path("Status").path("ContainerStatus").path("PID").asLong(0);
                if (t.path("Status").path("State").asText().equals("running") && alive(pid)) {
                    perZone.merge(zoneOf.getOrDefault(t.path("NodeID").asText(), "none"), 1, Integer::sum);
                }
            }
            return perZone.equals(Map.of("1", 2, "2", 2, "none", 2));
        });

        Skep.Result bad = skep(manager, "service", "create", "-d", "--placement-pref", "binpack=x", "host", "true");
        assertEquals(125, bad.code());
        assertTrue(
                bad.err()
                        .contains("invalid argument \"binpack=x\" for \"--placement-pref\" flag: unsupported "
                                + "placement preference binpack (only spread is supported)"),
                bad.err());
    }
}

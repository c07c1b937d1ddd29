package io.skep.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A swarm of separate {@code skep daemon} processes of the image on loopback, each with its own data directory,
 * joined through tokens, talking mutual TLS; tasks run as host processes. Nodes are killed ({@code kill -9}) and
 * restarted as an operator would see it happen.
 */
class ClusterImageIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final SkepImage image = SkepImage.full();
    private ImageNodes nodes;
    private final Set<Long> seenPids = new HashSet<>();

    @BeforeEach
    void nodes() {
        nodes = new ImageNodes(image, dir);
    }

    /**
     * Removes the services through a manager that still answers (their tasks stop as the swarm stops them), stops the
     * daemons, and kills any task process left (a test may have left the swarm without a quorum).
     */
    @AfterEach
    void cleanUp() {
        for (ImageNodes.Node m : nodes.all()) {
            if (m.name.startsWith("manager") && m.daemon != null && m.daemon.isAlive()) {
                SkepImage.Result ls = image.run(m.env(), "service", "ls", "-q");
                if (ls.exitCode() == 0) {
                    ls.stdout()
                            .lines()
                            .filter(id -> !id.isBlank())
                            .forEach(id -> image.run(m.env(), "service", "rm", id));
                    break;
                }
            }
        }
        for (ImageNodes.Node m : nodes.all()) {
            if (m.daemon != null && m.daemon.isAlive()) {
                m.daemon.stop(Duration.ofSeconds(10));
            }
        }
        seenPids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Running tasks that should run (and whose process is alive), by node ID. */
    private Map<String, List<Long>> runningByNode(ImageNodes.Node manager, String service) {
        JsonNode tasks;
        try {
            tasks = JSON.readTree(manager.ok("service", "ps", service, "--format", "json"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Map<String, List<Long>> out = new HashMap<>();
        for (JsonNode t : tasks) {
            long pid = t.path("Status").path("ContainerStatus").path("PID").asLong(0);
            if (pid > 0) {
                seenPids.add(pid);
            }
            if (t.path("Status").path("State").asText().equals("running")
                    && t.path("DesiredState").asText().equals("running")
                    && alive(pid)) {
                out.computeIfAbsent(t.path("NodeID").asText(), k -> new ArrayList<>())
                        .add(pid);
            }
        }
        return out;
    }

    private static int total(Map<String, List<Long>> byNode) {
        return byNode.values().stream().mapToInt(List::size).sum();
    }

    /** MANAGER STATUS of each node, as {@code node ls} on {@code on} shows it, sorted. */
    private static List<String> managerStatus(ImageNodes.Node on) {
        return on.ok("node", "ls", "--format", "{{.ManagerStatus}}")
                .lines()
                .filter(l -> !l.isBlank())
                .sorted()
                .toList();
    }

    private String leaderId(ImageNodes.Node on) {
        for (String line : on.ok("node", "ls", "--format", "{{.ID}} {{.ManagerStatus}}")
                .lines()
                .toList()) {
            if (line.endsWith(" Leader")) {
                return line.substring(0, line.indexOf(' '));
            }
        }
        return null;
    }

    @Test
    void threeManagersAndTwoWorkersSurviveTheLossOfTheLeaderOfAWorkerAndOfAZone() {
        ImageNodes.Node first = nodes.start("manager1");
        assertTrue(first.ok("swarm", "init").contains("is now a manager"));
        String addr = first.ok("node", "inspect", "self", "--format", "{{.ManagerStatus.Addr}}")
                .strip();
        String managerToken = first.ok("swarm", "join-token", "-q", "manager").strip();
        // A rotated-away token admits no one.
        String oldToken = first.ok("swarm", "join-token", "-q", "worker").strip();
        first.ok("swarm", "join-token", "--rotate", "worker");
        String workerToken = first.ok("swarm", "join-token", "-q", "worker").strip();
        List<ImageNodes.Node> managers = new ArrayList<>(List.of(first));
        for (String name : List.of("manager2", "manager3")) {
            ImageNodes.Node m = nodes.start(name);
            assertEquals(
                    "This node joined a swarm as a manager.\n", m.ok("swarm", "join", "--token", managerToken, addr));
            managers.add(m);
        }
        List<ImageNodes.Node> workers = new ArrayList<>();
        for (String name : List.of("worker1", "worker2")) {
            ImageNodes.Node w = nodes.start(name);
            if (workers.isEmpty()) {
                SkepImage.Result refused = image.run(w.env(), "swarm", "join", "--token", oldToken, addr);
                assertEquals(1, refused.exitCode(), refused::describe);
                assertTrue(
                        refused.stderr().contains("A valid join token is necessary to join this cluster"),
                        refused::describe);
            }
            assertEquals(
                    "This node joined a swarm as a worker.\n", w.ok("swarm", "join", "--token", workerToken, addr));
            workers.add(w);
        }
        await(
                "5 ready nodes, a leader and two reachable managers",
                () -> first.ok("node", "ls")
                                        .lines()
                                        .filter(l -> l.contains(" Ready "))
                                        .count()
                                == 5
                        && managerStatus(first).equals(List.of("Leader", "Reachable", "Reachable")));

        first.ok("service", "create", "-d", "--name", "w", "--replicas", "6", "host", "sleep", "1000");
        await("6 tasks over the 5 nodes", () -> {
            Map<String, List<Long>> byNode = runningByNode(first, "w");
            return byNode.size() == 5 && total(byNode) == 6;
        });

        // kill -9 of the leader: another is elected, writes succeed again, the service is whole again.
        String leader = leaderId(first);
        ImageNodes.Node killed = managers.stream()
                .filter(m -> m.nodeId().equals(leader))
                .findFirst()
                .orElseThrow();
        List<Long> onLeader = runningByNode(first, "w").getOrDefault(leader, List.of());
        killed.daemon.kill();
        ImageNodes.Node survivor =
                managers.stream().filter(m -> m != killed).findFirst().orElseThrow();
        await(
                "a write to succeed after the leader's loss",
                () -> image.run(
                                        survivor.env(),
                                        "service",
                                        "create",
                                        "-d",
                                        "--name",
                                        "probe",
                                        "--replicas",
                                        "0",
                                        "host",
                                        "sleep",
                                        "1")
                                .exitCode()
                        == 0);
        await("a new leader, and the service whole on the other nodes", () -> {
            String now = leaderId(survivor);
            Map<String, List<Long>> byNode = runningByNode(survivor, "w");
            return now != null && !now.equals(leader) && total(byNode) == 6 && !byNode.containsKey(leader);
        });

        // kill -9 of a worker: its tasks run elsewhere; back, it stops its stale ones and the service settles at 6.
        ImageNodes.Node worker = workers.get(0);
        String workerId = worker.nodeId();
        List<Long> onWorker = runningByNode(survivor, "w").getOrDefault(workerId, List.of());
        worker.daemon.kill();
        await("the worker's tasks to run elsewhere", () -> {
            Map<String, List<Long>> byNode = runningByNode(survivor, "w");
            return total(byNode) == 6 && !byNode.containsKey(workerId);
        });
        // Found by its dropped connection, not by three missed heartbeats (15 s at the default period).
        assertEquals(
                "down connection lost",
                survivor.ok("node", "inspect", workerId, "--format", "{{.Status.State}} {{.Status.Message}}")
                        .strip());
        worker.start();
        killed.start();
        await(
                "both back, their stale tasks stopped, exactly 6 running",
                () -> first.ok("node", "ls")
                                        .lines()
                                        .filter(l -> l.contains(" Ready "))
                                        .count()
                                == 5
                        && onWorker.stream().noneMatch(ClusterImageIT::alive)
                        && onLeader.stream().noneMatch(ClusterImageIT::alive)
                        && total(runningByNode(survivor, "w")) == 6);
        assertTrue(survivor.ok("service", "ls").contains("6/6"));

        // Zones az=1 (the workers), az=2 (two managers) and an unlabelled manager: 6 replicas preferring a spread over
        // the zones go 2 to each group; losing all of az=1 leaves 6 running in the other two.
        Map<String, String> zoneOf = new HashMap<>();
        workers.forEach(w -> zoneOf.put(w.nodeId(), "1"));
        managers.subList(0, 2).forEach(m -> zoneOf.put(m.nodeId(), "2"));
        zoneOf.forEach((id, zone) -> survivor.ok("node", "update", "--label-add", "az=" + zone, id));
        survivor.ok(
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
        await(
                "2 tasks in each group",
                () -> perZone(survivor, "zoned", zoneOf).equals(Map.of("1", 2, "2", 2, "none", 2)));
        workers.forEach(w -> w.daemon.kill());
        await(
                "6 running in the zones left, 3 in each",
                () -> perZone(survivor, "zoned", zoneOf).equals(Map.of("2", 3, "none", 3)));
    }

    /** Running tasks of a service per zone ({@code none} for an unlabelled node). */
    private Map<String, Integer> perZone(ImageNodes.Node manager, String service, Map<String, String> zoneOf) {
        Map<String, Integer> out = new HashMap<>();
        runningByNode(manager, service)
                .forEach((node, pids) -> out.merge(zoneOf.getOrDefault(node, "none"), pids.size(), Integer::sum));
        return out;
    }

    private static final String NO_LEADER = "The swarm does not have a leader. It's possible that too few managers "
            + "are online. Make sure more than half of the managers are online.";

    /** Whether a write on {@code on} is refused for want of a quorum (a probe that changes nothing). */
    private boolean noQuorum(ImageNodes.Node on) {
        return image.run(on.env(), "node", "update", "--availability", "active", "self")
                .stderr()
                .contains(NO_LEADER);
    }

    @Test
    void managersWithoutAQuorumRefuseWritesAnswerReadsAndALoneSurvivorForcesANewCluster() {
        ImageNodes.Node first = nodes.start("manager1");
        first.ok("swarm", "init");
        String addr = first.ok("node", "inspect", "self", "--format", "{{.ManagerStatus.Addr}}")
                .strip();
        String token = first.ok("swarm", "join-token", "-q", "manager").strip();
        ImageNodes.Node second = nodes.start("manager2");
        ImageNodes.Node third = nodes.start("manager3");
        second.ok("swarm", "join", "--token", token, addr);
        third.ok("swarm", "join", "--token", token, addr);
        await(
                "three reachable managers",
                () -> managerStatus(first).equals(List.of("Leader", "Reachable", "Reachable")));
        first.ok("service", "create", "-d", "--name", "kept", "--replicas", "0", "host", "sleep", "1");

        second.daemon.kill();
        third.daemon.kill();
        await("writes to be refused for want of a quorum", () -> noQuorum(first));
        SkepImage.Result refused = image.run(
                first.env(), "service", "create", "-d", "--name", "lost", "--replicas", "0", "host", "sleep", "1");
        assertEquals(1, refused.exitCode(), refused::describe);
        assertTrue(refused.stderr().contains(NO_LEADER), refused::describe);
        assertEquals("kept", first.ok("service", "ls", "--format", "{{.Name}}").strip(), "reads still answer");

        second.start();
        await(
                "writes to succeed with two of three back",
                () -> image.run(
                                        first.env(),
                                        "service",
                                        "create",
                                        "-d",
                                        "--name",
                                        "back",
                                        "--replicas",
                                        "0",
                                        "host",
                                        "sleep",
                                        "1")
                                .exitCode()
                        == 0);
        assertEquals(
                List.of("back", "kept"),
                first.ok("service", "ls", "--format", "{{.Name}}")
                        .lines()
                        .sorted()
                        .toList(),
                "no object lost, and the refused one not made");

        second.daemon.kill();
        await("the quorum to be lost again", () -> noQuorum(first));
        assertTrue(first.ok("swarm", "init", "--force-new-cluster").contains("is now a manager"));
        first.ok("service", "create", "-d", "--name", "after", "--replicas", "0", "host", "sleep", "1");
        assertEquals(
                List.of("after", "back", "kept"),
                first.ok("service", "ls", "--format", "{{.Name}}")
                        .lines()
                        .sorted()
                        .toList());
        await(
                "a lone leader, the other two workers in the books",
                () -> managerStatus(first).equals(List.of("Leader")));
    }

    private void await(String what, BooleanSupplier condition) {
        nodes.await(what, condition);
    }
}

package io.skep.core.cli;

import static io.skep.core.cli.LocalNodes.CONVERGE;
import static io.skep.core.cli.LocalNodes.nodeId;
import static io.skep.core.cli.LocalNodes.ok;
import static io.skep.core.cli.LocalNodes.skep;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.core.testing.Await;
import io.skep.core.testing.TestDaemon;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Placement through the command line on real nodes (a manager and a worker on loopback, tasks as host processes):
 * constraints, node labels, reservations, and rebalancing when a node joins.
 */
class PlacementTest {
    @RegisterExtension
    final LocalNodes nodes = new LocalNodes();

    private TestDaemon manager;

    /** Running tasks of a service (desired running, the process alive) per node ID. */
    private Map<String, Integer> running(String service) throws Exception {
        Map<String, Integer> perNode = new HashMap<>();
        for (JsonNode t : manager.get("/tasks?filters="
                + java.net.URLEncoder.encode(
                        "{\"service\":{\"" + service + "\":true}}", java.nio.charset.StandardCharsets.UTF_8))) {
            long pid = t.path("Status").path("ContainerStatus").path("PID").asLong(0);
            if (t.path("Status").path("State").asText().equals("running")
                    && t.path("DesiredState").asText().equals("running")
                    && LocalNodes.alive(pid)) {
                perNode.merge(t.path("NodeID").asText(), 1, Integer::sum);
            }
        }
        return perNode;
    }

    private void create(String... args) {
        List<String> all = new ArrayList<>(List.of("service", "create", "-d"));
        all.addAll(List.of(args));
        ok(manager, all.toArray(String[]::new));
    }

    @Test
    void constraintsLabelsAndReservationsDecideWhereTasksRunOrWhyTheyWait() throws Exception {
        manager = nodes.initManager("manager");
        TestDaemon worker = nodes.joinWorker("worker");
        String managerId = nodeId(manager);
        String workerId = nodeId(worker);

        create(
                "--name",
                "on-managers",
                "--replicas",
                "2",
                "--constraint",
                "node.role==manager",
                "host",
                "sleep",
                "1000");
        Await.until(
                CONVERGE, "both on the manager", () -> running("on-managers").equals(Map.of(managerId, 2)));

        // No node has the label: pending, and service ps says why; labelling a node lets the tasks start there.
        create("--name", "ssd", "--replicas", "2", "--constraint", "node.labels.disk==ssd", "host", "sleep", "1000");
        Await.until(CONVERGE, "the reason in service ps", () -> {
            Skep.Result ps = skep(manager, "service", "ps", "--no-trunc", "ssd");
            return ps.lines().stream()
                            .filter(l -> l.contains("Pending")
                                    && l.contains(
                                            "\"no suitable node (scheduling constraints not satisfied on 2 nodes)\""))
                            .count()
                    == 2;
        });
        assertEquals(
                0,
                skep(manager, "node", "update", "--label-add", "disk=ssd", workerId)
                        .code());
        Await.until(
                CONVERGE, "both on the labelled worker", () -> running("ssd").equals(Map.of(workerId, 2)));

        // The label moves to the manager: the tasks follow it.
        assertEquals(
                0,
                skep(manager, "node", "update", "--label-add", "disk=ssd", managerId)
                        .code());
        assertEquals(
                0,
                skep(manager, "node", "update", "--label-rm", "disk", workerId).code());
        Await.until(CONVERGE, "both moved to the manager", () -> running("ssd").equals(Map.of(managerId, 2)));

        // A reservation no node can meet names the resource; one they can is placed.
        create("--name", "greedy", "--reserve-memory", "100t", "host", "sleep", "1000");
        Await.until(CONVERGE, "the resource named", () -> {
            Skep.Result ps = skep(manager, "service", "ps", "--no-trunc", "greedy");
            return ps.out().contains("\"no suitable node (insufficient resources on 2 nodes: memory)\"");
        });
        create(
                "--name",
                "modest",
                "--replicas",
                "2",
                "--reserve-memory",
                "16m",
                "--reserve-cpu",
                "0.1",
                "--replicas-max-per-node",
                "1",
                "host",
                "sleep",
                "1000");
        Await.until(CONVERGE, "one on each node", () -> running("modest").equals(Map.of(managerId, 1, workerId, 1)));
        Skep.Result pretty = skep(manager, "service", "inspect", "--pretty", "modest");
        assertTrue(pretty.out().contains("Max Replicas Per Node:   1"), pretty.out());
    }

    @Test
    void aJoiningNodeGetsItsShareOfTheServicesThatAskForRebalancing() throws Exception {
        manager = nodes.initManager("manager");
        String managerId = nodeId(manager);
        create("--name", "moves", "--replicas", "4", "--auto-rebalance", "host", "sleep", "1000");
        create("--name", "stays", "--replicas", "4", "host", "sleep", "1000");
        create("--name", "once", "--replicas", "4", "host", "sleep", "1000");
        for (String s : List.of("moves", "stays", "once")) {
            Await.until(CONVERGE, s + " all on the manager", () -> running(s).equals(Map.of(managerId, 4)));
        }

        String workerId = nodeId(nodes.joinWorker("worker"));
        Await.until(
                CONVERGE,
                "the rebalanced service spread 2/2",
                () -> running("moves").equals(Map.of(managerId, 2, workerId, 2)));
        assertEquals(Map.of(managerId, 4), running("stays"), "a service that did not ask is left alone");

        Skep.Result once = skep(manager, "service", "update", "-d", "--rebalance", "once");
        assertEquals(0, once.code(), once.err());
        Await.until(
                CONVERGE,
                "a one-off rebalance spreads it 2/2",
                () -> running("once").equals(Map.of(managerId, 2, workerId, 2)));
        Await.until(
                CONVERGE,
                "the request marked completed",
                () -> manager.get("/services/once")
                        .path("RebalanceStatus")
                        .path("State")
                        .asText()
                        .equals("completed"));
        assertEquals(Map.of(managerId, 4), running("stays"));
    }
}

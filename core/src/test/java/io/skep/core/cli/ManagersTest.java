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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three managers on loopback, each a real node with its own data directory, their stores one Raft group over mutual
 * TLS: joining with the manager token, writes from any manager, a leader's loss, the loss of the quorum.
 */
class ManagersTest {
    @RegisterExtension
    final LocalNodes nodes = new LocalNodes();

    private TestDaemon node(String name) throws Exception {
        return nodes.node(name);
    }

    private static String leaderId(TestDaemon on) throws Exception {
        for (JsonNode n : on.get("/nodes")) {
            if (n.path("ManagerStatus").path("Leader").asBoolean(false)) {
                return n.path("ID").asText();
            }
        }
        return null;
    }

    private List<TestDaemon> threeManagers() throws Exception {
        return nodes.threeManagers(node("m1"), "{}");
    }

    @Test
    void managersShareTheStoreAndAnyOfThemTakesWritesAndALeadersLossElectsAnother() throws Exception {
        List<TestDaemon> managers = threeManagers();
        ok(managers.get(2), "service", "create", "-d", "--name", "from-m3", "--replicas", "0", "host", "sleep", "1");
        Await.until(
                CONVERGE,
                "every manager to list the service",
                () -> managers.stream()
                        .allMatch(m -> ok(m, "service", "ls", "-q").lines().count() == 1));

        String leader = leaderId(managers.get(0));
        TestDaemon stopped = null;
        for (TestDaemon m : managers) {
            if (nodeId(m).equals(leader)) {
                stopped = m;
            }
        }
        stopped.stop();
        TestDaemon survivor = managers.stream()
                .filter(m -> {
                    try {
                        return !nodeId(m).equals(leader);
                    } catch (Exception e) {
                        return false;
                    }
                })
                .findFirst()
                .orElseThrow();
        Await.until(
                CONVERGE,
                "a write to succeed after the leader's loss",
                () -> skep(
                                        survivor,
                                        "service",
                                        "create",
                                        "-d",
                                        "--name",
                                        "after",
                                        "--replicas",
                                        "0",
                                        "host",
                                        "sleep",
                                        "1")
                                .code()
                        == 0);
        Await.until(CONVERGE, "a new leader, the old one unreachable", () -> {
            String now = leaderId(survivor);
            return now != null
                    && !now.equals(leader)
                    && LocalNodes.managerStatus(survivor).equals(List.of("Leader", "Reachable", "Unreachable"));
        });
        assertEquals(2, ok(survivor, "service", "ls", "-q").lines().count());
    }

    @Test
    void withoutAQuorumWritesFailClearlyAndReadsAnswerUntilAManagerComesBack() throws Exception {
        List<TestDaemon> managers = threeManagers();
        ok(managers.get(0), "service", "create", "-d", "--name", "kept", "--replicas", "0", "host", "sleep", "1");
        TestDaemon last = managers.get(0);
        managers.get(1).stop();
        managers.get(2).stop();

        String noLeader = "The swarm does not have a leader. It's possible that too few managers are online. Make "
                + "sure more than half of the managers are online.";
        // A write sent while the loss is not yet known may still commit once a majority is back (as in Swarm):
        // probe with one that changes nothing.
        Await.until(
                CONVERGE,
                "writes to be refused for want of a quorum",
                () -> skep(last, "node", "update", "--availability", "active", "self")
                        .err()
                        .contains(noLeader));
        Skep.Result refused =
                skep(last, "service", "create", "-d", "--name", "lost", "--replicas", "0", "host", "sleep", "1");
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains(noLeader), refused.err());
        assertEquals(
                List.of("kept"),
                ok(last, "service", "ls", "--format", "{{.Name}}").lines().toList(),
                "reads still answer");

        managers.get(1).start();
        Await.until(
                CONVERGE,
                "writes to succeed again",
                () -> skep(last, "service", "create", "-d", "--name", "back", "--replicas", "0", "host", "sleep", "1")
                                .code()
                        == 0);
        assertEquals(
                List.of("back", "kept"),
                ok(last, "service", "ls", "--format", "{{.Name}}")
                        .lines()
                        .sorted()
                        .toList(),
                "no object lost, and the refused one not made");
    }

    @Test
    void aDemotedManagerLeavesTheQuorumMathGoesOnAsAWorkerAndAPromotedWorkerJoinsTheGroup() throws Exception {
        List<TestDaemon> managers = threeManagers();
        TestDaemon first = managers.get(0);
        TestDaemon third = managers.get(2);
        String thirdId = nodeId(third);

        assertEquals("Manager " + thirdId + " demoted in the swarm.\n", ok(first, "node", "demote", thirdId));
        Await.until(
                CONVERGE,
                "two managers left, the demoted node a ready worker",
                () -> LocalNodes.managerStatus(first).equals(List.of("", "Leader", "Reachable"))
                        && !third.get("/info")
                                .path("Swarm")
                                .path("ControlAvailable")
                                .asBoolean(true)
                        && first.get("/nodes/" + thirdId)
                                .path("Status")
                                .path("State")
                                .asText()
                                .equals("ready"));
        assertEquals("Node " + thirdId + " is already a worker.\n", ok(first, "node", "demote", thirdId));

        // The Raft group is two now: the demoted node's loss costs no quorum.
        third.stop();
        Await.until(
                CONVERGE,
                "the demoted node to be down",
                () -> first.get("/nodes/" + thirdId)
                        .path("Status")
                        .path("State")
                        .asText()
                        .equals("down"));
        ok(first, "service", "create", "-d", "--name", "still-writable", "--replicas", "0", "host", "sleep", "1");
        assertEquals(thirdId + "\n", ok(first, "node", "rm", thirdId));
        assertEquals(2, first.get("/nodes").size());

        // A worker promoted joins the group: three managers again.
        TestDaemon worker = node("w");
        String addr = ok(first, "node", "inspect", "self", "--format", "{{.ManagerStatus.Addr}}")
                .strip();
        ok(
                worker,
                "swarm",
                "join",
                "--token",
                ok(first, "swarm", "join-token", "-q", "worker").strip(),
                addr);
        String workerId = nodeId(worker);
        Await.until(
                CONVERGE,
                "the worker to be ready",
                () -> first.get("/nodes/" + workerId)
                        .path("Status")
                        .path("State")
                        .asText()
                        .equals("ready"));
        assertEquals(
                "Node " + workerId + " promoted to a manager in the swarm.\n", ok(first, "node", "promote", workerId));
        Await.until(
                CONVERGE,
                "the promoted node to be a reachable manager",
                () -> LocalNodes.managerStatus(first).equals(List.of("Leader", "Reachable", "Reachable"))
                        && worker.get("/info")
                                .path("Swarm")
                                .path("ControlAvailable")
                                .asBoolean(false));
        Await.until(
                CONVERGE,
                "the new manager to hold the swarm's state",
                () -> ok(worker, "service", "ls", "--format", "{{.Name}}")
                        .strip()
                        .equals("still-writable"));
    }

    @Test
    void theLastManagerCannotBeDemoted() throws Exception {
        TestDaemon only = node("only");
        only.init();
        Skep.Result r = skep(only, "node", "demote", "self");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("attempting to demote the last manager of the swarm"), r.err());
    }

    @Test
    void forceNewClusterMakesALoneSurvivorTheOnlyManagerOfWhatItHeld() throws Exception {
        List<TestDaemon> managers = threeManagers();
        TestDaemon survivor = managers.get(1);
        ok(survivor, "service", "create", "-d", "--name", "kept", "--replicas", "0", "host", "sleep", "1");
        Await.until(
                CONVERGE,
                "the survivor to hold the service",
                () -> ok(survivor, "service", "ls", "--format", "{{.Name}}")
                        .strip()
                        .equals("kept"));
        managers.get(0).stop();
        managers.get(2).stop();
        Await.until(
                CONVERGE,
                "writes to be refused",
                () -> skep(survivor, "node", "update", "--availability", "active", "self")
                        .err()
                        .contains("The swarm does not have a leader"));

        Skep.Result forced = skep(survivor, "swarm", "init", "--force-new-cluster");
        assertEquals(0, forced.code(), forced.err());
        assertTrue(
                forced.out().startsWith("Swarm initialized: current node (" + nodeId(survivor) + ") is now a manager."),
                forced.out());
        ok(survivor, "service", "create", "-d", "--name", "new", "--replicas", "0", "host", "sleep", "1");
        assertEquals(
                List.of("kept", "new"),
                ok(survivor, "service", "ls", "--format", "{{.Name}}")
                        .lines()
                        .sorted()
                        .toList());
        Await.until(
                CONVERGE,
                "one manager, the leader, and the two others workers",
                () -> LocalNodes.managerStatus(survivor).equals(List.of("", "", "Leader")));
    }
}

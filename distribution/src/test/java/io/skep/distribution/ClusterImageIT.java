package io.skep.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A swarm of separate {@code skep daemon} processes of the image on loopback, each with its own data directory,
 * joined through tokens, talking mutual TLS; tasks run as host processes. Nodes are killed ({@code kill -9}) and
 * restarted as an operator would see it happen.
 */
class ClusterImageIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONVERGE = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    private final SkepImage image = SkepImage.full();
    private final Map<String, Member> members = new LinkedHashMap<>();
    private final Set<Long> seenPids = new HashSet<>();

    /** One node: its folder (data, socket, logs) and its daemon while it runs. */
    private final class Member {
        final String name;
        final Path home;
        SkepImage.Daemon daemon;

        Member(String name) {
            this.name = name;
            this.home = dir.resolve(name);
        }

        String host() {
            return "unix://" + home.resolve("skep.sock");
        }

        Map<String, String> env() {
            return ImageTest.cliEnv(dir, host());
        }

        void start() {
            daemon = image.startDaemon(env(), home.resolve("logs-" + System.nanoTime()), "--data-dir",
                    home.resolve("data").toString(), "--raft-port", "0", "--listen-addr", "127.0.0.1:0", "-H", host());
            await(name + " to answer", () -> image.run(env(), "version").exitCode() == 0);
        }

        String ok(String... args) {
            SkepImage.Result r = image.run(env(), args);
            assertEquals(0, r.exitCode(), () -> name + ": " + r.describe() + "\n" + daemon.describeOutput());
            return r.stdout();
        }

        String nodeId() {
            return ok("info", "--format", "{{.Swarm.NodeID}}").strip();
        }
    }

    private Member start(String name) {
        Member m = new Member(name);
        members.put(name, m);
        m.start();
        return m;
    }

    @AfterEach
    void cleanUp() {
        Member manager = members.get("manager");
        if (manager != null && manager.daemon.isAlive()) {
            for (String id : manager.ok("service", "ls", "-q").split("\\s+")) {
                if (!id.isBlank()) {
                    manager.ok("service", "rm", id);
                }
            }
            await("every task process to end", () -> seenPids.stream().noneMatch(ClusterImageIT::alive));
        }
        for (Member m : members.values()) {
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
    private Map<String, List<Long>> runningByNode(Member manager, String service) {
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
                    && t.path("DesiredState").asText().equals("running") && alive(pid)) {
                out.computeIfAbsent(t.path("NodeID").asText(), k -> new ArrayList<>()).add(pid);
            }
        }
        return out;
    }

    private static int total(Map<String, List<Long>> byNode) {
        return byNode.values().stream().mapToInt(List::size).sum();
    }

    private String nodeState(Member manager, String nodeId) {
        return manager.ok("node", "inspect", nodeId, "--format", "{{.Status.State}}").strip();
    }

    @Test
    void aKilledWorkersTasksMoveToTheOthersAndTheServiceSettlesAtSixWhenItReturns() {
        Member manager = start("manager");
        assertTrue(manager.ok("swarm", "init").contains("is now a manager"));
        // A short heartbeat, so the test finds the dead worker in seconds (the default-setting figure is bench's).
        manager.ok("swarm", "update", "--dispatcher-heartbeat", "1s");
        String addr = manager.ok("node", "inspect", "self", "--format", "{{.ManagerStatus.Addr}}").strip();
        String token = manager.ok("swarm", "join-token", "-q", "worker").strip();
        Member w1 = start("worker1");
        Member w2 = start("worker2");
        for (Member w : List.of(w1, w2)) {
            assertEquals("This node joined a swarm as a worker.\n", w.ok("swarm", "join", "--token", token, addr));
        }
        String w1Id = w1.nodeId();
        await("3 ready nodes", () -> manager.ok("node", "ls").lines().filter(l -> l.contains(" Ready ")).count() == 3);

        manager.ok("service", "create", "-d", "--name", "w", "--replicas", "6", "host", "sleep", "1000");
        await("6 tasks, 2 on each node", () -> {
            Map<String, List<Long>> byNode = runningByNode(manager, "w");
            return byNode.size() == 3 && byNode.values().stream().allMatch(p -> p.size() == 2);
        });
        List<Long> onW1 = runningByNode(manager, "w").get(w1Id);

        w1.daemon.kill();
        await("worker1 to be down and its tasks to run elsewhere", () -> {
            Map<String, List<Long>> byNode = runningByNode(manager, "w");
            return nodeState(manager, w1Id).equals("down") && total(byNode) == 6 && !byNode.containsKey(w1Id);
        });
        assertTrue(onW1.stream().allMatch(ClusterImageIT::alive), "a crashed daemon's tasks run on meanwhile");

        w1.start();
        await("worker1 back, its old tasks stopped, exactly 6 running", () -> nodeState(manager, w1Id).equals("ready")
                && onW1.stream().noneMatch(ClusterImageIT::alive) && total(runningByNode(manager, "w")) == 6);
        assertTrue(manager.ok("service", "ls").contains("6/6"));
    }

    private void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                StringBuilder logs = new StringBuilder();
                members.values().forEach(m -> logs.append("\n=== ").append(m.name).append(": ")
                        .append(m.daemon == null ? "" : m.daemon.describeOutput()));
                throw new AssertionError("timed out waiting for " + what + logs);
            }
            try {
                Thread.sleep(200); // polling interval of the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}

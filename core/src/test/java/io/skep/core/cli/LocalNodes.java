package io.skep.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.core.testing.Await;
import io.skep.core.testing.TestDaemon;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The nodes of one test (a JUnit extension: {@code @RegisterExtension final LocalNodes nodes = new LocalNodes()}):
 * real daemons on loopback, each with its own data directory under a folder of the test's own, driven through the
 * command line. After each test it removes the services through the manager (waiting until their task processes
 * have ended, so no test leaves processes behind), stops every node and deletes the folder.
 */
final class LocalNodes implements BeforeEachCallback, AfterEachCallback {
    static final Duration CONVERGE = Duration.ofSeconds(60);

    private Path dir;
    private final List<TestDaemon> nodes = new ArrayList<>();
    /** The manager whose services are removed after the test, once set. */
    TestDaemon manager;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("skep-nodes-");
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            close();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                // a folder left in the temporary directory fails no test
            }
        }
    }

    TestDaemon node(String name) throws Exception {
        TestDaemon d = new TestDaemon(dir.resolve(name));
        nodes.add(d);
        return d;
    }

    /** A new node that made a swarm, the manager of this test. */
    TestDaemon initManager(String name) throws Exception {
        manager = node(name);
        manager.init();
        return manager;
    }

    /**
     * Three managers: {@code first} made the swarm with the init request {@code init} (JSON), the others ({@code m2},
     * {@code m3}) joined with the manager token; returns once every one of them sees a leader and two reachable
     * managers. (It does not make {@code first} the {@link #manager} that cleans up: a test that stops managers must
     * not have one.)
     */
    List<TestDaemon> threeManagers(TestDaemon first, String init) throws Exception {
        TestDaemon.Response r = first.post("/swarm/init", init);
        assertEquals(200, r.status(), () -> "swarm init: " + r.message());
        String addr = ok(first, "node", "inspect", "self", "--format", "{{.ManagerStatus.Addr}}")
                .strip();
        String token = ok(first, "swarm", "join-token", "-q", "manager").strip();
        List<TestDaemon> managers = new ArrayList<>(List.of(first));
        for (String name : List.of("m2", "m3")) {
            TestDaemon m = node(name);
            assertEquals("This node joined a swarm as a manager.\n", ok(m, "swarm", "join", "--token", token, addr));
            managers.add(m);
        }
        Await.until(
                CONVERGE,
                "a leader and two reachable managers, seen from every manager",
                () -> managers.stream()
                        .allMatch(m -> managerStatus(m).equals(List.of("Leader", "Reachable", "Reachable"))));
        return managers;
    }

    /** MANAGER STATUS of each line of {@code node ls} on {@code on}, sorted. */
    static List<String> managerStatus(TestDaemon on) {
        return ok(on, "node", "ls", "--format", "{{.ManagerStatus}}")
                .lines()
                .sorted()
                .toList();
    }

    /** A new node joined to the manager's swarm as a worker, once the manager sees it ready. */
    TestDaemon joinWorker(String name) throws Exception {
        TestDaemon w = node(name);
        ok(w, "swarm", "join", "--token", workerToken(manager), clusterAddr(manager));
        String id = nodeId(w);
        Await.until(
                CONVERGE,
                name + " ready",
                () -> manager.get("/nodes/" + id)
                        .path("Status")
                        .path("State")
                        .asText()
                        .equals("ready"));
        return w;
    }

    private void close() throws Exception {
        if (manager != null) {
            List<Long> pids = new ArrayList<>();
            for (JsonNode t : manager.get("/tasks")) {
                long pid = t.path("Status").path("ContainerStatus").path("PID").asLong(0);
                if (pid > 0) {
                    pids.add(pid);
                }
            }
            for (JsonNode s : manager.get("/services")) {
                manager.call("DELETE", "/services/" + s.path("ID").asText(), null);
            }
            Await.until(
                    CONVERGE, "the task processes to end", () -> pids.stream().noneMatch(LocalNodes::alive));
        }
        for (TestDaemon n : nodes) {
            try {
                n.close();
            } catch (RuntimeException e) {
                // already stopped by the test
            }
        }
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static Skep.Result skep(TestDaemon on, String... args) {
        return Skep.run(on.host(), Map.of(), args);
    }

    /** Runs a command that must succeed; its output. */
    static String ok(TestDaemon on, String... args) {
        Skep.Result r = skep(on, args);
        assertEquals(0, r.code(), () -> String.join(" ", args) + ": " + r.err());
        return r.out();
    }

    static String nodeId(TestDaemon on) throws Exception {
        return on.get("/info").path("Swarm").path("NodeID").asText();
    }

    /** The manager's cluster address, as {@code swarm init} prints it in the join command. */
    static String clusterAddr(TestDaemon manager) throws Exception {
        return manager.get("/nodes/" + nodeId(manager))
                .path("ManagerStatus")
                .path("Addr")
                .asText();
    }

    static String workerToken(TestDaemon manager) throws Exception {
        return manager.get("/swarm").path("JoinTokens").path("Worker").asText();
    }
}

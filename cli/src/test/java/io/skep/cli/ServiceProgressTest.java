package io.skep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.cli.CannedDaemon.Reply;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The convergence wait of {@code service create/update/scale}: the canned daemon's tasks move to running after a
 * few polls, and the service's monitor period is 500 ms, so each wait takes about a second.
 */
class ServiceProgressTest {

    @TempDir
    Path dir;

    private CannedDaemon daemon;
    private final AtomicInteger taskPolls = new AtomicInteger();

    static final String SERVICE = """
            {"ID":"6ccoyw7yo70c12dvli4ya1z1e","Version":{"Index":3},
             "Spec":{"Name":"web","Mode":{"Replicated":{"Replicas":2}},
                     "TaskTemplate":{"ContainerSpec":{"Image":"busybox"}},
                     "UpdateConfig":{"Parallelism":1,"Monitor":500000000}}%s}""";

    static String task(String id, int slot, String node, String state) {
        return """
                {"ID":"%s","ServiceID":"6ccoyw7yo70c12dvli4ya1z1e","Slot":%d,"NodeID":"%s","DesiredState":"running",
                 "Spec":{"ContainerSpec":{"Image":"busybox"}},"Status":{"State":"%s"}}""".formatted(id, slot, node, state);
    }

    @BeforeEach
    void start() {
        daemon = CannedDaemon.unix(dir.resolve("skep.sock"));
        daemon.on("POST /services/create", r -> Reply.json(201, "{\"ID\":\"6ccoyw7yo70c12dvli4ya1z1e\"}"));
        daemon.on("GET /nodes", """
                [{"ID":"node1","Status":{"State":"ready"}},{"ID":"node2","Status":{"State":"ready"}},
                 {"ID":"gone","Status":{"State":"down"}}]""");
        // Two polls with tasks on their way, then both running.
        daemon.on("GET /tasks", r -> {
            int n = taskPolls.incrementAndGet();
            if (n == 1) {
                return Reply.ok("[" + task("t1", 1, "", "pending") + "]");
            }
            if (n == 2) {
                // t9 runs on a node that is down: it does not count
                return Reply.ok("[" + task("t1", 1, "node1", "running") + "," + task("t9", 2, "gone", "running") + "]");
            }
            return Reply.ok("[" + task("t1", 1, "node1", "running") + "," + task("t2", 2, "node2", "running") + "]");
        });
    }

    @AfterEach
    void stop() {
        daemon.close();
    }

    @Test
    void createWaitsUntilTheServiceConverged() {
        daemon.on("GET /services/{}", SERVICE.formatted(""));

        Skep.Result r = Skep.run(daemon, "service", "create", "--replicas", "2", "busybox");

        assertEquals(0, r.code(), r.err());
        assertEquals(
                List.of(
                        "6ccoyw7yo70c12dvli4ya1z1e",
                        "overall progress: 0 out of 2 tasks",
                        "1/2:  ",
                        "2/2:  ",
                        "overall progress: 1 out of 2 tasks",
                        "overall progress: 2 out of 2 tasks",
                        "verify: Waiting 1 seconds to verify that tasks are stable...",
                        "verify: Service 6ccoyw7yo70c12dvli4ya1z1e converged"),
                r.lines());

        // Every poll asks for the service, its up-to-date tasks and the nodes; the last one only for the service.
        CannedDaemon.Request svc =
                daemon.requests("GET", "/services/6ccoyw7yo70c12dvli4ya1z1e").getFirst();
        assertEquals("false", svc.query("insertDefaults"));
        CannedDaemon.Request tasks = daemon.requests("GET", "/tasks").getFirst();
        assertEquals(
                CannedDaemon.parse(
                        "{\"_up-to-date\":{\"true\":true},\"service\":{\"6ccoyw7yo70c12dvli4ya1z1e\":true}}"),
                tasks.filters());
        int services =
                daemon.requests("GET", "/services/6ccoyw7yo70c12dvli4ya1z1e").size();
        assertEquals(services - 1, daemon.requests("GET", "/tasks").size());
        assertEquals(services - 1, daemon.requests("GET", "/nodes").size());
        assertTrue(services >= 5, "converged only after the monitor period: " + services + " polls");
    }

    @Test
    void scaleWaitsOnEachServiceByName() {
        daemon.on("GET /services/{}", SERVICE.formatted(""));
        daemon.on("POST /services/{}/update", "{}");

        Skep.Result r = Skep.run(daemon, "service", "scale", "web=2");

        assertEquals(0, r.code(), r.err());
        assertEquals("web scaled to 2", r.lines().getFirst());
        assertEquals("verify: Service web converged", r.lines().getLast());
    }

    @Test
    void pausedUpdateIsAnError() {
        daemon.on(
                "GET /services/{}",
                SERVICE.formatted(
                        ",\"UpdateStatus\":{\"State\":\"paused\",\"Message\":\"update paused due to failure or early termination of task t1\"}"));
        daemon.on("POST /services/{}/update", "{}");

        Skep.Result r = Skep.run(daemon, "service", "update", "--force", "web");

        assertEquals(1, r.code());
        assertEquals("web\n", r.out());
        assertEquals("service update paused: update paused due to failure or early termination of task t1\n", r.err());
    }

    @Test
    void updateCompletedBeforeConvergenceEndsTheWait() {
        daemon.on("GET /services/{}", SERVICE.formatted(",\"UpdateStatus\":{\"State\":\"completed\"}"));
        daemon.on("POST /services/{}/update", "{}");

        Skep.Result r = Skep.run(daemon, "service", "update", "--force", "web");

        assertEquals(0, r.code(), r.err());
        assertEquals("web\n", r.out());
        assertTrue(daemon.requests("GET", "/tasks").isEmpty());
    }

    @Test
    void rollbackShowsItsMessages() {
        daemon.on(
                "GET /services/{}",
                SERVICE.formatted(
                        ",\"UpdateStatus\":{\"State\":\"rollback_started\",\"Message\":\"manually requested rollback\"}"));
        daemon.on("POST /services/{}/update", "{}");

        Skep.Result r = Skep.run(daemon, "service", "update", "--rollback", "web");

        assertEquals(0, r.code(), r.err());
        assertEquals(
                List.of(
                        "web",
                        "rollback: manually requested rollback",
                        "overall progress: rolling back update: 0 out of 2 tasks",
                        "1/2:  ",
                        "2/2:  ",
                        "overall progress: rolling back update: 1 out of 2 tasks",
                        "overall progress: rolling back update: 2 out of 2 tasks",
                        "verify: Waiting 1 seconds to verify that tasks are stable...",
                        "verify: Service web converged"),
                r.lines());
    }

    @Test
    void globalServiceProgressIsPerNode() {
        daemon.on("GET /services/{}", """
                {"ID":"6ccoyw7yo70c12dvli4ya1z1e","Spec":{"Name":"agent","Mode":{"Global":{}},
                 "UpdateConfig":{"Monitor":300000000}}}""");

        Skep.Result r = Skep.run(daemon, "service", "create", "--mode", "global", "busybox");

        assertEquals(0, r.code(), r.err());
        assertEquals(
                List.of(
                        "6ccoyw7yo70c12dvli4ya1z1e",
                        "overall progress: 0 out of 1 tasks",
                        "overall progress: 1 out of 2 tasks",
                        "overall progress: 2 out of 2 tasks",
                        "verify: Waiting 1 seconds to verify that tasks are stable...",
                        "verify: Service 6ccoyw7yo70c12dvli4ya1z1e converged"),
                r.lines());
    }

    @Test
    void quietStillWaits() {
        daemon.on("GET /services/{}", SERVICE.formatted(""));

        Skep.Result r = Skep.run(daemon, "service", "create", "-q", "busybox");

        assertEquals(0, r.code(), r.err());
        assertEquals("6ccoyw7yo70c12dvli4ya1z1e\n", r.out());
        assertFalse(daemon.requests("GET", "/tasks").isEmpty());
    }

    @Test
    void terminalOutputRedrawsLinesInPlace() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressWriter w = new ProgressWriter(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, 80, false);
        w.progress("overall progress", "0 out of 1 tasks", 0, 0);
        w.progress("1/1", "starting ", 8, 9);
        w.progress("overall progress", "1 out of 1 tasks", 0, 0);
        w.message("", "done");

        String esc = "\u001b";
        assertEquals(
                "\n" + esc + "[1A" + esc + "[2K\roverall progress: 0 out of 1 tasks \r" + esc + "[1B"
                        + "\n" + esc + "[1A" + esc + "[2K\r1/1: starting  \r" + esc + "[1B"
                        + esc + "[2A" + esc + "[2K\roverall progress: 1 out of 1 tasks \r" + esc + "[2B"
                        + "done\n",
                bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void plainOutputDropsBarsAndRepeats() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressWriter w = new ProgressWriter(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 80, false);
        w.progress("overall progress", "0 out of 1 tasks", 0, 0);
        w.progress("1/1", "starting ", 8, 9);
        w.progress("1/1", "task: non-zero exit (1)", 0, 0);
        w.progress("overall progress", "0 out of 1 tasks", 0, 0);
        w.progress("overall progress", "1 out of 1 tasks", 0, 0);

        assertEquals(
                "overall progress: 0 out of 1 tasks\n1/1: task: non-zero exit (1)\n"
                        + "overall progress: 1 out of 1 tasks\n",
                bytes.toString(StandardCharsets.UTF_8));
    }
}

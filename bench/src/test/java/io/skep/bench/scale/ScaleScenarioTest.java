package io.skep.bench.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.api.model.Json;
import io.skep.api.model.Task;
import io.skep.api.model.TaskSpec;
import io.skep.api.model.TaskState;
import io.skep.bench.FileTrees;
import io.skep.core.dispatcher.AssignmentMailbox;
import io.skep.core.dispatcher.NetworkView;
import io.skep.core.dispatcher.ViewChanges;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scale scenario's command line, its reading and writing of the dispatcher's JSON, its gauges and report. */
class ScaleScenarioTest {

    private static String error(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> ScaleScenario.Options.parse(args))
                .getMessage();
    }

    @Test
    void defaultsAreTheIssuesFigures() {
        ScaleScenario.Options o = ScaleScenario.Options.parse("--skep=/opt/skep/bin/skep");
        assertEquals(1, o.managers());
        assertEquals(1000, o.workers());
        assertEquals(100, o.services());
        assertEquals(1000, o.replicas());
        assertEquals(100_000, o.tasks());
        assertEquals("netty", o.agent());
        assertEquals(2, o.agentThreads());
        assertEquals(Duration.ofMillis(1000), o.poll());
        assertNull(o.jfr());
        assertEquals(Path.of(System.getProperty("java.io.tmpdir")), o.dir());
    }

    @Test
    void optionsAreReadAndBadOnesNamed() {
        ScaleScenario.Options o = ScaleScenario.Options.parse(
                "--workers=5",
                "--services=2",
                "--replicas=10",
                "--skep=/opt/skep/bin/skep",
                "--dir=/var/tmp",
                "--agent=jdk",
                "--agent-threads=1",
                "--join-parallel=4",
                "--poll=100",
                "--timeout=60",
                "--jfr=/tmp/m.jfr",
                "--manager-opts=-Xmx1g",
                "--managers=3");
        assertEquals(
                new ScaleScenario.Options(
                        3,
                        5,
                        2,
                        10,
                        Path.of("/opt/skep/bin/skep"),
                        Path.of("/var/tmp"),
                        "jdk",
                        1,
                        4,
                        Duration.ofMillis(100),
                        Duration.ofSeconds(60),
                        Path.of("/tmp/m.jfr"),
                        "-Xmx1g",
                        0),
                o);
        assertEquals(3, ScaleScenario.Options.parse("--skep=/x", "--fanout=3").fanout());
        assertTrue(error("--fanout=3", "--agent=jdk", "--skep=/x").contains("--fanout: needs --agent=netty"));
        assertEquals("", error("--help"));
        assertTrue(error("--workers=0", "--skep=/x").contains("--workers must be at least 1"));
        assertTrue(error("--replicas=many", "--skep=/x").contains("not a number"));
        assertTrue(error("--agent=grpc", "--skep=/x").contains("expected netty or jdk"));
        assertTrue(error("--nodes=3", "--skep=/x").contains("unknown option '--nodes'"));
        assertTrue(error("--workers").contains("expected --name=value"));
    }

    @Test
    void assignmentsAreReadFromTheManagersOwnJson() throws Exception {
        Task running = task("t1", TaskState.RUNNING);
        Task stopping = task("t2", TaskState.SHUTDOWN);
        byte[] body = Json.bytes(new AssignmentMailbox.Assignments(7, List.of(running, stopping), List.of(), null));
        Wire.Fetched f = Wire.fetched(new ByteArrayInputStream(body));
        assertEquals(7, f.sequence());
        assertEquals(
                List.of(new Wire.Assigned("t1", TaskState.RUNNING), new Wire.Assigned("t2", TaskState.SHUTDOWN)),
                f.tasks());
        assertEquals(
                new Wire.Fetched(0, List.of(), new Wire.Views(Wire.Views.WHOLE, List.of(), List.of())),
                Wire.fetched(
                        new ByteArrayInputStream("{\"Sequence\":0,\"Tasks\":[]}".getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void theAgentsHoldTheViewsTheManagerSendsWholeOrAsChanges() throws Exception {
        NetworkView.ServiceEntry web = new NetworkView.ServiceEntry(
                "s1",
                "web",
                List.of(),
                "198.18.0.2",
                List.of(
                        new NetworkView.TaskEntry("t1", "web.1.t1", "198.18.0.3", List.of()),
                        new NetworkView.TaskEntry("t2", "web.2.t2", "198.18.0.4", List.of())));
        List<NetworkView> first = List.of(new NetworkView(
                "n1",
                List.of(
                        new NetworkView.Peer("t1", "198.18.0.3", "127.0.0.1"),
                        new NetworkView.Peer("t2", "198.18.0.4", "127.0.0.1")),
                List.of(web)));
        List<NetworkView> second = List.of(new NetworkView(
                "n1",
                List.of(new NetworkView.Peer("t2", "198.18.0.4", "127.0.0.1")),
                List.of(new NetworkView.ServiceEntry(
                        "s1",
                        "web",
                        List.of(),
                        "198.18.0.2",
                        List.of(web.tasks().get(1))))));
        HeldViews held = new HeldViews();
        Wire.Fetched whole = Wire.fetched(
                new ByteArrayInputStream(Json.bytes(new AssignmentMailbox.Assignments(1, List.of(), first, null))));
        assertEquals(Wire.Views.WHOLE, whole.views().base());
        assertTrue(held.apply(whole.views(), 0));
        assertEquals(2, held.peers());
        assertEquals(2, held.running());

        Wire.Fetched changes = Wire.fetched(new ByteArrayInputStream(Json.bytes(
                new AssignmentMailbox.Assignments(2, List.of(), List.of(), ViewChanges.between(1, first, second)))));
        assertEquals(1, changes.views().base());
        assertFalse(held.apply(changes.views(), 5), "changes to a set the agent does not hold");
        assertEquals(2, held.peers());
        assertTrue(held.apply(changes.views(), 1));
        assertEquals(1, held.peers());
        assertEquals(1, held.running());

        Wire.Fetched gone = Wire.fetched(new ByteArrayInputStream(Json.bytes(new AssignmentMailbox.Assignments(
                3, List.of(), List.of(), ViewChanges.between(2, second, List.of())))));
        assertTrue(held.apply(gone.views(), 2));
        assertEquals(0, held.peers());
        assertEquals(0, held.running());
    }

    @Test
    void theFanoutReportGivesQuantilesAndTheBytesAgainstWholeViews() {
        double[] millis = new double[100];
        for (int i = 0; i < 100; i++) {
            millis[i] = i + 1;
        }
        String report = FanoutPhase.report(101, 200_000, List.of(new FanoutPhase.Change(millis, 51_200, 100)));
        assertTrue(report.contains("50 ") && report.contains("99 ") && report.contains("100"), report);
        assertTrue(report.contains("100 task sets, 50.0 KB in all (512 bytes a set)"), report);
        assertTrue(report.contains("changes ÷ whole: 0.0026"), report);
        assertTrue(report.contains("p99 ≤ 250 ms: met"), report);
    }

    private static Task task(String id, TaskState desired) {
        Task t = new Task();
        t.id = id;
        t.desiredState = desired.wire();
        t.nodeId = "n1";
        t.serviceId = "s1";
        t.spec = new TaskSpec();
        t.spec.containerSpec = new TaskSpec.ContainerSpec();
        t.spec.containerSpec.image = "host";
        t.spec.containerSpec.command = List.of("sleep", "infinity");
        t.status.state = TaskState.ASSIGNED.wire();
        t.labels = Map.of("a", "b");
        return t;
    }

    @Test
    void sessionAndHeartbeatAnswersAndStatusReportsSpeakTheCoresJson() throws Exception {
        Wire.Opened o = Wire.opened(new ByteArrayInputStream(
                "{\"SessionId\":\"s1\",\"HeartbeatPeriod\":5000000000,\"Managers\":[\"127.0.0.1:1\"]}"
                        .getBytes(StandardCharsets.UTF_8)));
        assertEquals(new Wire.Opened("s1", 5_000), o);
        assertEquals(
                2_000,
                Wire.heartbeatMillis(
                        new ByteArrayInputStream("{\"HeartbeatPeriod\":2000000000,\"Managers\":[],\"Role\":\"worker\"}"
                                .getBytes(StandardCharsets.UTF_8))));

        byte[] body = Wire.statusBatch(
                List.of(Map.entry("t1", TaskState.RUNNING), Map.entry("t2", TaskState.SHUTDOWN)),
                "2025-01-01T00:00:00Z");
        JsonNode list = Json.MAPPER.readTree(body);
        assertEquals(2, list.size());
        assertEquals("t1", list.get(0).path("TaskId").asText());
        Task.TaskStatus s = Json.MAPPER.treeToValue(list.get(0).path("Status"), Task.TaskStatus.class);
        assertEquals("running", s.state);
        assertEquals("sim-t1", s.containerStatus.containerId);
        assertEquals("2025-01-01T00:00:00Z", s.timestamp);
        assertEquals("shutdown", Json.MAPPER.treeToValue(list.get(1).path("Status"), Task.TaskStatus.class).state);
    }

    @Test
    void anInstantRuntimeGoesStraightToTheDesiredStateAndNeverBack() {
        assertEquals(TaskState.RUNNING, Wire.next(null, TaskState.RUNNING));
        assertEquals(TaskState.READY, Wire.next(null, TaskState.READY));
        assertNull(Wire.next(TaskState.RUNNING, TaskState.RUNNING));
        assertEquals(TaskState.RUNNING, Wire.next(TaskState.READY, TaskState.RUNNING));
        assertEquals(TaskState.SHUTDOWN, Wire.next(TaskState.RUNNING, TaskState.SHUTDOWN));
        assertEquals(TaskState.SHUTDOWN, Wire.next(null, TaskState.REMOVE));
        assertNull(Wire.next(TaskState.SHUTDOWN, TaskState.RUNNING));
        assertNull(Wire.next(TaskState.RUNNING, TaskState.READY));
    }

    @Test
    void theHeapIsReadFromTheGcLogAndJcmd() {
        Gauges.Heap h = Gauges.gcLog(List.of(
                "[0.010s][info][gc] Using G1",
                "[1.500s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 24M->4M(256M) 3.500ms",
                "[2.000s][info][gc] GC(1) Concurrent Mark Cycle 12.000ms",
                "[3.000s][info][gc] GC(2) Pause Young (Normal) (G1 Evacuation Pause) 1G->512M(2048M) 10.250ms",
                "[4.000s][info][gc] GC(3) Pause Remark 600M->590M(2G) 1.250ms"));
        assertEquals(new Gauges.Heap(1024, 590, 2048, 3, 15), h);
        assertEquals(Gauges.Heap.NONE, Gauges.gcLog(List.of("[0.010s][info][gc] Using G1")));

        double[] jdk25 = Gauges.heapInfo("""
                1234:
                 garbage-first heap   total reserved 6291456K, committed 1163264K, used 575488K [0x0000000680000000, 0x0000000800000000)
                  region size 4096K, 1 young (4096K), 0 survivors (0K)
                 Metaspace       used 60000K, committed 61000K, reserved 1114112K
                """);
        assertEquals(562, jdk25[0]);
        assertEquals(1136, jdk25[1]);
        double[] jdk21 = Gauges.heapInfo(" garbage-first heap   total 262144K, used 21504K [0x0, 0x1)\n");
        assertEquals(21, jdk21[0]);
        assertEquals(256, jdk21[1]);
    }

    @Test
    void theReportGivesTheRateAgainstTheGoal() {
        ScaleScenario.Options o = ScaleScenario.Options.parse("--skep=/x");
        ScaleScenario.Result r = new ScaleScenario.Result(
                o,
                "light agents",
                9,
                12,
                7.5,
                31.3,
                31.6,
                25,
                50,
                10,
                1,
                new Gauges.Heap(2458, 834, 3648, 21, 2748),
                562,
                1136,
                3548,
                3548,
                Double.NaN,
                Double.NaN);
        String report = ScaleScenario.report(r);
        assertTrue(report.contains("4000 tasks/s, 1.07x the goal: met"), report);
        assertTrue(report.contains("all 100000 tasks running") && report.contains("25.00"), report);
        assertTrue(report.contains("CPU 50.0 s in 25.00 s = 2.00 cores"), report);
        assertTrue(report.contains("peak after GC 834 MB") && report.contains("live after a full GC 562 MB"), report);
        assertTrue(report.contains("1000 workers in 9.00 s (111/s)"), report);
        assertTrue(!report.contains("followers"), report);

        ScaleScenario.Result three = new ScaleScenario.Result(
                ScaleScenario.Options.parse("--skep=/x", "--managers=3"),
                "light agents",
                9,
                12,
                7.5,
                31.3,
                31.6,
                25,
                50,
                10,
                1,
                Gauges.Heap.NONE,
                Double.NaN,
                Double.NaN,
                3548,
                3548,
                20,
                900);
        String report3 = ScaleScenario.report(three);
        assertTrue(
                report3.contains("Leader over the timed phase") && report3.contains("heap: peak used ? MB"), report3);
        assertTrue(
                report3.contains("Other managers (2 Raft followers): CPU 20.0 s = 0.80 cores; peak RSS 900 MB"),
                report3);
    }

    /** The whole scenario at a tiny size, against the image when one is built (a few seconds). */
    @Test
    void theScenarioRunsAgainstTheImage() throws Exception {
        Path skep = FileTrees.findUp(Path.of(""), "distribution/target/skep/bin/skep");
        assumeTrue(skep != null, "no image built: distribution/target/skep/bin/skep");
        ScaleScenario.Options o = ScaleScenario.Options.parse(
                "--workers=5", "--services=2", "--replicas=10", "--skep=" + skep, "--timeout=60");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ScaleScenario.run(o, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("Joined 5 workers"), out);
        assertTrue(out.contains("the control API showed all 20 tasks running"), out);
        assertTrue(out.contains("Workers' failed calls: none"), out);
    }

    /**
     * The fan-out phase at a tiny size against the image: each new task reaches the four other nodes' views as a
     * change, a small fraction of the whole views.
     */
    @Test
    void theFanoutPhaseRunsAgainstTheImage() throws Exception {
        Path skep = FileTrees.findUp(Path.of(""), "distribution/target/skep/bin/skep");
        assumeTrue(skep != null, "no image built: distribution/target/skep/bin/skep");
        ScaleScenario.Options o =
                ScaleScenario.Options.parse("--workers=5", "--fanout=2", "--skep=" + skep, "--timeout=60");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ScaleScenario.run(o, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("service fanout of 5 tasks (one a node) on it"), out);
        assertTrue(out.contains("2 changes x 4 other nodes"), out);
        java.util.regex.Matcher ratio =
                java.util.regex.Pattern.compile("changes ÷ whole: ([0-9.]+)").matcher(out);
        assertTrue(ratio.find(), out);
        assertTrue(Double.parseDouble(ratio.group(1)) < 1, "the changes are smaller than the whole views: " + out);
        assertTrue(out.contains("Workers' failed calls: none"), out);
    }
}

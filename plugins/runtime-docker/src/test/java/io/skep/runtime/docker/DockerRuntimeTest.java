package io.skep.runtime.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import io.skep.spi.runtime.Availability;
import io.skep.spi.runtime.ExecResult;
import io.skep.spi.runtime.LogLine;
import io.skep.spi.runtime.NetworkAttachment;
import io.skep.spi.runtime.RuntimeContext;
import io.skep.spi.runtime.TaskDefinition;
import io.skep.spi.runtime.TaskExit;
import io.skep.spi.runtime.TaskHandle;
import io.skep.spi.runtime.TaskRejectedException;
import io.skep.spi.runtime.TaskResources;
import io.skep.spi.runtime.TaskRuntime;
import io.skep.spi.runtime.TaskRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docker runtime against a real engine, with the FROM-scratch busybox test image. Every container a test makes
 * carries a node ID of the test's own; they are all removed after each test, whatever happened.
 */
@ExtendWith(RequiresDocker.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DockerRuntimeTest {

    /** The deadline of every wait on a container's end. */
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static final String SLEEPER = "trap 'exit 0' TERM; sleep 1000 & wait";

    private static String image;
    private static Engine engine;
    private static DockerClient docker;

    @TempDir
    Path stateDir;

    private final DockerRuntimeProvider provider = new DockerRuntimeProvider();
    private final List<TaskRuntime> runtimes = new CopyOnWriteArrayList<>();
    private final List<String> nodeIds = new CopyOnWriteArrayList<>();
    private String node;

    @BeforeAll
    static void connect() throws TaskRuntimeException {
        image = RequiresDocker.image();
        engine = Engine.connect();
        docker = engine.client();
    }

    @AfterAll
    static void disconnect() {
        if (engine != null) {
            engine.close();
        }
    }

    @BeforeEach
    void newNode() {
        node = newNodeId();
    }

    @AfterEach
    void removeEverythingMade() {
        runtimes.forEach(TaskRuntime::close);
        for (String nodeId : nodeIds) {
            for (Container c : containersOf(nodeId)) {
                try {
                    docker.removeContainerCmd(c.getId())
                            .withForce(true)
                            .withRemoveVolumes(true)
                            .exec();
                } catch (NotFoundException ignored) {
                    // gone already
                }
            }
        }
    }

    // ---------------------------------------------------------------- plumbing

    private String newNodeId() {
        String id = "test-" + UUID.randomUUID().toString().substring(0, 12);
        nodeIds.add(id);
        return id;
    }

    private static String newTaskId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 25);
    }

    private TaskRuntime open(String nodeId) throws TaskRuntimeException {
        TaskRuntime runtime = provider.open(new RuntimeContext(nodeId, stateDir));
        runtimes.add(runtime);
        return runtime;
    }

    /** A launch of the test image: {@code sh -c script} as the command, the task named web.1.<id>. */
    private TaskDefinition sh(String taskId, String script, String stopSignal, Duration grace) {
        return launch(taskId, image, List.of("sh", "-c"), List.of(script), stopSignal, grace);
    }

    private TaskDefinition launch(
            String taskId, String image, List<String> command, List<String> args, String stopSignal, Duration grace) {
        Map<String, String> labels = Map.of(
                "com.docker.swarm.service.id",
                "svc1",
                "com.docker.swarm.service.name",
                "web",
                "com.docker.swarm.task.id",
                taskId,
                "com.docker.swarm.task.name",
                "web.1." + taskId,
                "com.docker.swarm.node.id",
                node);
        return TaskDefinition.builder(taskId, image)
                .taskName("web.1." + taskId)
                .service("svc1", "web")
                .slot(1)
                .nodeId(node)
                .command(command)
                .args(args)
                .env(List.of("GREETING=hello", "EMPTY="))
                .labels(labels)
                .stopSignal(stopSignal)
                .stopGracePeriod(grace)
                .build();
    }

    /** Prepares and starts a task, as the agent does. */
    private static TaskHandle start(TaskRuntime runtime, TaskDefinition definition) throws TaskRuntimeException {
        TaskHandle handle = runtime.prepare(definition);
        handle.start();
        return handle;
    }

    private static List<Container> containersOf(String nodeId) {
        return docker.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(DockerRuntime.NODE_ID_LABEL, nodeId))
                .exec();
    }

    private static TaskExit exitOf(TaskHandle handle) throws Exception {
        return handle.exit().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static InspectContainerResponse inspect(TaskHandle handle) {
        return docker.inspectContainerCmd(handle.runtimeId()).exec();
    }

    private static boolean running(TaskHandle handle) {
        return Boolean.TRUE.equals(inspect(handle).getState().getRunning());
    }

    // ---------------------------------------------------------------- tests

    @Test
    void probeFindsTheEngine() {
        Availability availability = provider.probe(new RuntimeContext(node, stateDir));
        assertEquals(Availability.yes(), availability);
    }

    @Test
    void aTaskIsARunningContainerWithItsSpecAndLabels() throws Exception {
        TaskRuntime runtime = open(node);
        String taskId = newTaskId();
        TaskDefinition base =
                launch(taskId, image, List.of(), List.of("sleep", "1000"), "SIGUSR1", Duration.ofMillis(2500));
        TaskDefinition launch = base.toBuilder()
                .workingDir("/work")
                .user("1234:5678")
                .hostname("web-1")
                .resources(new TaskResources(500_000_000L, 64L * 1024 * 1024, 100))
                .build();
        TaskHandle handle = start(runtime, launch);

        assertEquals(taskId, handle.taskId());
        InspectContainerResponse c = inspect(handle);
        assertEquals(c.getId(), handle.runtimeId());
        assertTrue(c.getState().getRunning(), "running");
        assertEquals("/web.1." + taskId, c.getName());
        assertEquals(image, c.getConfig().getImage());
        assertEquals(List.of("sleep", "1000"), List.of(c.getConfig().getCmd()));
        assertTrue(
                c.getConfig().getEntrypoint() == null || c.getConfig().getEntrypoint().length == 0,
                "the image's entrypoint (none)");
        assertTrue(
                List.of(c.getConfig().getEnv()).containsAll(List.of("GREETING=hello", "EMPTY=")),
                () -> List.of(c.getConfig().getEnv()).toString());
        assertEquals("/work", c.getConfig().getWorkingDir());
        assertEquals("1234:5678", c.getConfig().getUser());
        assertEquals("web-1", c.getConfig().getHostName());
        assertEquals(500_000_000L, c.getHostConfig().getNanoCPUs(), "CPU limit");
        assertEquals(64L * 1024 * 1024, c.getHostConfig().getMemory(), "memory limit");
        assertEquals(100L, c.getHostConfig().getPidsLimit(), "pids limit");
        String restart = c.getHostConfig().getRestartPolicy().getName();
        assertTrue(restart == null || restart.isEmpty() || restart.equals("no"), "restart policy: " + restart);

        Map<String, String> expected = new HashMap<>(launch.labels());
        expected.put("io.skep.task.id", taskId);
        expected.put("io.skep.node.id", node);
        Map<String, String> labels = c.getConfig().getLabels();
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertEquals(e.getValue(), labels.get(e.getKey()), e.getKey());
        }
        assertEquals("SIGUSR1", labels.get(DockerRuntime.STOP_SIGNAL_LABEL));
        assertEquals("2500", labels.get(DockerRuntime.STOP_GRACE_LABEL));
        assertFalse(handle.exit().isDone());
    }

    @Test
    void commandOverridesTheEntrypointAndExitCodeComesBack() throws Exception {
        TaskRuntime runtime = open(node);
        TaskHandle handle = start(runtime, sh(newTaskId(), "exit 3", "", null));
        assertEquals(List.of("sh", "-c"), List.of(inspect(handle).getConfig().getEntrypoint()));
        assertEquals(new TaskExit(3, "exit status 3"), exitOf(handle));
    }

    @Test
    void stopSendsTheSignalAndTheTaskEndsWithinItsGrace() throws Exception {
        TaskRuntime runtime = open(node);
        TaskHandle handle = start(runtime, sh(newTaskId(), SLEEPER, "", Duration.ofSeconds(30)));
        long started = System.nanoTime();
        handle.shutdown("SIGTERM", Duration.ofSeconds(30));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(handle.exit().isDone(), "stop() returns once the task has ended");
        assertEquals(new TaskExit(0, "exit status 0"), exitOf(handle));
        assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "ended on SIGTERM, not after the grace: " + took);
        assertFalse(running(handle));
        handle.shutdown("SIGTERM", Duration.ofSeconds(1)); // stopping an ended task does nothing
    }

    @Test
    void stopWithoutASignalSendsTheTasksOwnStopSignal() throws Exception {
        TaskRuntime runtime = open(node);
        TaskHandle handle = start(
                runtime, sh(newTaskId(), "trap 'exit 5' USR1; sleep 1000 & wait", "SIGUSR1", Duration.ofSeconds(30)));
        handle.shutdown(null, null);
        assertEquals(new TaskExit(5, "exit status 5"), exitOf(handle));
    }

    @Test
    void aTaskIgnoringTheSignalIsKilledAfterTheGrace() throws Exception {
        TaskRuntime runtime = open(node);
        TaskHandle handle = start(runtime, sh(newTaskId(), "trap '' TERM; while :; do sleep 1; done", "", null));
        Duration grace = Duration.ofMillis(1500);
        long started = System.nanoTime();
        handle.shutdown("SIGTERM", grace);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(handle.exit().isDone(), "stop() returns once the task has ended");
        assertEquals(new TaskExit(137, "killed by SIGKILL (exit status 137)"), exitOf(handle));
        assertTrue(took.compareTo(grace) >= 0, "killed only after the grace: " + took);
        assertTrue(took.compareTo(grace.plusSeconds(10)) < 0, "killed soon after the grace: " + took);
    }

    @Test
    void aKillFromOutsideEndsTheTask() throws Exception {
        TaskRuntime runtime = open(node);
        TaskHandle handle = start(runtime, sh(newTaskId(), SLEEPER, "", null));
        docker.killContainerCmd(handle.runtimeId()).exec(); // docker kill
        assertEquals(new TaskExit(137, "killed by SIGKILL (exit status 137)"), exitOf(handle));
    }

    @Test
    void aMissingImageFailsWithTheEnginesReason() throws Exception {
        TaskRuntime runtime = open(node);
        // a registry that refuses at once (port 1 of this host): the pull fails the same way with or without a
        // network, and no registry's answer can make the image appear
        String missing =
                "localhost:1/skep-test/nope-" + UUID.randomUUID().toString().substring(0, 8) + ":1";
        String taskId = newTaskId();
        TaskRuntimeException e = assertThrows(
                TaskRejectedException.class,
                () -> start(runtime, launch(taskId, missing, List.of(), List.of(), "", null)),
                "the task cannot run here: rejected");
        assertTrue(e.getMessage().startsWith("No such image: " + missing), e.getMessage());
        assertTrue(e.getMessage().contains("(pull failed: "), e.getMessage());
        assertEquals(List.of(), containersOf(node));
    }

    @Test
    void aCommandThatCannotStartFailsWithTheEnginesReasonAndLeavesNoContainer() throws Exception {
        TaskRuntime runtime = open(node);
        TaskRuntimeException e = assertThrows(
                TaskRuntimeException.class,
                () -> start(runtime, launch(newTaskId(), image, List.of("/bin/no-such-command"), List.of(), "", null)));
        assertTrue(e.getMessage().contains("no-such-command"), e.getMessage());
        assertFalse(e instanceof TaskRejectedException, "it was created and failed to start: failed, not rejected");
        assertEquals(List.of(), containersOf(node));
    }

    @Test
    void anInvalidSpecIsRefusedBeforeTheEngineSeesIt() throws Exception {
        TaskRuntime runtime = open(node);
        TaskRuntimeException e = assertThrows(
                TaskRejectedException.class,
                () -> start(runtime, launch(newTaskId(), "host", List.of(), List.of(), "", null)));
        assertTrue(e.getMessage().startsWith("ContainerSpec.Image: "), e.getMessage());
    }

    @Test
    void recoverAdoptsTheNodesRunningContainersAndReportsItsEndedOnes() throws Exception {
        TaskRuntime first = open(node);
        String runningId = newTaskId();
        String exitedId = newTaskId();
        TaskHandle running = start(first, sh(runningId, SLEEPER, "", Duration.ofSeconds(30)));
        TaskHandle exited = start(first, sh(exitedId, "exit 3", "", null));
        assertEquals(3, exitOf(exited).exitCode());
        first.close(); // the node goes down; its containers run on

        // another node on the same engine sees none of them
        String otherNode = newNodeId();
        TaskRuntime other = open(otherNode);
        String othersTask = newTaskId();
        String saved = node;
        node = otherNode;
        TaskHandle othersOwn = start(other, sh(othersTask, SLEEPER, "", null));
        node = saved;
        assertEquals(
                Set.of(othersTask),
                other.recover().stream().map(TaskHandle::taskId).collect(Collectors.toSet()));

        // the node comes back
        TaskRuntime second = open(node);
        Map<String, TaskHandle> found = second.recover().stream().collect(Collectors.toMap(TaskHandle::taskId, h -> h));
        assertEquals(Set.of(runningId, exitedId), found.keySet());
        TaskHandle adopted = found.get(runningId);
        TaskHandle ended = found.get(exitedId);
        assertEquals(running.runtimeId(), adopted.runtimeId());
        assertEquals(exited.runtimeId(), ended.runtimeId());
        assertEquals(new TaskExit(3, "exit status 3"), ended.exit().getNow(null));
        assertFalse(adopted.exit().isDone());
        assertTrue(running(adopted), "still running: adopted, not restarted");
        assertEquals(
                List.of(adopted),
                new ArrayList<>(second.recover().stream()
                        .filter(h -> h.taskId().equals(runningId))
                        .toList()),
                "the same handle on a second recover()");

        adopted.shutdown("SIGTERM", Duration.ofSeconds(20));
        assertEquals(new TaskExit(0, "exit status 0"), exitOf(adopted));

        ended.remove();
        adopted.remove();
        assertEquals(List.of(), containersOf(node));
        assertEquals(List.of(), second.recover());
        assertTrue(running(othersOwn), "the other node's container is untouched");
    }

    @Test
    void removeDeletesTheEndedContainerOnly() throws Exception {
        TaskRuntime runtime = open(node);
        TaskHandle handle = start(runtime, sh(newTaskId(), SLEEPER, "", null));
        assertThrows(IllegalStateException.class, handle::remove, "a running task");
        assertTrue(running(handle));
        handle.shutdown(null, Duration.ofSeconds(20));
        handle.remove();
        assertThrows(NotFoundException.class, () -> inspect(handle));
        handle.remove(); // twice: nothing
    }

    @Test
    void followedLogsGoOnUntilTheTaskEnds() throws Exception {
        TaskRuntime runtime = open(node);
        TaskHandle handle = start(runtime, sh(newTaskId(), "echo one; sleep 1; echo two >&2", "", null));

        List<LogLine> lines;
        try (Stream<LogLine> logs = handle.logs(true)) {
            lines = logs.toList(); // ends when the container does
        }

        assertEquals(List.of("one", "two"), lines.stream().map(LogLine::text).toList(), lines.toString());
        assertEquals(
                List.of(LogLine.Stream.STDOUT, LogLine.Stream.STDERR),
                lines.stream().map(LogLine::stream).toList());
        assertEquals(0, exitOf(handle).exitCode(), "the followed stream ended with the task, which exited");
    }

    @Test
    void anExecThatOutlivesItsTimeoutSaysSo() throws Exception {
        TaskRuntime runtime = open(node);
        TaskHandle handle = start(runtime, sh(newTaskId(), SLEEPER, "", null));

        ExecResult result = handle.exec(List.of("sh", "-c", "echo started; sleep 30"), Duration.ofMillis(500));

        assertTrue(result.timedOut(), result.toString());
        assertEquals(TaskExit.UNKNOWN, result.exitCode());
        assertTrue(result.output().contains("started"), result.toString());
    }

    @Test
    void aTaskOnNetworksRunsWithoutTheEnginesNetworkingAndGivesItsNamespaceOnceStarted() throws Exception {
        TaskRuntime runtime = open(node);
        TaskDefinition task = sh(newTaskId(), SLEEPER, "", null).toBuilder()
                .networks(List.of(new NetworkAttachment("n1", List.of("198.18.231.10/24"), List.of("web"))))
                .dnsServers(List.of("169.254.53.53"))
                .build();
        TaskHandle handle = runtime.prepare(task);
        assertEquals(Optional.empty(), handle.networkNamespace(), "no namespace before the container runs");
        handle.start();

        InspectContainerResponse inspected = inspect(handle);
        assertEquals("none", inspected.getHostConfig().getNetworkMode(), "skep plumbs the networks, not the engine");
        assertEquals(List.of("169.254.53.53"), List.of(inspected.getHostConfig().getDns()));
        Path namespace = handle.networkNamespace().orElseThrow();
        assertEquals(Path.of("/proc", inspected.getState().getPidLong().toString(), "ns", "net"), namespace);
        assertTrue(java.nio.file.Files.exists(namespace), namespace.toString());
        ExecResult resolv = handle.exec(List.of("cat", "/etc/resolv.conf"), Duration.ofSeconds(10));
        assertTrue(resolv.output().contains("nameserver 169.254.53.53"), resolv.toString());
        handle.shutdown(null, Duration.ofSeconds(20));
        handle.remove();
        assertEquals(List.of(), containersOf(node));
    }
}

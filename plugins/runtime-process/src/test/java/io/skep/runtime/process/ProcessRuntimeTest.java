package io.skep.runtime.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.skep.spi.runtime.RuntimeContext;
import io.skep.spi.runtime.TaskDefinition;
import io.skep.spi.runtime.TaskExit;
import io.skep.spi.runtime.TaskHandle;
import io.skep.spi.runtime.TaskRuntime;
import io.skep.spi.runtime.TaskRuntimeException;
import io.skep.spi.runtime.TaskRuntimeProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcessRuntimeTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path stateDir;

    @TempDir
    Path work;

    private final ProcessRuntimeProvider provider = new ProcessRuntimeProvider();
    private final List<TaskRuntime> runtimes = new ArrayList<>();
    /** Every process a test started, with its start ticks: killed after each test, whatever happened. */
    private final List<long[]> started = Collections.synchronizedList(new ArrayList<>());

    // ---------------------------------------------------------------- plumbing

    /** A launch spec with the test's defaults; the task name is {@code web.1.<id>}. */
    private static final class Spec {
        final String taskId;
        String image = "host";
        List<String> command = List.of();
        List<String> args = List.of();
        List<String> env = List.of();
        String workingDir = "";
        String user = "";
        String hostname = "";
        String stopSignal = "";
        Duration grace = Duration.ofSeconds(10);

        Spec(String taskId, String... args) {
            this.taskId = taskId;
            this.args = List.of(args);
        }

        TaskDefinition launch() {
            return TaskDefinition.builder(taskId, image)
                    .taskName("web.1." + taskId)
                    .service("svc1", "web")
                    .slot(1)
                    .nodeId("node-1")
                    .command(command)
                    .args(args)
                    .env(env)
                    .workingDir(workingDir)
                    .user(user)
                    .hostname(hostname)
                    .labels(Map.of("com.example.test", "yes"))
                    .stopSignal(stopSignal)
                    .stopGracePeriod(grace)
                    .build();
        }
    }

    private static Spec sh(String taskId, String script) {
        return new Spec(taskId, "sh", "-c", script);
    }

    private TaskRuntime open() throws TaskRuntimeException {
        TaskRuntime runtime = provider.open(new RuntimeContext("node-1", stateDir));
        runtimes.add(runtime);
        return runtime;
    }

    /** Prepares and starts a task, as the agent does. */
    private static TaskHandle start(TaskRuntime runtime, TaskDefinition definition) throws TaskRuntimeException {
        TaskHandle handle = runtime.prepare(definition);
        handle.start();
        return handle;
    }

    private TaskHandle start(TaskRuntime runtime, Spec spec) throws TaskRuntimeException {
        TaskHandle handle = start(runtime, spec.launch());
        long pid = Long.parseLong(handle.runtimeId());
        started.add(
                new long[] {pid, ProcFs.stat(pid).map(ProcFs.Stat::startTicks).orElse(-1L)});
        return handle;
    }

    @AfterEach
    void killEverythingStarted() {
        for (long[] p : started) {
            long pid = p[0];
            ProcFs.stat(pid)
                    .filter(s -> s.startTicks() == p[1])
                    .flatMap(s -> ProcessHandle.of(pid))
                    .ifPresent(h -> {
                        h.descendants().forEach(ProcessHandle::destroyForcibly);
                        h.destroyForcibly();
                    });
            boolean pidReused =
                    ProcFs.stat(pid).filter(s -> s.startTicks() != p[1]).isPresent();
            if (!pidReused) {
                ProcFs.sessionMembers(pid).forEach(m -> ProcessHandle.of(m).ifPresent(ProcessHandle::destroyForcibly));
            }
        }
        runtimes.forEach(TaskRuntime::close);
    }

    private static TaskExit exitOf(TaskHandle handle) throws Exception {
        return handle.exit().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private Path taskDir(String taskId) {
        return stateDir.resolve("tasks").resolve(taskId);
    }

    private String stdout(String taskId) throws IOException {
        return Files.readString(taskDir(taskId).resolve("stdout.log"));
    }

    /** Polls a condition on the OS with a deadline (processes give no other signal of what they have done). */
    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private void awaitOutput(String taskId, String text) {
        await("stdout of " + taskId + " holds \"" + text + "\"", () -> {
            try {
                return stdout(taskId).contains(text);
            } catch (IOException e) {
                return false;
            }
        });
    }

    private static boolean alive(long pid) {
        return ProcFs.stat(pid).filter(s -> !s.ended()).isPresent();
    }

    private static long pid(TaskHandle handle) {
        return Long.parseLong(handle.runtimeId());
    }

    // ---------------------------------------------------------------- provider

    @Test
    void serviceLoaderFindsTheProcessRuntime() {
        // the test classes are patched into the plugin's module, which declares no `uses` of its own
        ProcessRuntimeTest.class.getModule().addUses(TaskRuntimeProvider.class);

        List<TaskRuntimeProvider> found = ServiceLoader.load(TaskRuntimeProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("process"))
                .toList();

        assertEquals(1, found.size());
        assertTrue(
                found.getFirst().description().contains("\"host\""),
                found.getFirst().description());
        assertTrue(
                found.getFirst().probe(new RuntimeContext("node-1", stateDir)).available());
    }

    @Test
    void validateAcceptsOnlyTheHostImageAndACommand() {
        Spec busybox = new Spec("t1", "sleep", "1");
        busybox.image = "busybox:1";
        assertEquals(
                "image \"busybox:1\" cannot run on the process runtime: it runs only the image \"host\""
                        + " (the host's own filesystem)",
                provider.validate(busybox.launch()).orElseThrow());

        assertEquals(
                "ContainerSpec.Args: the process runtime needs a command to run",
                provider.validate(new Spec("t1").launch()).orElseThrow());

        Spec badSignal = new Spec("t1", "sleep", "1");
        badSignal.stopSignal = "SIGNOPE";
        assertTrue(provider.validate(badSignal.launch()).orElseThrow().startsWith("ContainerSpec.StopSignal"));

        Spec relativeDir = new Spec("t1", "sleep", "1");
        relativeDir.workingDir = "srv/app";
        assertTrue(provider.validate(relativeDir.launch()).orElseThrow().contains("\"srv/app\""));

        Spec ok = new Spec("t1", "sleep", "1");
        ok.stopSignal = "usr1";
        assertTrue(provider.validate(ok.launch()).isEmpty());

        for (String spelling : new String[] {"host:latest", "docker.io/library/host:latest"}) {
            Spec normalised = new Spec("t1", "sleep", "1");
            normalised.image = spelling; // as the docker CLI sends "host"
            assertTrue(provider.validate(normalised.launch()).isEmpty(), spelling);
        }
        Spec other = new Spec("t1", "sleep", "1");
        other.image = "myhost";
        assertTrue(provider.validate(other.launch()).isPresent());

        TaskDefinition base = ok.launch();
        TaskDefinition limited = base.toBuilder()
                .resources(new io.skep.spi.runtime.TaskResources(0, 64L * 1024 * 1024, 0))
                .build();
        assertTrue(
                provider.validate(limited).orElseThrow().startsWith("TaskTemplate.Resources.Limits"),
                "limits it cannot enforce are refused, not ignored");
    }

    @Test
    void startRefusesWhatValidateRefuses() throws Exception {
        TaskRuntime runtime = open();
        Spec busybox = new Spec("t1", "sleep", "1000");
        busybox.image = "busybox:1";

        TaskRuntimeException e = assertThrows(TaskRuntimeException.class, () -> start(runtime, busybox.launch()));

        assertTrue(e.getMessage().contains("\"busybox:1\""), e.getMessage());
        assertFalse(Files.exists(taskDir("t1")));
    }

    // ---------------------------------------------------------------- start and stop

    @Test
    void sigtermStopsASleepInItsOwnSession() throws Exception {
        TaskRuntime runtime = open();
        TaskHandle task = start(runtime, new Spec("sleeper", "sleep", "1000"));
        long pid = pid(task);

        assertEquals("sleeper", task.taskId());
        assertTrue(alive(pid));
        // the recorded PID is the task's own process (setsid exec'd it, no fork), which leads its session
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        assertTrue(
                process.info().command().orElse("").endsWith("sleep"),
                process.info().toString());
        assertEquals(pid, ProcFs.stat(pid).orElseThrow().session());
        assertFalse(task.exit().isDone());
        Map<String, String> record = TaskRecord.read(taskDir("sleeper")).orElseThrow();
        assertEquals(Long.toString(pid), record.get(TaskRecord.PID));
        assertEquals(process.info().startInstant().orElseThrow().toString(), record.get(TaskRecord.START_INSTANT));
        assertEquals("web.1.sleeper", record.get(TaskRecord.TASK_NAME));

        task.shutdown("SIGTERM", Duration.ofSeconds(5));

        assertTrue(task.exit().isDone(), "stop() returns once the task has ended");
        TaskExit exit = exitOf(task);
        assertEquals(143, exit.exitCode());
        assertTrue(exit.message().contains("SIGTERM"), exit.message());
        assertFalse(alive(pid));
        assertEquals("143", TaskRecord.read(taskDir("sleeper")).orElseThrow().get(TaskRecord.EXIT_CODE));

        task.shutdown("SIGKILL", Duration.ZERO); // stopping an ended task does nothing
        assertEquals(exit, exitOf(task));
    }

    @Test
    void aTaskIgnoringSigtermIsKilledAfterTheGraceWithAllItsDescendants() throws Exception {
        TaskRuntime runtime = open();
        TaskHandle task =
                start(runtime, sh("stubborn", "trap '' TERM; sleep 1000 & echo ready; while :; do sleep 0.1; done"));
        long pid = pid(task);
        awaitOutput("stubborn", "ready");
        await(
                "the background sleep runs",
                () -> ProcessHandle.of(pid)
                        .orElseThrow()
                        .children()
                        .anyMatch(c -> c.info()
                                .arguments()
                                .map(a -> List.of(a).contains("1000"))
                                .orElse(false)));
        List<ProcessHandle> descendants =
                ProcessHandle.of(pid).orElseThrow().descendants().toList();
        assertFalse(descendants.isEmpty());

        Duration grace = Duration.ofMillis(500);
        long t0 = System.nanoTime();
        task.shutdown("TERM", grace);
        long elapsed = System.nanoTime() - t0;

        assertTrue(elapsed >= grace.toNanos(), "waited the grace period: " + elapsed / 1_000_000 + " ms");
        assertTrue(elapsed < WAIT.toNanos(), "then killed it: " + elapsed / 1_000_000 + " ms");
        TaskExit exit = exitOf(task);
        assertEquals(137, exit.exitCode());
        assertTrue(exit.message().contains("SIGKILL"), exit.message());
        assertFalse(alive(pid));
        for (ProcessHandle d : descendants) {
            // a killed orphan may linger as a zombie until init reaps it: that one has ended
            assertFalse(d.isAlive() && alive(d.pid()), "descendant " + d.pid() + " " + d.info() + " left behind");
        }
        assertEquals(List.of(), ProcFs.sessionMembers(pid), "nothing left in the task's session");
    }

    @Test
    void theTasksOwnStopSignalIsSentThroughKill() throws Exception {
        TaskRuntime runtime = open();
        Spec spec = sh("graceful", "trap 'echo bye; exit 0' INT; echo ready; while :; do sleep 0.1; done");
        spec.stopSignal = "SIGINT";
        TaskHandle task = start(runtime, spec);
        awaitOutput("graceful", "ready");

        long t0 = System.nanoTime();
        task.shutdown(null, Duration.ofSeconds(5)); // null: the task's own stop signal

        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "ended on SIGINT, not by the kill");
        assertEquals(new TaskExit(0, "exit status 0"), exitOf(task));
        assertEquals("ready\nbye\n", stdout("graceful"));
    }

    @Test
    void aSignalGivenToStopByNumberOverridesTheTasksOwn() throws Exception {
        TaskRuntime runtime = open();
        TaskHandle task = start(runtime, sh("usr1", "trap 'exit 5' USR1; echo ready; while :; do sleep 0.1; done"));
        awaitOutput("usr1", "ready");

        task.shutdown("10", Duration.ofSeconds(5)); // SIGUSR1 on Linux

        assertEquals(new TaskExit(5, "exit status 5"), exitOf(task));
    }

    @Test
    void exitCodeIsReportedAndRecorded() throws Exception {
        TaskRuntime runtime = open();
        TaskHandle task = start(runtime, sh("three", "exit 3"));

        assertEquals(new TaskExit(3, "exit status 3"), exitOf(task));
        Map<String, String> record = TaskRecord.read(taskDir("three")).orElseThrow();
        assertEquals("3", record.get(TaskRecord.EXIT_CODE));
        assertEquals("exit status 3", record.get(TaskRecord.EXIT_MESSAGE));
    }

    @Test
    void whatATaskLeavesInItsSessionEndsWithIt() throws Exception {
        TaskRuntime runtime = open();
        Spec spec = sh("leaver", "sleep 1000 & echo $! > bg.pid");
        spec.workingDir = work.toString();
        TaskHandle task = start(runtime, spec);

        assertEquals(0, exitOf(task).exitCode());
        long background =
                Long.parseLong(Files.readString(work.resolve("bg.pid")).trim());
        assertFalse(alive(background), "the background sleep outlived its task, as it would not in a container");
    }

    // ---------------------------------------------------------------- what the process gets

    @Test
    void theEnvironmentIsAContainersNotTheNodes() throws Exception {
        TaskRuntime runtime = open();
        Spec spec = new Spec("envtask", "env");
        spec.env = List.of("FOO=bar=baz", "HOME=/srv");

        assertEquals(0, exitOf(start(runtime, spec)).exitCode());

        Set<String> lines = stdout("envtask").lines().collect(Collectors.toSet());
        assertEquals(
                Set.of(
                        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                        "HOSTNAME=web.1.envtask",
                        "HOME=/srv",
                        "FOO=bar=baz"),
                lines);
    }

    @Test
    void workingDirHostnameAndEnvReachTheProcess() throws Exception {
        TaskRuntime runtime = open();
        Spec spec = sh("where", "pwd > seen.txt; echo \"$HOSTNAME|$FOO|$HOME\" >> seen.txt");
        spec.workingDir = work.toString();
        spec.hostname = "db-host";
        spec.env = List.of("FOO=42");

        assertEquals(0, exitOf(start(runtime, spec)).exitCode());

        String home = ProcFs.selfIds()[0] == 0 ? "/root" : System.getProperty("user.home");
        assertEquals(work.toRealPath() + "\ndb-host|42|" + home + "\n", Files.readString(work.resolve("seen.txt")));
    }

    @Test
    void aBareNameIsLookedUpInTheTasksPath() throws Exception {
        Path bin = Files.createDirectory(work.resolve("bin"));
        Path hello = bin.resolve("hello-skep");
        Files.writeString(hello, "#!/bin/sh\necho \"hello from $0\"\n");
        Files.setPosixFilePermissions(hello, PosixFilePermissions.fromString("rwxr-xr-x"));
        TaskRuntime runtime = open();
        Spec spec = new Spec("hello", "hello-skep");
        spec.env = List.of("PATH=" + bin + ":/usr/bin:/bin");

        assertEquals(0, exitOf(start(runtime, spec)).exitCode());

        assertEquals("hello from " + hello + "\n", stdout("hello"));
    }

    @Test
    void aMissingExecutableFailsWithDockersWords() throws Exception {
        TaskRuntime runtime = open();

        TaskRuntimeException e = assertThrows(
                TaskRuntimeException.class,
                () -> start(runtime, new Spec("nope", "no-such-command-skep", "x").launch()));

        assertEquals("executable file not found in $PATH: \"no-such-command-skep\"", e.getMessage());
        assertFalse(Files.exists(taskDir("nope")), "a task that did not start leaves no state");
    }

    @Test
    void aMissingWorkingDirFailsClearly() throws Exception {
        TaskRuntime runtime = open();
        Spec spec = new Spec("nodir", "true");
        spec.workingDir = work.resolve("absent").toString();

        TaskRuntimeException e = assertThrows(TaskRuntimeException.class, () -> start(runtime, spec.launch()));

        assertEquals(
                "working directory \"" + work.resolve("absent") + "\" does not exist on this node", e.getMessage());
    }

    @Test
    void outputLandsInTheLogFiles() throws Exception {
        TaskRuntime runtime = open();
        TaskHandle task = start(runtime, sh("talker", "echo out; echo err >&2; read line || echo 'stdin is empty'"));

        assertEquals(0, exitOf(task).exitCode());

        assertEquals("out\nstdin is empty\n", stdout("talker"));
        assertEquals("err\n", Files.readString(taskDir("talker").resolve("stderr.log")));
    }

    @Test
    void aTaskRunsAsTheUserItNames() throws Exception {
        assumeTrue(ProcFs.selfIds()[0] == 0 && Tools.find("setpriv").isPresent(), "needs root and setpriv");
        TaskRuntime runtime = open();
        Spec spec = sh("nobody", "id -u; id -g; echo \"$HOME\"");
        spec.user = "nobody";

        assertEquals(0, exitOf(start(runtime, spec)).exitCode());

        String[] passwd = Files.readAllLines(Path.of("/etc/passwd")).stream()
                .filter(l -> l.startsWith("nobody:"))
                .findFirst()
                .orElseThrow()
                .split(":");
        assertEquals(passwd[2] + "\n" + passwd[3] + "\n" + passwd[5] + "\n", stdout("nobody"));

        Spec unknown = new Spec("ghost", "true");
        unknown.user = "no-such-user-skep";
        TaskRuntimeException e = assertThrows(TaskRuntimeException.class, () -> start(runtime, unknown.launch()));
        assertEquals("unable to find user no-such-user-skep: no matching entries in passwd file", e.getMessage());
    }

    // ---------------------------------------------------------------- recovery and removal

    @Test
    void aRestartedNodeRecoversItsTasks() throws Exception {
        TaskRuntime first = open();
        TaskHandle running = start(first, new Spec("a-running", "sleep", "1000"));
        TaskHandle diesWhileDown = start(first, new Spec("b-dies", "sleep", "1000"));
        TaskHandle exited = start(first, sh("c-exited", "exit 7"));
        assertEquals(7, exitOf(exited).exitCode());
        first.close(); // the node stops; its tasks run on

        ProcessHandle victim = ProcessHandle.of(pid(diesWhileDown)).orElseThrow();
        victim.destroyForcibly();
        victim.onExit().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        TaskRuntime second = open();
        Map<String, TaskHandle> recovered =
                second.recover().stream().collect(Collectors.toMap(TaskHandle::taskId, h -> h));

        assertEquals(Set.of("a-running", "b-dies", "c-exited"), recovered.keySet());
        TaskHandle adopted = recovered.get("a-running");
        assertEquals(running.runtimeId(), adopted.runtimeId());
        assertFalse(adopted.exit().isDone());
        TaskExit downExit = recovered.get("b-dies").exit().getNow(null);
        assertEquals(TaskExit.UNKNOWN, downExit.exitCode());
        assertTrue(downExit.message().contains("node was down"), downExit.message());
        assertEquals(
                new TaskExit(7, "exit status 7"),
                recovered.get("c-exited").exit().getNow(null));
        assertEquals(3, second.recover().size(), "recovering twice gives the same tasks");

        adopted.shutdown("SIGTERM", Duration.ofSeconds(5));

        assertFalse(alive(pid(running)));
        assertEquals(new TaskExit(TaskExit.UNKNOWN, ProcessTask.ADOPTED_EXIT), exitOf(adopted));
        recovered.values().forEach(TaskHandle::remove);
        assertEquals(List.of(), second.recover());
        try (var left = Files.list(stateDir.resolve("tasks"))) {
            assertEquals(List.of(), left.toList());
        }
    }

    @Test
    void removeDeletesTheStateOfAnEndedTaskOnly() throws Exception {
        TaskRuntime runtime = open();
        TaskHandle task = start(runtime, new Spec("removable", "sleep", "1000"));

        assertThrows(IllegalStateException.class, task::remove);
        assertTrue(Files.exists(taskDir("removable").resolve("task.properties")));

        task.shutdown(null, Duration.ofSeconds(5));
        task.remove();

        assertFalse(Files.exists(taskDir("removable")));
        assertEquals(List.of(), runtime.recover());
        assertThrows(TaskRuntimeException.class, () -> start(runtime, new Spec("bad/../id", "true")));
    }

    @Test
    void tasksStartAndStopFromManyThreads() throws Exception {
        TaskRuntime runtime = open();
        List<TaskHandle> tasks = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<TaskHandle>> starts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String id = "many-" + i;
                starts.add(threads.submit(() -> start(runtime, new Spec(id, "sleep", "1000"))));
            }
            for (Future<TaskHandle> f : starts) {
                tasks.add(f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            }
            List<Future<?>> stops = new ArrayList<>();
            for (TaskHandle task : tasks) {
                stops.add(threads.submit(() -> task.shutdown("SIGTERM", Duration.ofSeconds(5))));
                stops.add(threads.submit(() -> task.shutdown("SIGTERM", Duration.ofSeconds(5))));
            }
            for (Future<?> f : stops) {
                f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        }
        assertEquals(8, tasks.stream().map(TaskHandle::runtimeId).distinct().count());
        for (TaskHandle task : tasks) {
            assertEquals(143, exitOf(task).exitCode());
            assertFalse(alive(pid(task)));
        }
    }

    // ---------------------------------------------------------------- parts

    @Test
    void signalsParseAsDockerUsersWriteThem() {
        assertEquals(Signals.TERM, Signals.parse("SIGTERM").orElseThrow());
        assertEquals(Signals.TERM, Signals.parse("term").orElseThrow());
        assertEquals(Signals.TERM, Signals.parse("15").orElseThrow());
        assertEquals(10, Signals.parse("USR1").orElseThrow().number());
        assertEquals(36, Signals.parse("SIGRTMIN+2").orElseThrow().number());
        assertEquals("SIGRTMIN+2", Signals.parse("36").orElseThrow().display());
        assertTrue(Signals.parse("SIGNOPE").isEmpty());
        assertTrue(Signals.parse("0").isEmpty());
        assertTrue(Signals.parse("65").isEmpty());
        assertEquals(new TaskExit(130, "killed by SIGINT (exit status 130)"), Signals.exitOf(130));
        assertEquals(new TaskExit(1, "exit status 1"), Signals.exitOf(1));
    }

    @Test
    void procStatParsesCommandNamesWithSpacesAndParentheses() {
        ProcFs.Stat stat = ProcFs.parseStat("4242 (a) b (c) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0"
                        + " 987654 1000 1 18446744073709551615")
                .orElseThrow();

        assertEquals(new ProcFs.Stat(4242, 'S', 1, 4242, 987654), stat);
        assertEquals(
                ProcessHandle.current().pid(),
                ProcFs.stat(ProcessHandle.current().pid()).orElseThrow().pid());
    }

    @Test
    void recordsSurviveAnyValueAndAreReplacedWhole() throws Exception {
        Map<String, String> values = Map.of("a", "x=y: z\\ \n#not a comment", "b", "ünïcode");

        TaskRecord.write(work, values);
        TaskRecord.write(work, values);

        assertEquals(values, TaskRecord.read(work).orElseThrow());
        try (var files = Files.list(work)) {
            assertEquals(List.of(work.resolve("task.properties")), files.toList(), "no temporary file left");
        }
        assertTrue(Files.readString(work.resolve("task.properties"), StandardCharsets.UTF_8)
                .contains("b="));
    }
}

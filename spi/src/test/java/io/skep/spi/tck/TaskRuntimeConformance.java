package io.skep.spi.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.skep.spi.runtime.Availability;
import io.skep.spi.runtime.ExecResult;
import io.skep.spi.runtime.LogLine;
import io.skep.spi.runtime.RuntimeCapability;
import io.skep.spi.runtime.RuntimeContext;
import io.skep.spi.runtime.TaskDefinition;
import io.skep.spi.runtime.TaskExit;
import io.skep.spi.runtime.TaskFile;
import io.skep.spi.runtime.TaskHandle;
import io.skep.spi.runtime.TaskMount;
import io.skep.spi.runtime.TaskRuntime;
import io.skep.spi.runtime.TaskRuntimeException;
import io.skep.spi.runtime.TaskRuntimeProvider;
import io.skep.spi.runtime.UnsupportedTaskOperationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance kit of the {@link io.skep.spi.runtime task runtime SPI}: what every {@link TaskRuntimeProvider},
 * {@link TaskRuntime} and {@link TaskHandle} must do, whatever runs the tasks. A runtime vendor extends this class
 * in its own tests, provides its provider and four task definitions in its runtime's terms, and runs it with JUnit 5:
 *
 * <pre>{@code
 * class MyRuntimeConformanceTest extends TaskRuntimeConformance {
 *     protected TaskRuntimeProvider provider() {
 *         return new MyRuntimeProvider();
 *     }
 *     protected TaskDefinition runsUntilStopped(String taskId) {
 *         return launch(taskId, "busybox:1", List.of(), List.of("sleep", "1000"));
 *     }
 *     protected TaskDefinition exitsWith(String taskId, int code) {
 *         return launch(taskId, "busybox:1", List.of(), List.of("sh", "-c", "exit " + code));
 *     }
 *     protected TaskDefinition ignoresStopSignal(String taskId) {
 *         return launch(taskId, "busybox:1", List.of(), List.of("sh", "-c", "trap '' TERM; exec sleep 1000"));
 *     }
 *     protected TaskDefinition shell(String taskId, String script) {
 *         return launch(taskId, "busybox:1", List.of(), List.of("sh", "-c", script));
 *     }
 * }
 * }</pre>
 *
 * <p>Every test opens its runtimes on a fresh state directory and simulates a node restart by opening a second
 * runtime on the same directory in the same JVM. Every task a test starts is stopped and removed after it, whether
 * it passed or not. When the provider's {@link TaskRuntimeProvider#probe probe} says the runtime cannot run here,
 * the tests that run tasks are skipped (aborted), not failed.
 *
 * <p>The tests wait on futures or poll conditions with a deadline, never for a fixed time, so a conforming
 * runtime passes them in a few seconds; {@link #timeout()} and {@link #stopMargin()} bound how long a slow one may
 * take before a test fails.
 */
public abstract class TaskRuntimeConformance {

    /** The node ID of {@link #context(Path)} unless a vendor overrides it. */
    protected static final String NODE_ID = "tck-node-1";

    /** The grace a test gives a task that ignores the stop signal: whole seconds, as some engines count them. */
    private static final Duration IGNORED_GRACE = Duration.ofSeconds(1);
    /** Part of every task ID of this JVM, so that tasks of runs that share a host never collide. */
    private static final String RUN =
            HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    @TempDir
    Path stateDir;

    private final List<TaskRuntime> runtimes = new ArrayList<>();
    private final List<TaskHandle> handles = new ArrayList<>();
    private boolean opened;

    // ---------------------------------------------------------------- what a vendor provides

    /** The runtime's provider, as {@link ServiceLoader} would create it. */
    protected abstract TaskRuntimeProvider provider();

    /**
     * A task that runs until it is stopped, and ends promptly (well within a second or two) on {@code SIGTERM}
     * and on the runtime's default stop signal, e.g. {@code sleep 1000}.
     */
    protected abstract TaskDefinition runsUntilStopped(String taskId);

    /** A task that exits on its own, at once, with {@code exitCode} (0 to 125). */
    protected abstract TaskDefinition exitsWith(String taskId, int exitCode);

    /**
     * A task that runs until it is killed: it ignores {@code SIGTERM} (and its launch's stop signal), e.g.
     * {@code sh -c "trap '' TERM; exec sleep 1000"}. If such a task needs a moment after {@code start()} returns
     * before it ignores the signal, override {@link #awaitIgnoresStopSignal}.
     */
    protected abstract TaskDefinition ignoresStopSignal(String taskId);

    /**
     * A task that runs {@code script} with a POSIX shell, as {@code sh -c script}, and whose further arguments
     * (the kit appends some to {@link TaskDefinition#args()}) become the script's {@code $0}, {@code $1}…; its
     * exec probes ({@link TaskHandle#exec}) may run {@code sh} too.
     */
    protected abstract TaskDefinition shell(String taskId, String script);

    /**
     * Waits until a task started from {@link #ignoresStopSignal} ignores the stop signal (e.g. its shell has run
     * its {@code trap}); poll with {@link #await}. By default returns at once: start() returned with the task
     * running.
     */
    protected void awaitIgnoresStopSignal(TaskHandle task, Duration timeout) throws Exception {}

    /** The context the tests open runtimes with: this node and a state directory of the test's own. */
    protected RuntimeContext context(Path stateDir) {
        return new RuntimeContext(NODE_ID, stateDir);
    }

    /** How long a test waits for anything that should happen at once (a task's exit, a start). */
    protected Duration timeout() {
        return Duration.ofSeconds(10);
    }

    /** How much longer than its grace period a stop may take: the kill, and the runtime's own bookkeeping. */
    protected Duration stopMargin() {
        return Duration.ofSeconds(5);
    }

    /**
     * A task definition with the kit's defaults around the runtime-specific parts: service {@code tck}, slot 1, this
     * node, the task name {@code tck.1.<taskId>}, no environment, the default stop signal and grace.
     */
    protected static TaskDefinition launch(String taskId, String image, List<String> command, List<String> args) {
        return TaskDefinition.builder(taskId, image)
                .taskName("tck.1." + taskId)
                .service("tck-service", "tck")
                .slot(1)
                .nodeId(NODE_ID)
                .command(command)
                .args(args)
                .labels(Map.of("io.skep.tck", "true"))
                .build();
    }

    // ---------------------------------------------------------------- plumbing for the tests (and vendors)

    /** The state directory of this test's runtimes. */
    protected final Path stateDir() {
        return stateDir;
    }

    /** Opens a runtime on this test's state directory (a node start); skips the test where the probe fails. */
    protected final TaskRuntime openRuntime() throws TaskRuntimeException {
        RuntimeContext context = context(stateDir);
        Availability availability = provider().probe(context);
        assumeTrue(availability.available(), () -> provider().name() + " cannot run here: " + availability.reason());
        TaskRuntime runtime = provider().open(context);
        assertNotNull(runtime, "open() returned null");
        opened = true;
        runtimes.add(runtime);
        return runtime;
    }

    /** Prepares a task (it does not run yet); it will be shut down and removed after the test. */
    protected final TaskHandle prepare(TaskRuntime runtime, TaskDefinition task) throws TaskRuntimeException {
        TaskHandle handle = runtime.prepare(task);
        assertNotNull(handle, "prepare() returned null");
        handles.add(handle);
        return handle;
    }

    /** Prepares and starts a task; it will be shut down and removed after the test. */
    protected final TaskHandle start(TaskRuntime runtime, TaskDefinition task) throws TaskRuntimeException {
        TaskHandle handle = prepare(runtime, task);
        handle.start();
        return handle;
    }

    /** A task ID no other test of any run uses: {@code tck-<what>-<run>-<n>}. */
    protected static String newTaskId(String what) {
        return "tck-" + what + "-" + RUN + "-" + SEQUENCE.incrementAndGet();
    }

    /** Polls {@code condition} until it holds, or fails after {@code timeout}. */
    protected static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeout.toMillis() + " ms waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** How the task ended: waits up to {@link #timeout()} for its exit. */
    protected final TaskExit exitOf(TaskHandle task) {
        Duration timeout = timeout();
        CompletableFuture<TaskExit> exit = task.exit();
        assertNotNull(exit, "exit() of " + task.taskId() + " returned null");
        try {
            TaskExit result = exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            assertNotNull(result, "exit() of " + task.taskId() + " completed with null");
            return result;
        } catch (TimeoutException e) {
            return fail("task " + task.taskId() + " did not end within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            return fail("exit() of task " + task.taskId() + " completed exceptionally", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    /** Whether {@code task}'s exit stays incomplete for {@code wait}: a bounded wait on the future itself. */
    private static boolean stillRunningAfter(TaskHandle task, Duration wait) throws Exception {
        try {
            task.exit().get(wait.toNanos(), TimeUnit.NANOSECONDS);
            return false;
        } catch (TimeoutException e) {
            return true;
        } catch (ExecutionException e) {
            return false;
        }
    }

    /** Stops {@code task} and returns how long stop() took, in nanoseconds. */
    private static long timedStop(TaskHandle task, String signal, Duration grace) {
        long t0 = System.nanoTime();
        task.shutdown(signal, grace);
        return System.nanoTime() - t0;
    }

    private static Optional<TaskHandle> find(List<TaskHandle> recovered, String taskId) {
        List<TaskHandle> matches =
                recovered.stream().filter(h -> taskId.equals(h.taskId())).toList();
        assertTrue(matches.size() <= 1, "recover() returned task " + taskId + " " + matches.size() + " times");
        return matches.stream().findFirst();
    }

    private TaskHandle recoverOne(TaskRuntime runtime, String taskId) {
        List<TaskHandle> recovered = runtime.recover();
        assertNotNull(recovered, "recover() returned null");
        TaskHandle handle = find(recovered, taskId)
                .orElseGet(() -> fail("recover() did not return task " + taskId + "; it returned "
                        + recovered.stream().map(TaskHandle::taskId).toList()));
        handles.add(handle);
        return handle;
    }

    private static String ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos) + " ms";
    }

    /**
     * Stops and removes every task the test started or recovered, closes its runtimes, then opens the state
     * directory once more (a last node restart) and stops and removes whatever it still recovers, so that nothing
     * outlives a test even when it failed half-way. Fails when a task cannot be cleaned up.
     */
    @AfterEach
    final void stopAndRemoveEveryTask() {
        List<Throwable> problems = new ArrayList<>();
        for (TaskHandle handle : handles.reversed()) {
            try {
                handle.shutdown(null, Duration.ZERO);
            } catch (Throwable e) {
                problems.add(e); // retried below, through a fresh runtime
            }
        }
        for (TaskHandle handle : handles.reversed()) {
            try {
                handle.remove();
            } catch (Throwable e) {
                problems.add(e); // e.g. already removed through another handle of the same task
            }
        }
        for (TaskRuntime runtime : runtimes) {
            try {
                runtime.close();
            } catch (Throwable e) {
                problems.add(e);
            }
        }
        handles.clear();
        runtimes.clear();
        if (!opened) {
            return;
        }
        opened = false;
        try (TaskRuntime sweeper = provider().open(context(stateDir))) {
            for (TaskHandle left : sweeper.recover()) {
                left.shutdown(null, Duration.ZERO);
                left.remove();
            }
            List<String> still =
                    sweeper.recover().stream().map(TaskHandle::taskId).toList();
            if (!still.isEmpty()) {
                AssertionError error = new AssertionError("tasks left behind after the test: " + still);
                problems.forEach(error::addSuppressed);
                throw error;
            }
        } catch (TaskRuntimeException | RuntimeException e) {
            AssertionError error = new AssertionError("cannot clean up the test's tasks: " + e, e);
            problems.forEach(error::addSuppressed);
            throw error;
        }
    }

    // ---------------------------------------------------------------- the provider

    @Test
    void theProviderLoadsThroughServiceLoaderAndNamesItself() {
        // the kit may run inside a named module that declares no `uses` (addUses does nothing in an unnamed one)
        TaskRuntimeConformance.class.getModule().addUses(TaskRuntimeProvider.class);
        TaskRuntimeProvider provider = provider();
        assertNotNull(provider, "provider() returned null");

        List<TaskRuntimeProvider> loaded = ServiceLoader.load(TaskRuntimeProvider.class).stream()
                .filter(p -> p.type() == provider.getClass())
                .map(ServiceLoader.Provider::get)
                .toList();

        assertEquals(
                1,
                loaded.size(),
                "ServiceLoader finds " + provider.getClass().getName() + " once (a `provides`"
                        + " in the plugin's module-info, or META-INF/services on the class path)");
        String name = loaded.getFirst().name();
        assertNotNull(name, "name()");
        assertFalse(name.isBlank(), "name() is empty");
        assertEquals(name.toLowerCase(Locale.ROOT), name, "name() is lower case");
        assertEquals(provider.name(), name, "every instance names the runtime alike");
        assertNotNull(loaded.getFirst().description(), "description()");
    }

    @Test
    void theProbeAnswersQuicklyWithAReasonWhenItSaysNo() {
        long t0 = System.nanoTime();
        Availability availability = provider().probe(context(stateDir));
        long elapsed = System.nanoTime() - t0;

        assertNotNull(availability, "probe() returned null");
        if (!availability.available()) {
            assertNotNull(availability.reason(), "a probe that says no says why");
            assertFalse(availability.reason().isBlank(), "a probe that says no says why");
        }
        assertTrue(elapsed < timeout().toNanos(), "probe() must be quick; it took " + ms(elapsed));
    }

    @Test
    void theKitsLaunchSpecsAreValid() {
        for (TaskDefinition launch : List.of(
                runsUntilStopped(newTaskId("valid")),
                exitsWith(newTaskId("valid"), 3),
                ignoresStopSignal(newTaskId("valid")))) {
            Optional<String> invalid = provider().validate(launch);
            assertNotNull(invalid, "validate() returned null");
            assertEquals(Optional.empty(), invalid, "validate() accepts " + launch);
        }
    }

    // ---------------------------------------------------------------- start and exit

    @Test
    void startReturnsAHandleOfTheRunningTask() throws Exception {
        TaskRuntime runtime = openRuntime();
        String firstId = newTaskId("run");
        String secondId = newTaskId("run");

        TaskHandle first = start(runtime, runsUntilStopped(firstId));
        TaskHandle second = start(runtime, runsUntilStopped(secondId));

        assertEquals(firstId, first.taskId());
        assertEquals(secondId, second.taskId());
        assertNotNull(first.runtimeId(), "runtimeId()");
        assertFalse(first.runtimeId().isBlank(), "a started task has a runtime ID");
        assertNotEquals(first.runtimeId(), second.runtimeId(), "two tasks, two runtime IDs");
        assertFalse(first.exit().isDone(), "a task that runs until stopped has not ended: " + first.exit());
        assertFalse(second.exit().isDone(), "a task that runs until stopped has not ended: " + second.exit());
    }

    @Test
    void exitCompletesWithTheTasksExitCode() throws Exception {
        TaskRuntime runtime = openRuntime();
        int[] codes = {0, 3, 42};
        List<TaskHandle> tasks = new ArrayList<>();
        for (int code : codes) {
            tasks.add(start(runtime, exitsWith(newTaskId("exit" + code), code)));
        }

        for (int i = 0; i < codes.length; i++) {
            TaskHandle task = tasks.get(i);
            TaskExit exit = exitOf(task);
            assertEquals(codes[i], exit.exitCode(), "exit code of a task that exits with " + codes[i] + ": " + exit);
            assertEquals(codes[i] == 0, exit.succeeded());
            assertNotNull(exit.message(), "an exit has a message");
            assertEquals(exit, exitOf(task), "exit() completes once, with one result");
        }
    }

    // ---------------------------------------------------------------- stop

    @Test
    void stopEndsARunningTaskOnTheSignal() throws Exception {
        TaskRuntime runtime = openRuntime();
        TaskHandle task = start(runtime, runsUntilStopped(newTaskId("stop")));
        Duration grace = timeout();

        long elapsed = timedStop(task, "SIGTERM", grace);

        assertTrue(task.exit().isDone(), "stop() returns once the task has ended");
        assertTrue(
                elapsed < grace.toNanos(),
                "the task ended on SIGTERM, before the grace of " + grace.toMillis() + " ms ran out; stop() took "
                        + ms(elapsed));
        TaskExit exit = exitOf(task);

        long again = timedStop(task, "SIGTERM", grace);

        assertTrue(again < stopMargin().toNanos(), "stopping it again does nothing; it took " + ms(again));
        assertEquals(exit, exitOf(task), "stopping it again does not change how it ended");
    }

    @Test
    void stopWithoutASignalSendsTheDefaultOne() throws Exception {
        TaskRuntime runtime = openRuntime();
        TaskHandle task = start(runtime, runsUntilStopped(newTaskId("stopnull")));
        Duration grace = timeout();

        long elapsed = timedStop(task, null, grace);

        assertTrue(task.exit().isDone(), "stop() returns once the task has ended");
        assertTrue(
                elapsed < grace.toNanos(),
                "the task ended on the default stop signal, before the grace of " + grace.toMillis()
                        + " ms ran out; stop() took " + ms(elapsed));
        exitOf(task);
    }

    @Test
    void stopKillsATaskThatIgnoresTheSignalAfterTheGrace() throws Exception {
        TaskRuntime runtime = openRuntime();
        TaskHandle task = start(runtime, ignoresStopSignal(newTaskId("stubborn")));
        awaitIgnoresStopSignal(task, timeout());
        assertFalse(task.exit().isDone(), "a task that ignores the stop signal runs until killed: " + task.exit());

        long elapsed = timedStop(task, "SIGTERM", IGNORED_GRACE);

        assertTrue(task.exit().isDone(), "stop() returns once the task has ended");
        assertTrue(
                elapsed >= IGNORED_GRACE.toNanos(),
                "stop() waits the grace of " + IGNORED_GRACE.toMillis()
                        + " ms before it kills; it returned after " + ms(elapsed)
                        + " (did the task end on SIGTERM? if it"
                        + " needs time to start ignoring it, override awaitIgnoresStopSignal)");
        assertTrue(
                elapsed < IGNORED_GRACE.plus(stopMargin()).toNanos(),
                "then kills it: stop() took "
                        + ms(elapsed) + ", more than the grace of " + IGNORED_GRACE.toMillis() + " ms and a margin of "
                        + stopMargin().toMillis() + " ms");
        TaskExit exit = exitOf(task);
        assertNotEquals(0, exit.exitCode(), "a killed task did not succeed: " + exit);
    }

    @Test
    void stopOnAnEndedTaskDoesNothing() throws Exception {
        TaskRuntime runtime = openRuntime();
        TaskHandle task = start(runtime, exitsWith(newTaskId("ended"), 3));
        TaskExit exit = exitOf(task);
        assertEquals(3, exit.exitCode());

        long elapsed = timedStop(task, "SIGTERM", timeout());
        elapsed += timedStop(task, null, Duration.ZERO);

        assertTrue(elapsed < stopMargin().toNanos(), "stopping an ended task returns at once; it took " + ms(elapsed));
        assertEquals(exit, exitOf(task), "stopping an ended task does not change how it ended");
    }

    // ---------------------------------------------------------------- restart, recovery, removal

    @Test
    void recoverFindsNothingOnAFreshNode() throws Exception {
        TaskRuntime runtime = openRuntime();

        assertEquals(
                List.of(), runtime.recover().stream().map(TaskHandle::taskId).toList());
    }

    @Test
    void closeLeavesTasksRunning() throws Exception {
        TaskRuntime first = openRuntime();
        String taskId = newTaskId("outlives");
        TaskHandle task = start(first, runsUntilStopped(taskId));

        first.close();

        assertTrue(stillRunningAfter(task, Duration.ofMillis(250)), "close() left the task running");
        TaskHandle adopted = recoverOne(openRuntime(), taskId);
        assertFalse(adopted.exit().isDone(), "the restarted node finds the task still running: " + adopted.exit());
    }

    @Test
    void aRestartedNodeRecoversARunningTaskAndCanStopIt() throws Exception {
        TaskRuntime first = openRuntime();
        String taskId = newTaskId("adopt");
        TaskHandle original = start(first, runsUntilStopped(taskId));
        first.close(); // the node stops; its task runs on

        TaskRuntime second = openRuntime();
        TaskHandle adopted = recoverOne(second, taskId);

        assertEquals(original.runtimeId(), adopted.runtimeId(), "the recovered task is the same one");
        assertFalse(adopted.exit().isDone(), "a task that runs until stopped still runs: " + adopted.exit());
        Duration grace = timeout();

        long elapsed = timedStop(adopted, "SIGTERM", grace);

        assertTrue(adopted.exit().isDone(), "stop() returns once the recovered task has ended");
        assertTrue(elapsed < grace.plus(stopMargin()).toNanos(), "stop() of a recovered task took " + ms(elapsed));
        exitOf(adopted); // how it ended is the runtime's to tell: an adopted task's code may be unknown

        adopted.remove();
        second.close();

        assertEquals(Optional.empty(), find(openRuntime().recover(), taskId), "a removed task is not recovered");
    }

    @Test
    void aRestartedNodeReportsAnEndedTaskAsEnded() throws Exception {
        TaskRuntime first = openRuntime();
        String taskId = newTaskId("ended");
        TaskHandle original = start(first, exitsWith(taskId, 7));
        assertEquals(7, exitOf(original).exitCode());
        first.close();

        TaskRuntime second = openRuntime();
        TaskHandle recovered = recoverOne(second, taskId);

        TaskExit exit = exitOf(recovered);
        assertTrue(
                exit.exitCode() == 7 || exit.exitCode() == TaskExit.UNKNOWN,
                "a recovered ended task reports its exit code, or UNKNOWN when it cannot know it: " + exit);
        long elapsed = timedStop(recovered, null, timeout());
        assertTrue(elapsed < stopMargin().toNanos(), "stopping an ended task returns at once; it took " + ms(elapsed));

        recovered.remove();
        second.close();

        assertEquals(Optional.empty(), find(openRuntime().recover(), taskId), "a removed task is not recovered");
    }

    @Test
    void removeFreesAnEndedTaskSoALaterRecoverDoesNotReturnIt() throws Exception {
        TaskRuntime first = openRuntime();
        String removedId = newTaskId("removed");
        String keptId = newTaskId("kept");
        TaskHandle removed = start(first, exitsWith(removedId, 0));
        TaskHandle kept = start(first, exitsWith(keptId, 0));
        exitOf(removed);
        exitOf(kept);

        removed.remove();
        first.close();

        List<TaskHandle> recovered = openRuntime().recover();
        handles.addAll(recovered);
        assertEquals(Optional.empty(), find(recovered, removedId), "a removed task is not recovered");
        assertTrue(find(recovered, keptId).isPresent(), "an ended task that was not removed is recovered");
    }

    // ---------------------------------------------------------------- the lifecycle: prepare before start

    @Test
    void aPreparedTaskRunsOnlyOnceStarted() throws Exception {
        TaskRuntime runtime = openRuntime();
        TaskHandle task = prepare(runtime, exitsWith(newTaskId("prepared"), 3));

        assertTrue(
                stillRunningAfter(task, Duration.ofMillis(250)),
                "a prepared task has not run (nor ended): " + task.exit());

        task.start();

        assertEquals(3, exitOf(task).exitCode(), "the started task ran, and exited with 3");
        assertThrows(IllegalStateException.class, task::start, "a task starts once");
    }

    @Test
    void shutdownOfAPreparedTaskEndsItWithoutRunningIt() throws Exception {
        TaskRuntime runtime = openRuntime();
        String taskId = newTaskId("unstarted");
        TaskHandle task = prepare(runtime, exitsWith(taskId, 0));

        long elapsed = timedStop(task, null, timeout());

        assertTrue(
                elapsed < stopMargin().toNanos(),
                "shutting down a task that never ran is quick; it took " + ms(elapsed));
        assertEquals(TaskExit.UNKNOWN, exitOf(task).exitCode(), "a task that never ran has no exit code");
        task.remove();
        runtime.close();
        assertEquals(Optional.empty(), find(openRuntime().recover(), taskId), "a removed task is not recovered");
    }

    @Test
    void aRestartedNodeReportsAPreparedTaskThatNeverStartedAsEnded() throws Exception {
        TaskRuntime first = openRuntime();
        String taskId = newTaskId("neverran");
        prepare(first, runsUntilStopped(taskId));
        first.close();

        TaskHandle recovered = recoverOne(openRuntime(), taskId);

        assertEquals(
                TaskExit.UNKNOWN,
                exitOf(recovered).exitCode(),
                "a task prepared but never started before a" + " restart is recovered as ended, its exit code unknown: "
                        + recovered.exit());
        recovered.remove();
    }

    @Test
    void theDefinitionsArgsEnvAndWorkingDirReachTheTask() throws Exception {
        TaskRuntime runtime = openRuntime();
        String script = "[ \"$TCK_GREETING\" = 'hello world' ] || exit 11; [ \"$(pwd)\" = /tmp ] || exit 12;"
                + " [ \"$1\" = 'first arg' ] || exit 13; exit 0";
        TaskDefinition base = shell(newTaskId("spec"), script);
        List<String> args = new ArrayList<>(base.args());
        args.add("tck-script");
        args.add("first arg");
        TaskDefinition task = base.toBuilder()
                .args(args)
                .env(List.of("TCK_GREETING=hello world"))
                .workingDir("/tmp")
                .build();

        TaskExit exit = exitOf(start(runtime, task));

        assertEquals(
                0,
                exit.exitCode(),
                "the task saw its environment (else 11), working directory (else 12) and" + " arguments (else 13): "
                        + exit);
    }

    // ---------------------------------------------------------------- optional hooks

    @Test
    void logsGiveTheTasksLinesWithTimestampsOrSayTheyAreUnsupported() throws Exception {
        TaskRuntime runtime = openRuntime();
        Instant before = Instant.now().minusSeconds(60);
        TaskHandle task = start(runtime, shell(newTaskId("logs"), "echo out-line; echo err-line >&2"));
        exitOf(task);

        if (!capabilities(runtime).contains(RuntimeCapability.LOGS)) {
            UnsupportedTaskOperationException e = assertThrows(
                    UnsupportedTaskOperationException.class, () -> task.logs(false), "a runtime without LOGS says so");
            assertEquals(RuntimeCapability.LOGS, e.capability());
            assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "and says it in words");
            return;
        }
        List<LogLine> lines;
        try (Stream<LogLine> logs = task.logs(false)) {
            lines = logs.toList(); // without follow, the stream ends with what the task wrote
        }
        assertTrue(hasLine(lines, LogLine.Stream.STDOUT, "out-line"), "the stdout line in " + lines);
        assertTrue(hasLine(lines, LogLine.Stream.STDERR, "err-line"), "the stderr line in " + lines);
        Instant after = Instant.now().plusSeconds(60);
        for (LogLine line : lines) {
            assertTrue(
                    line.timestamp().isAfter(before) && line.timestamp().isBefore(after),
                    "a line's timestamp is when it was written: " + line);
        }
    }

    @Test
    void execRunsACommandInTheTaskOrSaysItIsUnsupported() throws Exception {
        TaskRuntime runtime = openRuntime();
        TaskHandle task = start(runtime, runsUntilStopped(newTaskId("exec")));
        List<String> probe = List.of("sh", "-c", "echo probed; exit 3");

        if (!capabilities(runtime).contains(RuntimeCapability.EXEC)) {
            UnsupportedTaskOperationException e = assertThrows(
                    UnsupportedTaskOperationException.class,
                    () -> task.exec(probe, timeout()),
                    "a runtime without EXEC says so");
            assertEquals(RuntimeCapability.EXEC, e.capability());
            assertFalse(e.getMessage() == null || e.getMessage().isBlank(), "and says it in words");
            return;
        }
        ExecResult result = task.exec(probe, timeout());

        assertEquals(3, result.exitCode(), "the probe's exit code: " + result);
        assertFalse(result.timedOut());
        assertTrue(result.output().contains("probed"), "the probe's output: " + result);
        assertFalse(task.exit().isDone(), "the task runs on after a probe");
    }

    @Test
    void aRuntimeWithoutMountsOrFilesRefusesASpecThatHasThem() {
        TaskRuntimeProvider provider = provider();
        Set<RuntimeCapability> capabilities = declaredCapabilities();
        TaskDefinition base = runsUntilStopped(newTaskId("hooks"));
        if (!capabilities.contains(RuntimeCapability.MOUNTS)) {
            TaskDefinition withMount = base.toBuilder()
                    .mounts(List.of(new TaskMount(TaskMount.Type.TMPFS, "", "/scratch", false)))
                    .build();
            Optional<String> reason = provider.validate(withMount);
            assertTrue(reason.isPresent() && reason.get().contains("Mounts"), "validate() names the mounts: " + reason);
        }
        if (!capabilities.contains(RuntimeCapability.FILES)) {
            TaskDefinition withFile = base.toBuilder()
                    .files(List.of(new TaskFile(
                            TaskFile.Kind.SECRET, "token", "s3cret".getBytes(StandardCharsets.UTF_8), 0400)))
                    .build();
            Optional<String> reason = provider.validate(withFile);
            assertTrue(
                    reason.isPresent() && reason.get().contains("Secrets"), "validate() names the secrets: " + reason);
            assertFalse(
                    withFile.toString().contains("s3cret")
                            || withFile.files().toString().contains("s3cret"),
                    "a definition never shows a file's contents");
        }
    }

    /**
     * The capabilities the runtime declares, for the checks that need no open runtime; by default those of a
     * runtime opened here (empty where it cannot open). Override when opening is costly.
     */
    protected Set<RuntimeCapability> declaredCapabilities() {
        RuntimeContext context = context(stateDir);
        if (!provider().probe(context).available()) {
            return Set.of();
        }
        try (TaskRuntime runtime = provider().open(context)) {
            opened = true;
            return capabilities(runtime);
        } catch (TaskRuntimeException e) {
            return Set.of();
        }
    }

    private static Set<RuntimeCapability> capabilities(TaskRuntime runtime) {
        Set<RuntimeCapability> capabilities = runtime.capabilities();
        assertNotNull(capabilities, "capabilities() returned null");
        return capabilities;
    }

    private static boolean hasLine(List<LogLine> lines, LogLine.Stream stream, String text) {
        return lines.stream().anyMatch(l -> l.stream() == stream && l.text().equals(text));
    }
}

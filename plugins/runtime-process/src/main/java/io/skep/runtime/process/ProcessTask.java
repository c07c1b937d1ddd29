package io.skep.runtime.process;

import io.skep.spi.runtime.TaskExit;
import io.skep.spi.runtime.TaskHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One task: a process this runtime started (a child of the JVM, whose exit code Java reports), a process
 * adopted after a node restart (not a child: its exit code is lost), or a task that had already ended.
 *
 * <p>The process is named by its PID together with its start time in clock ticks, so that a PID the kernel
 * has handed to another process is never signalled.
 */
final class ProcessTask implements TaskHandle {

    static final String ADOPTED_EXIT = "exited while adopted after a node restart; exit code unknown";
    static final String ENDED_WHILE_DOWN = "ended while the node was down; exit code unknown";
    static final String NEVER_RECORDED = "the node stopped while the task was starting; its process is unknown";

    /** How long a SIGKILLed process may take to go (one in uninterruptible sleep may take longer). */
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    /** How long to keep killing what is left in a task's session. */
    private static final Duration SESSION_SWEEP = Duration.ofSeconds(2);
    /** The step of polls on /proc: only for processes that are not our children. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private static final System.Logger LOG = System.getLogger(ProcessTask.class.getPackageName());

    private final ProcessRuntime runtime;
    private final String taskId;
    private final Path dir;
    /** The JVM's child, when this runtime started the task. */
    private final Process process;
    /** The adopted process, when it ran at recovery; null for a child or an ended task. */
    private final ProcessHandle adopted;

    private final long pid;
    private final long startTicks;
    private final boolean session;
    private final Signals.Signal stopSignal;
    private final Duration stopGrace;

    private final CompletableFuture<TaskExit> exit = new CompletableFuture<>();
    private final AtomicBoolean ending = new AtomicBoolean();
    private final ReentrantLock lock = new ReentrantLock();
    /** guarded by lock */
    private final Map<String, String> record;
    /** guarded by lock */
    private boolean removed;

    private ProcessTask(
            ProcessRuntime runtime,
            String taskId,
            Path dir,
            Process process,
            ProcessHandle adopted,
            long pid,
            long startTicks,
            boolean session,
            Signals.Signal stopSignal,
            Duration stopGrace,
            Map<String, String> record) {
        this.runtime = runtime;
        this.taskId = taskId;
        this.dir = dir;
        this.process = process;
        this.adopted = adopted;
        this.pid = pid;
        this.startTicks = startTicks;
        this.session = session;
        this.stopSignal = stopSignal;
        this.stopGrace = stopGrace;
        this.record = new HashMap<>(record);
    }

    /** A process this runtime has just started; {@link #recordStart} and {@link #watch} follow. */
    static ProcessTask started(
            ProcessRuntime runtime,
            String taskId,
            Path dir,
            Process process,
            boolean session,
            Signals.Signal stopSignal,
            Duration stopGrace,
            Map<String, String> record) {
        long pid = process.pid();
        long ticks = ProcFs.stat(pid).map(ProcFs.Stat::startTicks).orElse(-1L);
        Map<String, String> values = new HashMap<>(record);
        values.put(TaskRecord.PID, Long.toString(pid));
        values.put(TaskRecord.START_TICKS, Long.toString(ticks));
        process.info().startInstant().ifPresent(i -> values.put(TaskRecord.START_INSTANT, i.toString()));
        values.put(TaskRecord.SESSION, Boolean.toString(session));
        return new ProcessTask(runtime, taskId, dir, process, null, pid, ticks, session, stopSignal, stopGrace, values);
    }

    /** A task found in the state directory: adopted when its process still runs, else already ended. */
    static ProcessTask recovered(ProcessRuntime runtime, String taskId, Path dir) {
        Optional<Map<String, String>> read = TaskRecord.read(dir);
        Map<String, String> values = read.orElseGet(HashMap::new);
        Signals.Signal signal =
                Signals.parse(values.get(TaskRecord.STOP_SIGNAL)).orElse(Signals.TERM);
        Duration grace = Duration.ofMillis(parseLong(values.get(TaskRecord.STOP_GRACE_MILLIS), 10_000));
        long pid = parseLong(values.get(TaskRecord.PID), -1);
        long ticks = parseLong(values.get(TaskRecord.START_TICKS), -1);
        boolean session = Boolean.parseBoolean(values.get(TaskRecord.SESSION));
        if (pid <= 0) {
            ProcessTask task = new ProcessTask(runtime, taskId, dir, null, null, -1, -1, false, signal, grace, values);
            task.exit.complete(new TaskExit(TaskExit.UNKNOWN, NEVER_RECORDED));
            task.ending.set(true);
            return task;
        }
        if (values.containsKey(TaskRecord.EXIT_CODE)) {
            ProcessTask task =
                    new ProcessTask(runtime, taskId, dir, null, null, pid, ticks, session, signal, grace, values);
            task.exit.complete(recordedExit(values).orElseThrow());
            task.ending.set(true);
            return task;
        }
        Optional<ProcessHandle> running = isSameProcess(pid, ticks, values.get(TaskRecord.START_INSTANT))
                ? ProcessHandle.of(pid)
                : Optional.empty();
        ProcessTask task = new ProcessTask(
                runtime, taskId, dir, null, running.orElse(null), pid, ticks, session, signal, grace, values);
        if (running.isEmpty()) {
            // record it, so that the next restart tells the same story
            task.onEnded(() -> new TaskExit(TaskExit.UNKNOWN, ENDED_WHILE_DOWN));
        }
        return task;
    }

    private static boolean isSameProcess(long pid, long ticks, String instant) {
        if (ticks >= 0) {
            return ProcFs.running(pid, ticks);
        }
        // no tick count recorded: fall back on the instant, which is only as exact as the kernel's boot time
        if (instant == null) {
            return false;
        }
        try {
            Instant recorded = Instant.parse(instant);
            return ProcFs.stat(pid).filter(s -> !s.ended()).isPresent()
                    && ProcessHandle.of(pid)
                            .flatMap(h -> h.info().startInstant())
                            .filter(i -> Duration.between(i, recorded).abs().compareTo(Duration.ofSeconds(1)) <= 0)
                            .isPresent();
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    void recordStart() throws IOException {
        lock.lock();
        try {
            TaskRecord.write(dir, record);
        } finally {
            lock.unlock();
        }
    }

    /** Starts watching for the end of the process. */
    void watch() {
        Executor watcher =
                r -> Thread.ofVirtual().name("skep-process-exit-" + taskId).start(r);
        if (process != null) {
            process.onExit().thenRunAsync(() -> onEnded(() -> Signals.exitOf(process.exitValue())), watcher);
        } else if (adopted != null) {
            // for a process that is not our child, Java polls (with growing pauses): stop() polls by itself
            adopted.onExit().thenRunAsync(() -> onEnded(this::adoptedExit), watcher);
        }
    }

    @Override
    public String taskId() {
        return taskId;
    }

    @Override
    public String runtimeId() {
        return pid > 0 ? Long.toString(pid) : "";
    }

    @Override
    public CompletableFuture<TaskExit> exit() {
        return exit.copy();
    }

    /** The PID (for the runtime's own checks). */
    long pid() {
        return pid;
    }

    boolean leadsSession() {
        return session;
    }

    /** A process task runs from its creation: see {@link PreparedProcess#start}. */
    @Override
    public void start() {
        throw new IllegalStateException(this + " was started already");
    }

    @Override
    public void shutdown(String signal, Duration grace) {
        if (exit.isDone() || (process == null && adopted == null)) {
            return;
        }
        Signals.Signal sig = stopSignal;
        if (signal != null && !signal.isBlank()) {
            sig = Signals.parse(signal).orElseGet(() -> {
                LOG.log(Level.WARNING, "task {0}: unknown stop signal \"{1}\", sending SIGTERM", taskId, signal);
                return Signals.TERM;
            });
        }
        Duration wait = grace == null ? stopGrace : grace.isNegative() ? Duration.ZERO : grace;
        if (isRunning()) {
            send(sig);
        }
        if (awaitEnd(wait)) {
            return;
        }
        killAll();
        if (!awaitEnd(KILL_WAIT)) {
            LOG.log(Level.WARNING, "task {0}: process {1} outlived SIGKILL for {2}", taskId, pid, KILL_WAIT);
        }
    }

    @Override
    public Optional<Path> networkNamespace() {
        lock.lock();
        try {
            return runtime.namespaceOf(record);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void remove() {
        if (!exit.isDone()) {
            if (isRunning()) {
                throw new IllegalStateException(
                        "task " + taskId + " still runs as process " + pid + ": stop it before removing it");
            }
            awaitEnd(KILL_WAIT);
        }
        lock.lock();
        try {
            if (removed) {
                return;
            }
            removed = true;
            runtime.deleteNamespace(record);
            TaskRecord.deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the state of task " + taskId + " in " + dir, e);
        } finally {
            lock.unlock();
        }
        runtime.forget(this);
    }

    /** Whether the task's own process still runs. */
    boolean isRunning() {
        if (exit.isDone()) {
            return false;
        }
        if (process != null) {
            return process.isAlive();
        }
        return adopted != null && (startTicks >= 0 ? ProcFs.running(pid, startTicks) : adopted.isAlive());
    }

    /** Waits up to {@code timeout} for the task to end; true when it has. */
    private boolean awaitEnd(Duration timeout) {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        while (true) {
            if (exit.isDone()) {
                return true;
            }
            if (process == null && !isRunning()) {
                onEnded(this::adoptedExit); // Java may notice the end of a non-child only seconds later
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return exit.isDone();
            }
            try {
                exit.get(process == null ? Math.min(left, POLL_NANOS) : left, TimeUnit.NANOSECONDS);
                return true;
            } catch (TimeoutException e) {
                // poll again
            } catch (ExecutionException e) {
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return exit.isDone();
            }
        }
    }

    private void send(Signals.Signal sig) {
        if (sig.equals(Signals.TERM)) {
            boolean sent = process != null ? sendTerm(process.toHandle()) : sendTerm(adopted);
            if (!sent) {
                LOG.log(Level.DEBUG, "task {0}: SIGTERM not delivered to {1}", taskId, pid);
            }
            return;
        }
        if (sig.equals(Signals.KILL)) {
            if (process != null) {
                process.destroyForcibly();
            } else {
                adopted.destroyForcibly();
            }
            return;
        }
        Optional<Path> kill = runtime.tools().kill();
        if (kill.isEmpty()) {
            LOG.log(Level.WARNING, "task {0}: no kill command on this host to send {1}; sending SIGTERM", taskId, sig);
            send(Signals.TERM);
            return;
        }
        if (!isRunning()) {
            return; // never signal a PID that may name another process by now
        }
        try {
            Process killer = new ProcessBuilder(kill.get().toString(), "-s", sig.killArgument(), Long.toString(pid))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectErrorStream(true)
                    .start();
            if (!killer.waitFor(5, TimeUnit.SECONDS)) {
                killer.destroyForcibly();
                LOG.log(Level.WARNING, "task {0}: kill -s {1} {2} did not return", taskId, sig.killArgument(), pid);
            } else if (killer.exitValue() != 0 && isRunning()) {
                LOG.log(
                        Level.WARNING,
                        "task {0}: kill -s {1} {2} failed with exit status {3}",
                        taskId,
                        sig.killArgument(),
                        pid,
                        killer.exitValue());
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "task " + taskId + ": cannot run " + kill.get(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean sendTerm(ProcessHandle handle) {
        return handle.destroy(); // SIGTERM; Java checks the start time, so a reused PID is left alone
    }

    /** SIGKILLs the process and all it started: its descendants and whatever else is left in its session. */
    private void killAll() {
        ProcessHandle self = process != null ? process.toHandle() : adopted;
        List<ProcessHandle> family = new ArrayList<>();
        if (self != null && isRunning()) {
            self.descendants().forEach(family::add); // before the kill: orphans lose their parent link
        }
        if (process != null) {
            process.destroyForcibly();
        } else if (adopted != null) {
            adopted.destroyForcibly();
        }
        family.forEach(ProcessHandle::destroyForcibly);
        sweepSession();
    }

    /**
     * SIGKILLs the processes left in the task's session, as a container's end takes all its processes with it.
     * The kernel does not reuse a PID while a session of that ID has members, so the session ID still names
     * only the task's processes after its leader has gone.
     */
    private void sweepSession() {
        if (!session || pid <= 0) {
            return;
        }
        Optional<ProcFs.Stat> leader = ProcFs.stat(pid);
        if (leader.isPresent() && leader.get().startTicks() != startTicks) {
            return; // the PID names another process: the task's session has no members left
        }
        long self = ProcessHandle.current().pid();
        long deadline = System.nanoTime() + SESSION_SWEEP.toNanos();
        while (true) {
            List<Long> members = ProcFs.sessionMembers(pid);
            members.remove(self);
            if (members.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                LOG.log(Level.WARNING, "task {0}: processes {1} of its session outlived SIGKILL", taskId, members);
                return;
            }
            for (long member : members) {
                ProcessHandle.of(member).ifPresent(ProcessHandle::destroyForcibly);
            }
            LockSupport.parkNanos(POLL_NANOS / 10); // SIGKILL is asynchronous: poll /proc until they are gone
        }
    }

    /** Completes the task once: clears its session, records how it ended (while the runtime watches). */
    private void onEnded(Supplier<TaskExit> how) {
        if (!ending.compareAndSet(false, true)) {
            return;
        }
        TaskExit result = new TaskExit(TaskExit.UNKNOWN, "ended; exit status unknown");
        try {
            result = how.get();
            if (!runtime.isClosed()) {
                sweepSession();
                lock.lock();
                try {
                    if (!removed) {
                        record.put(TaskRecord.EXIT_CODE, Integer.toString(result.exitCode()));
                        record.put(TaskRecord.EXIT_MESSAGE, result.message());
                        record.put(TaskRecord.ENDED_AT, Instant.now().toString());
                        TaskRecord.write(dir, record);
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "task " + taskId + ": cannot record its end in " + dir, e);
        } finally {
            exit.complete(result);
        }
    }

    /** The exit of an adopted process: unknown, unless a run of the runtime recorded it. */
    private TaskExit adoptedExit() {
        return TaskRecord.read(dir)
                .flatMap(ProcessTask::recordedExit)
                .orElse(new TaskExit(TaskExit.UNKNOWN, ADOPTED_EXIT));
    }

    private static Optional<TaskExit> recordedExit(Map<String, String> values) {
        String code = values.get(TaskRecord.EXIT_CODE);
        if (code == null) {
            return Optional.empty();
        }
        int exitCode = (int) parseLong(code, TaskExit.UNKNOWN);
        String message = values.get(TaskRecord.EXIT_MESSAGE);
        return Optional.of(
                message == null || message.isEmpty() ? Signals.exitOf(exitCode) : new TaskExit(exitCode, message));
    }

    private static long parseLong(String s, long fallback) {
        if (s == null) {
            return fallback;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    @Override
    public String toString() {
        return "task " + taskId + " (pid " + pid + ")";
    }
}

package io.skep.runtime.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.WaitResponse;
import io.skep.spi.runtime.ExecResult;
import io.skep.spi.runtime.LogLine;
import io.skep.spi.runtime.TaskExit;
import io.skep.spi.runtime.TaskHandle;
import io.skep.spi.runtime.TaskRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One task's container. Its end is learnt from the engine's wait ({@code POST /containers/{id}/wait}), one long
 * request per running container; when the engine cuts it (a restart of the engine, a broken connection), the task
 * inspects its container and waits again, backing off while the engine does not answer.
 */
final class DockerTask implements TaskHandle {

    /** How long shutdown() waits for the end of the container after SIGKILL. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private static final long RETRY_MIN_MILLIS = 250;
    private static final long RETRY_MAX_MILLIS = 5_000;
    /** The exit code of a container killed by SIGKILL, the engine's OOM killer included. */
    private static final int SIGKILL_EXIT = 137;

    static final String REMOVED = "the container was removed";
    /** The most output exec() keeps, as Docker keeps of a health probe's. */
    static final int EXEC_OUTPUT_LIMIT = 4096;

    private static final System.Logger LOG = System.getLogger(DockerTask.class.getPackageName());

    private final DockerRuntime runtime;
    private final String taskId;
    private final String containerId;
    private final String stopSignal;
    private final Duration stopGrace;
    private final CompletableFuture<TaskExit> exit = new CompletableFuture<>();
    private final Object lock = new Object();
    private Wait wait; // guarded by lock
    private long retryMillis = RETRY_MIN_MILLIS; // guarded by lock
    private boolean removed; // guarded by lock
    private boolean started; // guarded by lock

    DockerTask(DockerRuntime runtime, String taskId, String containerId, String stopSignal, Duration stopGrace) {
        this.runtime = runtime;
        this.taskId = taskId;
        this.containerId = containerId;
        this.stopSignal = stopSignal;
        this.stopGrace = stopGrace;
    }

    @Override
    public String taskId() {
        return taskId;
    }

    @Override
    public String runtimeId() {
        return containerId;
    }

    /**
     * The namespace of the container's process, once it runs: the engine makes it with the container, so the agent
     * plumbs the task's networks in right after the start (the task's first moments run without them).
     */
    @Override
    public Optional<java.nio.file.Path> networkNamespace() {
        try {
            InspectContainerResponse inspected =
                    runtime.docker().inspectContainerCmd(containerId).exec();
            Long pid =
                    inspected.getState() == null ? null : inspected.getState().getPidLong();
            return pid == null || pid <= 0
                    ? Optional.empty()
                    : Optional.of(java.nio.file.Path.of("/proc", Long.toString(pid), "ns", "net"));
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "task {0}: cannot inspect container {1}: {2}", taskId, containerId, Engine.reason(e));
            return Optional.empty();
        }
    }

    @Override
    public CompletableFuture<TaskExit> exit() {
        return exit.copy();
    }

    /** Completes the task when an inspection shows its container ended. */
    void endIfEnded(InspectContainerResponse inspected) {
        DockerRuntime.exitOf(inspected).ifPresent(exit::complete);
    }

    /** Starts waiting for the end of the container (a wait request of its own, answered when it ends). */
    void watch() {
        synchronized (lock) {
            if (exit.isDone() || runtime.isClosed() || wait != null) {
                return;
            }
            wait = new Wait();
            try {
                runtime.docker().waitContainerCmd(containerId).exec(wait);
            } catch (RuntimeException e) {
                wait = null;
                LOG.log(
                        Level.DEBUG,
                        "task {0}: wait on container {1} failed: {2}",
                        taskId,
                        containerId,
                        Engine.reason(e));
                retryLater();
            }
        }
    }

    /** Stops waiting (the runtime closes): the container runs on. */
    void unwatch() {
        Wait w;
        synchronized (lock) {
            w = wait;
            wait = null;
        }
        if (w != null) {
            w.close();
        }
    }

    /** The engine answered the wait. */
    private void waited(Wait w, Integer statusCode) {
        synchronized (lock) {
            if (wait != w) {
                return;
            }
            wait = null;
        }
        if (statusCode == null) {
            refresh(true);
        } else if (statusCode == SIGKILL_EXIT) {
            // SIGKILL, or the OOM killer: only an inspection tells them apart
            try {
                InspectContainerResponse inspected =
                        runtime.docker().inspectContainerCmd(containerId).exec();
                Optional<TaskExit> ended = DockerRuntime.exitOf(inspected);
                exit.complete(ended.orElse(Signals.exitOf(statusCode, false, null)));
            } catch (RuntimeException e) {
                exit.complete(Signals.exitOf(statusCode, false, null));
            }
        } else {
            exit.complete(Signals.exitOf(statusCode, false, null));
        }
    }

    /** The wait was cut before the engine told the end: look again, and wait again while the container runs. */
    private void cut(Wait w, Throwable cause) {
        synchronized (lock) {
            if (wait != w) {
                return;
            }
            wait = null;
        }
        if (runtime.isClosed()) {
            return;
        }
        LOG.log(Level.DEBUG, "task {0}: wait on container {1} cut: {2}", taskId, containerId, Engine.reason(cause));
        refresh(true);
    }

    /**
     * Inspects the container: completes the task when it has ended or is gone; otherwise, when {@code rewatch},
     * waits for it again (later, when the engine did not answer).
     */
    private void refresh(boolean rewatch) {
        if (exit.isDone() || runtime.isClosed()) {
            return;
        }
        try {
            InspectContainerResponse inspected =
                    runtime.docker().inspectContainerCmd(containerId).exec();
            Optional<TaskExit> ended = DockerRuntime.exitOf(inspected);
            if (ended.isPresent()) {
                exit.complete(ended.get());
                return;
            }
            if (rewatch) {
                watch();
            }
        } catch (NotFoundException e) {
            exit.complete(new TaskExit(TaskExit.UNKNOWN, REMOVED));
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "task {0}: cannot inspect container {1}: {2}", taskId, containerId, Engine.reason(e));
            if (rewatch) {
                retryLater();
            }
        }
    }

    private void retryLater() {
        long delay;
        synchronized (lock) {
            delay = retryMillis;
            retryMillis = Math.min(RETRY_MAX_MILLIS, retryMillis * 2);
        }
        try {
            runtime.retries().schedule(() -> refresh(true), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the runtime is closed
        }
    }

    /** Starts the container, then waits for its end. */
    @Override
    public void start() throws TaskRuntimeException {
        synchronized (lock) {
            if (started || removed || exit.isDone()) {
                throw new IllegalStateException(this + " was started, shut down or removed already");
            }
            started = true;
        }
        try (EngineSlots.Slot slot = runtime.slots().acquire()) {
            runtime.docker().startContainerCmd(containerId).exec();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exit.complete(new TaskExit(TaskExit.UNKNOWN, "not started: interrupted"));
            throw new TaskRuntimeException("interrupted while waiting to start the container", e);
        } catch (RuntimeException e) {
            String reason = Engine.reason(e);
            exit.complete(new TaskExit(TaskExit.UNKNOWN, "not started: " + reason));
            // A container that cannot start is of no use: remove it at once, as a failed `docker run --rm` does.
            try {
                remove();
            } catch (RuntimeException suppressed) {
                LOG.log(
                        Level.WARNING,
                        "task {0}: cannot remove container {1}, which failed to start: {2}",
                        taskId,
                        containerId,
                        suppressed.getMessage());
            }
            throw new TaskRuntimeException(reason, e);
        }
        watch();
    }

    /**
     * Sends {@code signal} (the task's stop signal when {@code null}) through the engine, waits up to
     * {@code grace} (the task's grace period when {@code null}) for the container to end, then kills it.
     */
    @Override
    public void shutdown(String signal, Duration grace) {
        if (exit.isDone()) {
            return;
        }
        String sig = stopSignal;
        if (signal != null && !signal.isBlank()) {
            if (Signals.parse(signal).isPresent()) {
                sig = signal.strip();
            } else {
                LOG.log(Level.WARNING, "task {0}: unknown stop signal \"{1}\", sending {2}", taskId, signal, sig);
            }
        }
        Duration wait = grace == null ? stopGrace : grace.isNegative() ? Duration.ZERO : grace;
        // The slot is held until the container has ended, as by a `docker stop`: the engine's work for an exit
        // (network, mounts) comes after the signal, and is what must not pile up.
        try (EngineSlots.Slot slot = runtime.slots().acquireOrProceed()) {
            if (exit.isDone()) {
                return; // it ended while this waited for the slot
            }
            kill(sig);
            if (awaitExit(wait)) {
                return;
            }
            kill(Signals.KILL);
            if (awaitExit(KILL_WAIT)) {
                return;
            }
            refresh(false); // the wait may have been cut meanwhile
        }
        if (!exit.isDone()) {
            LOG.log(Level.WARNING, "task {0}: container {1} outlived SIGKILL for {2}", taskId, containerId, KILL_WAIT);
        }
    }

    private void kill(String signal) {
        try {
            runtime.docker().killContainerCmd(containerId).withSignal(signal).exec();
        } catch (ConflictException e) {
            refresh(false); // "is not running": it has ended already
        } catch (NotFoundException e) {
            exit.complete(new TaskExit(TaskExit.UNKNOWN, REMOVED));
        } catch (RuntimeException e) {
            LOG.log(
                    Level.WARNING,
                    "task {0}: cannot send {1} to container {2}: {3}",
                    taskId,
                    signal,
                    containerId,
                    Engine.reason(e));
        }
    }

    /** Waits up to {@code timeout} for the end of the task; true when it has ended. */
    private boolean awaitExit(Duration timeout) {
        try {
            exit.get(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return exit.isDone();
        }
    }

    /** Removes the container (and its anonymous volumes). The task must have ended. */
    @Override
    public void remove() {
        if (!exit.isDone()) {
            refresh(false);
            if (!exit.isDone()) {
                throw new IllegalStateException(
                        "task " + taskId + " still runs in container " + containerId + ": stop it before removing it");
            }
        }
        synchronized (lock) {
            if (removed) {
                return;
            }
            removed = true;
        }
        try (EngineSlots.Slot slot = runtime.slots().acquireOrProceed()) {
            runtime.docker()
                    .removeContainerCmd(containerId)
                    .withRemoveVolumes(true)
                    .withForce(true)
                    .exec();
        } catch (NotFoundException e) {
            // gone already
        } catch (RuntimeException e) {
            synchronized (lock) {
                removed = false;
            }
            throw new IllegalStateException(
                    "cannot remove container " + containerId + " of task " + taskId + ": " + Engine.reason(e), e);
        }
        unwatch();
        runtime.forget(this);
    }

    /** The container's output through the engine's log API, with its timestamps. */
    @Override
    public Stream<LogLine> logs(boolean follow) throws TaskRuntimeException {
        ContainerLogs logs = new ContainerLogs();
        try {
            runtime.docker()
                    .logContainerCmd(containerId)
                    .withStdOut(true)
                    .withStdErr(true)
                    .withTimestamps(true)
                    .withFollowStream(follow)
                    .exec(logs);
        } catch (NotFoundException e) {
            throw new TaskRuntimeException(REMOVED, e);
        } catch (RuntimeException e) {
            throw new TaskRuntimeException(
                    "cannot read the logs of container " + containerId + ": " + Engine.reason(e), e);
        }
        return logs.stream();
    }

    /** Runs the command through the engine's exec API; its output is cut at {@link #EXEC_OUTPUT_LIMIT} bytes. */
    @Override
    public ExecResult exec(List<String> command, Duration timeout) throws TaskRuntimeException {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command: empty");
        }
        String execId;
        try {
            execId = runtime.docker()
                    .execCreateCmd(containerId)
                    .withCmd(command.toArray(String[]::new))
                    .withAttachStdout(true)
                    .withAttachStderr(true)
                    .exec()
                    .getId();
        } catch (NotFoundException e) {
            throw new TaskRuntimeException(REMOVED, e);
        } catch (RuntimeException e) {
            throw new TaskRuntimeException(Engine.reason(e), e); // e.g. "container ... is not running"
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                synchronized (output) {
                    int room = EXEC_OUTPUT_LIMIT - output.size();
                    if (room > 0 && frame.getPayload() != null) {
                        output.write(frame.getPayload(), 0, Math.min(room, frame.getPayload().length));
                    }
                }
            }
        };
        try {
            runtime.docker().execStartCmd(execId).exec(callback);
            if (!callback.awaitCompletion(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
                callback.close();
                return new ExecResult(TaskExit.UNKNOWN, text(output), true);
            }
            Long code = runtime.docker().inspectExecCmd(execId).exec().getExitCodeLong();
            return new ExecResult(code == null ? TaskExit.UNKNOWN : code.intValue(), text(output), false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskRuntimeException("interrupted while running " + command, e);
        } catch (IOException | RuntimeException e) {
            throw new TaskRuntimeException("exec in container " + containerId + " failed: " + Engine.reason(e), e);
        }
    }

    private static String text(ByteArrayOutputStream output) {
        synchronized (output) {
            return output.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public String toString() {
        return "task " + taskId + " (container " + containerId + ")";
    }

    /** One wait request on the container. */
    private final class Wait implements ResultCallback<WaitResponse> {
        private Closeable stream;
        private boolean closed;
        private volatile Integer statusCode;

        @Override
        public void onStart(Closeable stream) {
            boolean close;
            synchronized (this) {
                this.stream = stream;
                close = closed;
            }
            if (close) {
                closeQuietly(stream);
            } else {
                synchronized (lock) {
                    retryMillis = RETRY_MIN_MILLIS;
                }
            }
        }

        @Override
        public void onNext(WaitResponse response) {
            statusCode = response.getStatusCode();
        }

        @Override
        public void onError(Throwable throwable) {
            if (!isClosed()) {
                cut(this, throwable);
            }
        }

        @Override
        public void onComplete() {
            if (!isClosed()) {
                waited(this, statusCode);
            }
        }

        private synchronized boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            Closeable s;
            synchronized (this) {
                closed = true;
                s = stream;
            }
            if (s != null) {
                closeQuietly(s);
            }
        }

        private static void closeQuietly(Closeable c) {
            try {
                c.close();
            } catch (IOException | RuntimeException ignored) {
                // abandoned
            }
        }
    }
}

package io.skep.runtime.process;

import io.skep.spi.runtime.TaskExit;
import io.skep.spi.runtime.TaskHandle;
import io.skep.spi.runtime.TaskRuntimeException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A task the process runtime prepared: its command line is ready and recorded, no process runs yet. Once
 * {@link #start started}, it hands everything on to the {@link ProcessTask} of its process.
 */
final class PreparedProcess implements TaskHandle {

    static final String NEVER_STARTED = "shut down before it started";

    private final ProcessRuntime runtime;
    private final ProcessRuntime.Launch launch;
    private final CompletableFuture<TaskExit> exit = new CompletableFuture<>();
    private final Object lock = new Object();
    private ProcessTask task; // guarded by lock; set once started
    private boolean startedOrEnded; // guarded by lock

    PreparedProcess(ProcessRuntime runtime, ProcessRuntime.Launch launch) {
        this.runtime = runtime;
        this.launch = launch;
    }

    @Override
    public String taskId() {
        return launch.taskId();
    }

    /** The PID once started; empty before. */
    @Override
    public String runtimeId() {
        ProcessTask t = started();
        return t == null ? "" : t.runtimeId();
    }

    /** The namespace made at prepare, for a task on networks. */
    @Override
    public java.util.Optional<java.nio.file.Path> networkNamespace() {
        return runtime.namespaceOf(launch.record());
    }

    @Override
    public void start() throws TaskRuntimeException {
        synchronized (lock) {
            if (startedOrEnded) {
                throw new IllegalStateException("task " + taskId() + " was started or shut down already");
            }
            startedOrEnded = true;
            try {
                task = runtime.spawn(launch);
            } catch (TaskRuntimeException e) {
                exit.complete(new TaskExit(TaskExit.UNKNOWN, "not started: " + e.getMessage()));
                throw e;
            }
        }
        task.exit()
                .whenComplete((e, t) ->
                        exit.complete(e != null ? e : new TaskExit(TaskExit.UNKNOWN, "ended; exit status unknown")));
    }

    @Override
    public CompletableFuture<TaskExit> exit() {
        return exit.copy();
    }

    @Override
    public void shutdown(String signal, Duration grace) {
        ProcessTask t;
        synchronized (lock) {
            t = task;
            if (t == null) {
                startedOrEnded = true; // never to start now
                exit.complete(new TaskExit(TaskExit.UNKNOWN, NEVER_STARTED));
                return;
            }
        }
        t.shutdown(signal, grace);
        t.exit().join(); // the wrapper's exit completes with the task's
        exit.join();
    }

    @Override
    public void remove() {
        ProcessTask t;
        synchronized (lock) {
            t = task;
            if (t == null) {
                if (!exit.isDone()) {
                    throw new IllegalStateException(
                            "task " + taskId() + " is prepared: shut it down before" + " removing it");
                }
                try {
                    runtime.deleteNamespace(launch.record());
                    TaskRecord.deleteTree(launch.dir());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot remove the state of task " + taskId(), e);
                }
                return;
            }
        }
        t.remove();
    }

    private ProcessTask started() {
        synchronized (lock) {
            return task;
        }
    }

    @Override
    public String toString() {
        ProcessTask t = started();
        return t != null ? t.toString() : "task " + taskId() + " (prepared)";
    }
}

package io.skep.spi.runtime;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * One task of a runtime, from {@link TaskRuntime#prepare} (created, not running) or {@link TaskRuntime#recover}.
 */
public interface TaskHandle {

    /** The ID of the task. */
    String taskId();

    /** The runtime's own ID for it: a process ID (once started), a container ID. */
    String runtimeId();

    /**
     * The task's network namespace as a file ({@code /var/run/netns/<name>}, {@code /proc/<pid>/ns/net}), for the
     * agent to plumb the task's networks into; empty while there is none. A runtime with
     * {@link RuntimeCapability#NETWORKS} gives a task whose definition has networks a namespace of its own: made at
     * {@link TaskRuntime#prepare prepare} where the runtime can (the task then starts with its networks in place),
     * else with the task at {@link #start} (a container's).
     */
    default java.util.Optional<java.nio.file.Path> networkNamespace() {
        return java.util.Optional.empty();
    }

    /**
     * Starts the prepared task. Blocks only as long as the runtime needs to have it running (a container's start,
     * a process's exec); afterwards the task runs, or has already ended ({@link #exit} tells).
     *
     * @throws TaskRuntimeException when it cannot start; the task then has ended ({@link #exit} is complete)
     * @throws IllegalStateException when it was started, shut down or removed already
     */
    void start() throws TaskRuntimeException;

    /**
     * The wait: completes once, when the task ends, with how it ended. Never completes for a prepared task that
     * is neither started nor shut down.
     */
    CompletableFuture<TaskExit> exit();

    /**
     * Shuts the task down: sends {@code signal} (e.g. {@code SIGTERM}; {@code null} for the task's stop signal),
     * waits up to {@code grace} ({@code null} for the task's grace period) for it to end, then kills it. Blocks
     * until it has ended (the grace, plus the kill). Afterwards {@link #exit} is complete. Shutting down an ended
     * task does nothing; shutting down a prepared task that never started ends it with {@link TaskExit#UNKNOWN}.
     */
    void shutdown(String signal, Duration grace);

    /**
     * Frees what the task left behind (container, state, output). The task must have ended (shut it down first).
     * Blocks on the runtime's own state only. Removing it again does nothing.
     *
     * @throws IllegalStateException when the task still runs
     */
    void remove();

    /**
     * The lines the task wrote, oldest first, each with its timestamp; with {@code follow}, the stream goes on
     * with new lines until the task ends or the stream is closed (from any thread). Reading the stream blocks
     * for the next line. Close it when done.
     *
     * @throws UnsupportedTaskOperationException when the runtime lacks {@link RuntimeCapability#LOGS}
     * @throws TaskRuntimeException              when the runtime cannot read them now
     */
    default Stream<LogLine> logs(boolean follow) throws TaskRuntimeException {
        throw new UnsupportedTaskOperationException(RuntimeCapability.LOGS, "this runtime does not keep task logs");
    }

    /**
     * Runs {@code command} inside the running task (a health probe) and waits up to {@code timeout} for it to
     * end. Blocks that long at most.
     *
     * @throws UnsupportedTaskOperationException when the runtime lacks {@link RuntimeCapability#EXEC}
     * @throws TaskRuntimeException              when it cannot run (e.g. the task is not running)
     */
    default ExecResult exec(List<String> command, Duration timeout) throws TaskRuntimeException {
        throw new UnsupportedTaskOperationException(
                RuntimeCapability.EXEC, "this runtime cannot run commands inside a task");
    }
}

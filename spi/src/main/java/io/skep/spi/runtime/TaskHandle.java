package io.skep.spi.runtime;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One task started by a runtime.
 */
public interface TaskHandle {

    /** The ID of the task. */
    String taskId();

    /** The runtime's own ID for it: a process ID, a container ID. */
    String runtimeId();

    /** Completes once when the task ends, with how it ended. */
    CompletableFuture<TaskExit> exit();

    /**
     * Stops the task: sends {@code signal} (e.g. {@code SIGTERM}; {@code null} for the runtime's default),
     * waits up to {@code grace} for it to end, then kills it. Returns when it has ended. Stopping an ended
     * task does nothing.
     */
    void stop(String signal, Duration grace);

    /** Frees what the task left behind (state, output). The task must have ended. */
    void remove();
}

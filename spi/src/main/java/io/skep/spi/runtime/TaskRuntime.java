package io.skep.spi.runtime;

import java.util.List;

/**
 * A runtime opened on one node: starts tasks and finds again the ones it started before a restart.
 */
public interface TaskRuntime extends AutoCloseable {

    /**
     * Prepares and starts a task. Returns once the task runs (or has already ended).
     *
     * @throws TaskRejectedException when the task cannot run here at all (e.g. its image is missing and cannot
     *                               be pulled): the task ends rejected, with the message as its error
     * @throws TaskRuntimeException  when the task cannot start; it ends failed, with the message as its error
     */
    TaskHandle start(TaskLaunch launch) throws TaskRuntimeException;

    /**
     * The tasks this runtime started during an earlier run of the node that still exist: running, or
     * ended but not yet removed. The node adopts those it is still assigned and removes the others, so a
     * restarted node never runs a task twice.
     */
    List<TaskHandle> recover();

    /** Releases the runtime. Running tasks are left running. */
    @Override
    void close();
}

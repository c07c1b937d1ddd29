package io.skep.spi.runtime;

import java.util.List;
import java.util.Set;

/**
 * A runtime opened on one node. A task goes through it as through swarmkit's executor: {@link #prepare} (pull,
 * create) gives a {@link TaskHandle} of a task that exists but does not run; then the handle's
 * {@link TaskHandle#start start}, {@link TaskHandle#exit wait}, {@link TaskHandle#shutdown shutdown} and
 * {@link TaskHandle#remove remove}. {@link #recover} finds again the tasks of an earlier run of the node.
 */
public interface TaskRuntime extends AutoCloseable {

    /**
     * Prepares a task: checks its definition, fetches what it needs (pulls its image when the node lacks it) and
     * creates it, without starting it. May block for long (a pull); the caller reports the task
     * {@code preparing} meanwhile. Afterwards the task is created ({@code ready}): its handle's {@code exit()} is
     * not complete, and {@link TaskHandle#start} runs it.
     *
     * @throws TaskRejectedException when the task cannot run here at all (e.g. its image is missing and cannot
     *                               be pulled): the task ends rejected, with the message as its error
     * @throws TaskRuntimeException  when preparing failed otherwise; the task ends failed, with the message
     */
    TaskHandle prepare(TaskDefinition task) throws TaskRuntimeException;

    /**
     * The tasks this runtime prepared during an earlier run of the node that still exist: created, running, or
     * ended but not yet removed (a task that was created but never started is reported ended, with
     * {@link TaskExit#UNKNOWN}). The node adopts those it is still assigned and removes the others, so a restarted
     * node never runs a task twice. Blocks on the runtime's own state only (its engine, its files).
     */
    List<TaskHandle> recover();

    /** The optional parts of the SPI this runtime supports; none by default. */
    default Set<RuntimeCapability> capabilities() {
        return Set.of();
    }

    /** Releases the runtime. Running tasks are left running. */
    @Override
    void close();
}

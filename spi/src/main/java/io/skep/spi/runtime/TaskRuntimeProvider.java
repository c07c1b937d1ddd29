package io.skep.spi.runtime;

import io.skep.spi.Plugin;
import java.util.Optional;

/**
 * The entry point of a task runtime plugin, found with {@link java.util.ServiceLoader}.
 *
 * <p>A node advertises every runtime whose {@link #probe probe} succeeds, and the scheduler sends a task
 * only to nodes that advertise the runtime its service needs.
 */
public interface TaskRuntimeProvider extends Plugin {

    /** Whether this runtime can run tasks on this host, and if not, why. Must be quick. */
    Availability probe(RuntimeContext context);

    /**
     * Checks a task definition before the manager accepts a service that uses this runtime.
     *
     * @return a reason naming the offending field when the spec cannot run on this runtime
     */
    Optional<String> validate(TaskDefinition task);

    /** Opens the runtime on this node. Called once per node start, after a successful probe. */
    TaskRuntime open(RuntimeContext context) throws TaskRuntimeException;
}

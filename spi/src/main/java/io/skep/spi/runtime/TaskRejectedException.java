package io.skep.spi.runtime;

/**
 * The task cannot run on this node at all, before anything of it started: its image is missing and cannot
 * be pulled, its spec names something the node lacks. The task ends {@code rejected} (Swarm's "task could not
 * be executed here") with this message as its error, rather than {@code failed}.
 */
public class TaskRejectedException extends TaskRuntimeException {

    public TaskRejectedException(String message) {
        super(message);
    }

    public TaskRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}

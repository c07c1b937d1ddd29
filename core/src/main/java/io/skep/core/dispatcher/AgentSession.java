package io.skep.core.dispatcher;

import io.skep.api.model.Task;

/**
 * A worker's session with the dispatcher: what an agent sends. The agent in the daemon's own JVM uses it
 * directly; a remote worker will speak the same calls over mutual TLS.
 */
public interface AgentSession extends AutoCloseable {

    /** Says the node is alive; the dispatcher marks a node down after three missed periods. */
    void heartbeat();

    /**
     * The connection that carries the session dropped (a remote node only). Unless the node comes back on another
     * within a second, it is down: a node that crashed says no goodbye, and its tasks should not wait for three
     * missed heartbeats.
     */
    default void connectionLost() {}

    /** The node fetches its assignments again (so it is there). */
    default void polling() {}

    /** Whether the dispatcher ended this session because another was opened for the node since. */
    default boolean replaced() {
        return false;
    }

    /** Reports a task's observed status; the dispatcher batches these into store writes. */
    void updateTaskStatus(String taskId, Task.TaskStatus status);

    @Override
    void close();
}

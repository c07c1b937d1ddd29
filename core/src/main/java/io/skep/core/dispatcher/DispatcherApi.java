package io.skep.core.dispatcher;

import io.skep.api.model.Node;
import io.skep.api.model.Task;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** What a worker's agent calls on the managers' dispatcher. */
public interface DispatcherApi {

    /**
     * Opens a session for a node: records what the node says about itself, marks it ready, and from then on
     * sends the node's full task set to {@code assignments} whenever it changes.
     */
    AgentSession register(String nodeId, Node.Description description, Consumer<List<Task>> assignments);

    /** How often the agent must call {@link AgentSession#heartbeat()}. */
    Duration heartbeatPeriod();
}

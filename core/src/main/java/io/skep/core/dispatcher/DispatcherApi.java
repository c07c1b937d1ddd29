package io.skep.core.dispatcher;

import io.skep.api.model.Node;
import java.time.Duration;
import java.util.function.Consumer;

/** What a worker's agent calls on the managers' dispatcher. */
public interface DispatcherApi {

    /**
     * Opens a session for a node: records what the node says about itself, marks it ready, and from then on
     * sends the node's full task set, with the views of their networks, to {@code assignments} whenever it changes.
     */
    AgentSession register(String nodeId, Node.Description description, Consumer<NodeAssignments> assignments);

    /** How often the agent must call {@link AgentSession#heartbeat()}. */
    Duration heartbeatPeriod();
}

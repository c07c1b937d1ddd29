package io.skep.core.cluster;

import io.skep.api.model.Node;
import io.skep.api.model.Task;
import io.skep.core.dispatcher.AgentSession;
import io.skep.core.dispatcher.Dispatcher;
import io.skep.core.dispatcher.DispatcherApi;
import io.skep.core.dispatcher.NodeAssignments;
import io.skep.core.manager.Manager;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The dispatcher of a manager's own agent: the one in this process while this manager leads (no network in the
 * way), the leader's over the cluster port while another leads. The session moves when leadership does, and the
 * new one hears every task's latest status.
 */
public final class FollowLeaderDispatcher implements DispatcherApi {
    private final Manager manager;
    private final RemoteDispatcher remote;

    public FollowLeaderDispatcher(Manager manager, RemoteDispatcher remote) {
        this.manager = manager;
        this.remote = remote;
    }

    @Override
    public Duration heartbeatPeriod() {
        Dispatcher local = manager.dispatcher();
        return local != null ? local.heartbeatPeriod() : remote.heartbeatPeriod();
    }

    @Override
    public AgentSession register(String nodeId, Node.Description description, Consumer<NodeAssignments> assignments) {
        Session s = new Session(nodeId, description, assignments);
        manager.onLeadershipChange(s::follow);
        s.follow();
        return s;
    }

    private final class Session implements AgentSession {
        private final String nodeId;
        private final Node.Description description;
        private final Consumer<NodeAssignments> assignments;
        private final LatestStatus latest = new LatestStatus();
        private AgentSession current;
        private boolean local;
        private boolean closed;

        Session(String nodeId, Node.Description description, Consumer<NodeAssignments> assignments) {
            this.nodeId = nodeId;
            this.description = description;
            this.assignments = assigned -> {
                latest.retainAssigned(assigned.tasks());
                assignments.accept(assigned);
            };
        }

        /** Opens the session with whichever dispatcher leads now, if it is not the one in use. */
        synchronized void follow() {
            if (closed) {
                return;
            }
            Dispatcher leading = manager.dispatcher();
            if (current != null && (leading != null) == local && !(local && current.replaced())) {
                return;
            }
            if (current != null) {
                current.close();
            }
            local = leading != null;
            current = local
                    ? leading.register(nodeId, description, assignments)
                    : remote.register(nodeId, description, assignments);
            latest.forEach(current::updateTaskStatus);
        }

        @Override
        public void heartbeat() {
            AgentSession c;
            synchronized (this) {
                if (local && current != null && current.replaced()) {
                    // The remote session this one took over from opened late, on top of the local one: open again.
                    follow();
                }
                c = current;
            }
            if (c != null) {
                c.heartbeat(); // over the network when another manager leads: not under the lock
            }
        }

        @Override
        public synchronized void updateTaskStatus(String taskId, Task.TaskStatus status) {
            latest.put(taskId, status);
            if (current != null) {
                current.updateTaskStatus(taskId, status);
            }
        }

        @Override
        public synchronized void close() {
            closed = true;
            if (current != null) {
                current.close();
            }
        }
    }
}

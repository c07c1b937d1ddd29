package io.skep.core.cluster;

import io.skep.api.model.Defaults;
import io.skep.api.model.Ids;
import io.skep.api.model.Node;
import io.skep.api.model.Task;
import io.skep.core.dispatcher.AgentSession;
import io.skep.core.dispatcher.AssignmentMailbox;
import io.skep.core.dispatcher.DispatcherApi;
import io.skep.core.dispatcher.NetworkView;
import io.skep.core.dispatcher.NodeAssignments;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's dispatcher: the managers' dispatcher reached over the cluster port with mutual TLS. The session opens
 * in the background and reopens whenever the manager forgets it (it restarted, or another one leads), so a worker
 * keeps running its tasks while no manager answers and catches up when one does.
 */
public final class RemoteDispatcher implements DispatcherApi {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteDispatcher.class);
    /** Pauses between attempts while no manager answers: short at first, then at most this. */
    private static final Duration MAX_RETRY = Duration.ofSeconds(2);

    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    /**
     * The most task statuses one report carries (half a MB of JSON at most): a node with more sends several, and a
     * report stays far under the cluster port's body cap.
     */
    static final int MAX_STATUS_BATCH = 1000;

    /** What the managers tell a node about the swarm, beyond its tasks. */
    public interface Listener {
        /** The managers' addresses changed (the node keeps them for a restart). */
        void managers(List<String> managers);

        /** The role the swarm gives this node now ({@code worker} or {@code manager}), at each heartbeat. */
        void role(String role);

        /**
         * The root CAs the swarm trusts now (PEM) and the one whose certificates its nodes are to have, at each
         * heartbeat: a root rotation reaches a worker so.
         */
        default void rootCas(String trustRoots, String signingRoot) {}
    }

    private final ClusterClient client;
    private final Listener listener;
    private volatile Duration heartbeatPeriod = Defaults.HEARTBEAT_PERIOD;

    public RemoteDispatcher(ClusterClient client, Listener listener) {
        this.client = client;
        this.listener = listener;
    }

    /** The managers' addresses the leader sent, the leader's first. */
    private void learn(List<String> managers) {
        if (managers == null || managers.isEmpty() || managers.equals(client.managers())) {
            return;
        }
        client.managers(managers);
        try {
            listener.managers(List.copyOf(managers));
        } catch (RuntimeException e) {
            LOG.warn("cannot keep the managers' addresses: {}", e.toString());
        }
    }

    @Override
    public Duration heartbeatPeriod() {
        return heartbeatPeriod;
    }

    /** Opens the session in the background and returns at once; assignments come on the session's own thread. */
    @Override
    public AgentSession register(String nodeId, Node.Description description, Consumer<NodeAssignments> assignments) {
        Session s = new Session(description, assignments);
        s.start();
        return s;
    }

    private final class Session implements AgentSession {
        private final Node.Description description;
        private final Consumer<NodeAssignments> assignments;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition statusWaiting = lock.newCondition();
        /** Status not yet taken by a manager, latest per task (guarded by lock). */
        private final Map<String, Task.TaskStatus> pending = new LinkedHashMap<>();

        private final LatestStatus latest = new LatestStatus();
        private volatile String sessionId;
        private volatile boolean closed;
        private long sequence;
        /** The views of the networks of the set numbered {@link #sequence}, whole: the base of the next changes. */
        private List<NetworkView> views = List.of();

        private Thread poller;
        private Thread sender;

        Session(Node.Description description, Consumer<NodeAssignments> assignments) {
            this.description = description;
            this.assignments = assignments;
        }

        void start() {
            poller = Thread.ofVirtual().name("skep-session-assignments").start(this::pollAssignments);
            sender = Thread.ofVirtual().name("skep-session-status").start(this::sendStatus);
        }

        /** Opens a session when there is none, then fetches task sets, each as soon as it changes. */
        private void pollAssignments() {
            Duration retry = FIRST_RETRY;
            while (!closed) {
                try {
                    if (sessionId == null) {
                        open();
                        continue; // closed meanwhile, or fetch on the new session
                    }
                    AssignmentMailbox.Assignments a = client.get(
                            "/dispatcher/sessions/" + sessionId + "/assignments?after=" + sequence,
                            AssignmentMailbox.Assignments.class,
                            ClusterRoutes.LONG_POLL.plus(ClusterClient.CALL_TIMEOUT));
                    retry = FIRST_RETRY;
                    if (a.sequence() != sequence) {
                        List<NetworkView> networks;
                        if (a.changes() == null) {
                            networks = a.networks();
                        } else if (a.changes().base() == sequence) {
                            networks = a.changes().applyTo(views);
                        } else {
                            sequence = 0; // changes to views this node does not hold: fetch them whole
                            continue;
                        }
                        sequence = a.sequence();
                        views = networks;
                        latest.retainAssigned(a.tasks());
                        assignments.accept(new NodeAssignments(a.tasks(), networks));
                    }
                } catch (ClusterClient.CallFailed e) {
                    if (e.status() == 404) {
                        sessionId = null; // the manager forgot it: open a new one at once
                        continue;
                    }
                    LOG.warn("the managers refused this node's session: {}", e.getMessage());
                    retry = pause(retry);
                } catch (IOException e) {
                    if (!closed) {
                        LOG.debug("no manager answers: {}", e.getMessage());
                        retry = pause(retry);
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void open() throws IOException, InterruptedException {
            ClusterWire.SessionOpened opened =
                    client.post("/dispatcher/sessions", description, ClusterWire.SessionOpened.class);
            if (closed) {
                // Closed while the manager opened it: it would stand over the node's newer session.
                client.delete("/dispatcher/sessions/" + opened.sessionId(), Duration.ofSeconds(2));
                return;
            }
            heartbeatPeriod = Duration.ofNanos(opened.heartbeatPeriod());
            learn(opened.managers());
            sequence = 0;
            lock.lock();
            try {
                latest.forEach(pending::putIfAbsent); // the new session hears every task's latest status
                sessionId = opened.sessionId();
                statusWaiting.signalAll(); // and status held back while there was no session
            } finally {
                lock.unlock();
            }
            LOG.info("session {} open with the managers", sessionId);
        }

        @Override
        public void heartbeat() {
            String id = sessionId;
            if (id == null) {
                return; // the session is being opened: that says the node is alive
            }
            try {
                ClusterWire.HeartbeatAnswer a = client.post(
                        "/dispatcher/sessions/" + id + "/heartbeat", null, ClusterWire.HeartbeatAnswer.class);
                heartbeatPeriod = Duration.ofNanos(a.heartbeatPeriod());
                learn(a.managers());
                if (a.role() != null) {
                    listener.role(a.role());
                }
                if (a.trustRoots() != null && a.signingRoot() != null) {
                    listener.rootCas(a.trustRoots(), a.signingRoot());
                }
            } catch (ClusterClient.CallFailed e) {
                if (e.status() == 404) {
                    sessionId = null;
                }
                LOG.warn("heartbeat refused: {}", e.getMessage());
            } catch (IOException e) {
                LOG.warn("heartbeat not delivered: {}", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void updateTaskStatus(String taskId, Task.TaskStatus status) {
            if (status.timestamp == null) {
                status.timestamp = Ids.now();
            }
            lock.lock();
            try {
                pending.put(taskId, status);
                latest.put(taskId, status);
                statusWaiting.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Sends pending status in batches; what a manager did not take is sent again (newer status wins). */
        private void sendStatus() {
            Duration retry = FIRST_RETRY;
            while (!closed) {
                List<ClusterWire.StatusUpdate> batch = new ArrayList<>();
                String id;
                lock.lock();
                try {
                    while (!closed && (pending.isEmpty() || sessionId == null)) {
                        statusWaiting.await();
                    }
                    id = sessionId;
                    for (Map.Entry<String, Task.TaskStatus> e : pending.entrySet()) {
                        if (batch.size() == MAX_STATUS_BATCH) {
                            break; // the rest goes in the next report, at once
                        }
                        batch.add(new ClusterWire.StatusUpdate(e.getKey(), e.getValue()));
                    }
                } catch (InterruptedException e) {
                    return;
                } finally {
                    lock.unlock();
                }
                if (closed) {
                    return;
                }
                try {
                    client.post("/dispatcher/sessions/" + id + "/status", batch, Void.class);
                    retry = FIRST_RETRY;
                    lock.lock();
                    try {
                        batch.forEach(u -> pending.remove(u.taskId(), u.status()));
                    } finally {
                        lock.unlock();
                    }
                } catch (ClusterClient.CallFailed e) {
                    if (e.status() == 404 && id.equals(sessionId)) {
                        sessionId = null;
                    }
                    retry = pause(retry);
                } catch (IOException e) {
                    retry = pause(retry);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** Waits {@code retry} (unless closing) and returns the next, longer pause. */
        private Duration pause(Duration retry) {
            try {
                Thread.sleep(retry);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Duration next = retry.multipliedBy(2);
            return next.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : next;
        }

        /**
         * Ends the session with a goodbye first (the managers then give the node the whole heartbeat grace to come
         * back, as after a restart), then stops fetching.
         */
        @Override
        public void close() {
            closed = true;
            String id = sessionId;
            if (id != null) {
                try {
                    client.delete("/dispatcher/sessions/" + id, Duration.ofSeconds(2));
                } catch (IOException e) {
                    LOG.debug("session {} not closed on the manager: {}", id, e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (poller != null) {
                poller.interrupt();
                sender.interrupt();
            }
        }
    }
}

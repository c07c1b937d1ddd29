package io.skep.core.dispatcher;

import io.skep.api.model.Cluster;
import io.skep.api.model.Defaults;
import io.skep.api.model.Ids;
import io.skep.api.model.Json;
import io.skep.api.model.Kind;
import io.skep.api.model.Node;
import io.skep.api.model.Task;
import io.skep.core.reconcile.ReconcileLoop;
import io.skep.core.reconcile.StoreWriter;
import io.skep.core.reconcile.Ticker;
import io.skep.core.store.Batch;
import io.skep.core.store.NodePatch;
import io.skep.core.store.StoreEvent;
import io.skep.core.store.TaskPatch;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's end of agent sessions: node registration and liveness, task assignments out, task status
 * in. Status reports are merged and written in batches (one Raft entry per pass), as swarmkit's
 * dispatcher does.
 */
public final class Dispatcher extends ReconcileLoop implements DispatcherApi {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /** Swarm's: a node is down after 3 missed heartbeats. */
    private static final int GRACE_MULTIPLIER = 3;
    /** How long a remote node whose session connection dropped has to come back before it is down. */
    static final Duration CONNECTION_GRACE = Duration.ofSeconds(1);
    /** A session's {@code lostAt} while its connection is up (any ticker value may be a real time). */
    private static final long NOT_LOST = Long.MIN_VALUE;

    private final StoreWriter store;
    /** What heartbeats and lost connections are timed with. */
    private final Ticker ticker;

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** The views of the networks sent to the nodes, built anew each pass. */
    private final NetworkViews views = new NetworkViews();

    private final Map<String, Task.TaskStatus> pendingStatus = new LinkedHashMap<>();
    /** Registrations (a node's description and readiness) the store refused, by node ID. */
    private final Map<String, NodePatch> pendingRegistrations = new LinkedHashMap<>();
    /** Whether this dispatcher ran a pass yet, and when the first began: nodes get a grace period to open a session. */
    private boolean started;

    private long startedAt;
    /**
     * Each node's last sign of life (ticker nanos): registration or heartbeat. Kept when its session ends, so a node that
     * closed its session (a restart) has the whole heartbeat grace to come back.
     */
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();

    public Dispatcher(StoreWriter store) {
        this(store, Ticker.SYSTEM);
    }

    public Dispatcher(StoreWriter store, Ticker ticker) {
        super("dispatcher");
        this.store = store;
        this.ticker = ticker;
    }

    /** The swarm's {@code Dispatcher.HeartbeatPeriod} as it is now (agents ask before each heartbeat). */
    @Override
    public Duration heartbeatPeriod() {
        Cluster c = store.memory().cluster();
        return c == null ? Defaults.HEARTBEAT_PERIOD : c.heartbeatPeriod();
    }

    @Override
    public AgentSession register(String nodeId, Node.Description description, Consumer<NodeAssignments> assignments) {
        NodePatch patch = new NodePatch();
        patch.description = description;
        patch.status = new Node.Status();
        patch.status.state = "ready";
        Node known = store.memory().get(Kind.NODE, nodeId);
        patch.status.addr = known != null && known.status.addr != null ? known.status.addr : "127.0.0.1";
        try {
            store.commit(new Batch().patchNode(nodeId, patch));
            synchronized (pendingRegistrations) {
                pendingRegistrations.remove(nodeId); // an older one the store refused must not follow this one
            }
        } catch (IOException e) {
            // The session opens all the same: a registration the store refused (no quorum for a moment, as right
            // after an election) is written on a later pass. Refusing the session would leave a node whose agent
            // shares this process without one until the next change of leader.
            LOG.warn("node {} registered; its description is written on a later pass: {}", nodeId, e.toString());
            synchronized (pendingRegistrations) {
                pendingRegistrations.put(nodeId, patch);
            }
        }
        Session session = new Session(nodeId, assignments);
        lastSeen.put(nodeId, ticker.nanos());
        Session previous = sessions.put(nodeId, session);
        if (previous != null) {
            previous.closed = true;
        }
        wake();
        LOG.info("node {} registered", nodeId);
        return session;
    }

    @Override
    protected boolean interested(List<StoreEvent> events) {
        return events.stream().anyMatch(e -> e.kind() == Kind.TASK && ((Task) e.object()).nodeId != null);
    }

    @Override
    protected void reconcile() throws Exception {
        flush(pendingRegistrations, Batch::patchNode);
        flush(pendingStatus, (batch, taskId, status) -> batch.patchTask(taskId, TaskPatch.status(status)));
        checkHeartbeats();
        views.startPass(store.memory());
        for (Session s : sessions.values()) {
            s.push();
        }
        wakeIn(heartbeatPeriod());
    }

    /** How a pending write of one object goes into a batch. */
    private interface PendingWrite<V> {
        void addTo(Batch batch, String id, V value);
    }

    /**
     * Writes what {@code pending} holds (reported since the last pass). A node hears nothing back of a report it
     * made (its task runs on, and it reports again only when the state changes), so what a failed write held is
     * kept for the next pass, unless a newer report for the same object came meanwhile.
     */
    private <V> void flush(Map<String, V> pending, PendingWrite<V> write) throws IOException {
        Map<String, V> taken;
        synchronized (pending) {
            taken = new LinkedHashMap<>(pending);
            pending.clear();
        }
        Batch batch = new Batch();
        taken.forEach((id, value) -> write.addTo(batch, id, value));
        boolean written = false;
        try {
            store.commit(batch);
            written = true;
        } finally {
            if (!written) {
                synchronized (pending) {
                    taken.forEach(pending::putIfAbsent);
                }
            }
        }
    }

    /**
     * Marks down the nodes that missed their heartbeats (three periods without a sign of life; a node never seen by
     * this dispatcher counts from its start, so a node whose session was with a manager that stopped gets the same
     * grace), and those whose session connection dropped without a goodbye and did not come back within
     * {@link #CONNECTION_GRACE}.
     */
    private void checkHeartbeats() throws IOException {
        long now = ticker.nanos();
        if (!started) {
            started = true;
            startedAt = now;
        }
        long grace = heartbeatPeriod().toNanos() * GRACE_MULTIPLIER;
        Batch batch = new Batch();
        for (Node node : store.memory().nodes()) {
            Session s = sessions.get(node.id);
            long lost = s == null ? NOT_LOST : s.lostAt;
            if (lost != NOT_LOST && now - lost > CONNECTION_GRACE.toNanos()) {
                markDown(node.id, "connection lost", batch);
            } else if (now - lastSeen.getOrDefault(node.id, startedAt) > grace) {
                markDown(node.id, "heartbeat failure", batch);
            }
        }
        store.commit(batch);
    }

    private void markDown(String nodeId, String why, Batch batch) {
        if (setState(nodeId, "down", why, batch)) {
            LOG.warn("node {} is down: {}", nodeId, why);
        }
    }

    /** Adds to {@code batch} a node's new state and message, unless it is in that state already; says whether. */
    private boolean setState(String nodeId, String state, String message, Batch batch) {
        Node node = store.memory().get(Kind.NODE, nodeId);
        if (node == null || state.equals(node.status.state)) {
            return false;
        }
        NodePatch p = new NodePatch();
        p.status = Json.copy(node.status);
        p.status.state = state;
        p.status.message = message;
        batch.patchNode(nodeId, p);
        return true;
    }

    private final class Session implements AgentSession {
        private final String nodeId;
        private final Consumer<NodeAssignments> listener;
        private volatile boolean closed;
        /** When the connection of the latest fetch dropped (ticker nanos), or {@link #NOT_LOST}. */
        private volatile long lostAt = NOT_LOST;

        private NodeAssignments lastSent;

        Session(String nodeId, Consumer<NodeAssignments> listener) {
            this.nodeId = nodeId;
            this.listener = listener;
        }

        /**
         * Sends the node's tasks and the views of their networks if they changed since the last push. Runs on the
         * dispatcher's thread.
         */
        void push() {
            if (closed) {
                return;
            }
            List<Task> tasks = new ArrayList<>(store.memory().tasksOfNode(nodeId));
            tasks.sort(java.util.Comparator.comparing(t -> t.id));
            NodeAssignments next = new NodeAssignments(tasks, views.forNode(tasks));
            if (lastSent != null
                    && sameAssignments(lastSent.tasks(), next.tasks())
                    && sameViews(lastSent.networks(), next.networks())) {
                return;
            }
            lastSent = next;
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                LOG.warn("node {} did not take its assignments: {}", nodeId, e.toString());
            }
        }

        /** The same views: {@link NetworkViews} hands out a view equal to the last pass's as that very object. */
        private static boolean sameViews(List<NetworkView> a, List<NetworkView> b) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i) != b.get(i)) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Whether a node would learn nothing new: the same tasks, each with the same desired state. A task's spec never
         * changes, and the status a node reports itself is no news to it — sending the set back on each report would
         * cost the leader most of its time in a busy swarm.
         */
        private static boolean sameAssignments(List<Task> a, List<Task> b) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!a.get(i).id.equals(b.get(i).id)
                        || !java.util.Objects.equals(a.get(i).desiredState, b.get(i).desiredState)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void polling() {
            lostAt = NOT_LOST;
        }

        @Override
        public boolean replaced() {
            return closed && sessions.get(nodeId) != this;
        }

        @Override
        public void connectionLost() {
            if (!closed) {
                lostAt = ticker.nanos();
                wakeIn(CONNECTION_GRACE.plusMillis(10));
            }
        }

        @Override
        public void heartbeat() {
            lastSeen.put(nodeId, ticker.nanos());
            lostAt = NOT_LOST;
            Batch batch = new Batch();
            if (setState(nodeId, "ready", null, batch)) {
                try {
                    store.commit(batch);
                } catch (IOException e) {
                    LOG.warn("cannot mark node {} ready: {}", nodeId, e.toString());
                }
            }
        }

        @Override
        public void updateTaskStatus(String taskId, Task.TaskStatus status) {
            if (status.timestamp == null) {
                status.timestamp = Ids.now();
            }
            synchronized (pendingStatus) {
                pendingStatus.put(taskId, status);
            }
            wake();
        }

        @Override
        public void close() {
            closed = true;
            sessions.remove(nodeId, this);
        }
    }
}

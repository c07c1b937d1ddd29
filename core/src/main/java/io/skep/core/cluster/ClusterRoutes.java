package io.skep.core.cluster;

import io.skep.api.model.Cluster;
import io.skep.api.model.Ids;
import io.skep.api.model.Kind;
import io.skep.api.model.Node;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.core.api.ApiException;
import io.skep.core.api.ApiRequest;
import io.skep.core.api.ApiResponse;
import io.skep.core.api.FieldChecks;
import io.skep.core.api.RequestLimits;
import io.skep.core.api.Router;
import io.skep.core.ca.CertificateAuthority;
import io.skep.core.dispatcher.AgentSession;
import io.skep.core.dispatcher.AssignmentMailbox;
import io.skep.core.dispatcher.Dispatcher;
import io.skep.core.manager.Manager;
import io.skep.core.tls.PeerIdentity;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What a manager answers on its cluster port, the node-to-node API over TLS:
 * <ul>
 *   <li>{@code GET /ca} and {@code POST /join}: for nodes without a certificate yet (the root CA, whose digest the
 *   node checks against its token; then admission with the token and a certificate request);</li>
 *   <li>{@code POST /certificates/renew} and {@code /dispatcher/...}: for members only, known by their certificate
 *   (node ID, role and swarm); a node that was removed from the swarm is refused, whatever its certificate.</li>
 * </ul>
 */
public final class ClusterRoutes {
    /** How long a fetch of assignments waits for a change before it answers "no change". */
    static final Duration LONG_POLL = Duration.ofSeconds(20);

    private final Supplier<Manager> manager;
    private final Map<String, RemoteSession> sessions = new ConcurrentHashMap<>();

    /** A remote node's dispatcher session, as this manager holds it; {@code connection}: the connection of the node's latest fetch (its close means the node is gone). */
    private record RemoteSession(
            String nodeId,
            AgentSession session,
            AssignmentMailbox mailbox,
            java.util.concurrent.atomic.AtomicReference<CompletionStage<Void>> connection) {}

    /** @param manager this node's manager, once it runs (calls before are answered 503) */
    public ClusterRoutes(Supplier<Manager> manager) {
        this.manager = manager;
    }

    public Router router() {
        return new Router()
                .add("GET", "/ca", r -> ApiResponse.ok(new ClusterWire.RootCaAnswer(ca().rootCaPem())))
                .add("POST", "/join", this::join)
                .add("POST", "/certificates/renew", this::renew)
                .add("POST", "/raft/members", this::addRaftMember)
                .add("GET", "/raft/key", this::dataKey)
                .add("POST", "/dispatcher/sessions", leaderOnly(this::openSession))
                .add("POST", "/dispatcher/sessions/{id}/heartbeat", leaderOnly(this::heartbeat))
                .add("GET", "/dispatcher/sessions/{id}/assignments", leaderOnly(this::assignments))
                .add("POST", "/dispatcher/sessions/{id}/status", leaderOnly(this::status))
                .add("DELETE", "/dispatcher/sessions/{id}", leaderOnly(this::closeSession));
    }

    /** The header of a 421 answer that names the leader's cluster address, where the node should go. */
    public static final String LEADER_HEADER = "Skep-Leader";

    /**
     * The dispatcher runs on the leader only: elsewhere a call is answered 421 with the leader's cluster address (or
     * 503 during an election), and the node goes there.
     */
    private Router.Route leaderOnly(Router.Route route) {
        return request -> {
            if (manager().dispatcher() != null) {
                return route.handle(request);
            }
            String leader = leaderAddr();
            if (leader == null) {
                return ApiResponse.error(503, "the swarm has no leader right now (an election is on)");
            }
            return ApiResponse.error(421, "this manager does not lead the swarm; its leader is at " + leader)
                    .withHeader(LEADER_HEADER, leader);
        };
    }

    /** The leader's cluster address, or null when none is known. */
    private String leaderAddr() {
        String id = manager().raft().leaderId();
        Node leader = id == null ? null : manager().memory().get(Kind.NODE, id);
        return leader == null || leader.managerStatus == null ? null : leader.managerStatus.addr;
    }

    /** The managers' cluster addresses, the leader's first: what a worker should try, in order. */
    private java.util.List<String> managerAddrs() {
        java.util.List<String> out = new java.util.ArrayList<>();
        String leader = leaderAddr();
        if (leader != null) {
            out.add(leader);
        }
        for (Node n : manager().memory().nodes()) {
            if (n.managerStatus != null && n.managerStatus.addr != null && !out.contains(n.managerStatus.addr)) {
                out.add(n.managerStatus.addr);
            }
        }
        return out;
    }

    /**
     * A manager that joined (its certificate says so, and the store has it as one) becomes a member of the Raft
     * group; answers once the new membership is committed. Manager-only: a worker's certificate is refused.
     */
    private ApiResponse addRaftMember(ApiRequest request) throws Exception {
        PeerIdentity peer = manager(request, "only managers join the Raft group");
        ClusterWire.RaftMember m = request.body(ClusterWire.RaftMember.class, "Raft member");
        Node node = manager().memory().get(Kind.NODE, peer.nodeId());
        if (!peer.nodeId().equals(m.id())
                || m.addr() == null
                || !m.addr().matches(".+:\\d+")
                || m.clusterAddr() == null
                || !m.clusterAddr().matches(".+:\\d+")) {
            throw ApiException.badRequest(
                    "invalid Raft member: Id must be the caller's node ID, Addr and ClusterAddr " + "host:port");
        }
        if (node.managerStatus == null || !m.clusterAddr().equals(node.managerStatus.addr)) {
            // a promoted worker: the swarm learns where its cluster port is
            io.skep.core.store.NodePatch p = new io.skep.core.store.NodePatch();
            p.managerStatus = new Node.ManagerStatus();
            p.managerStatus.reachability = "unknown";
            p.managerStatus.addr = m.clusterAddr();
            manager().commit(new io.skep.core.store.Batch().patchNode(node.id, p));
        }
        manager().raft().addMember(new io.skep.core.store.RaftStore.Member(m.id(), m.addr()));
        return ApiResponse.empty(204);
    }

    /**
     * The store's data key, for a manager that joins or is promoted: its Raft member opens every entry with it.
     * Manager-only, as the Raft port: the key opens everything the store holds.
     */
    private ApiResponse dataKey(ApiRequest request) {
        manager(request, "only managers hold the store's key");
        return ApiResponse.ok(new ClusterWire.DataKeyAnswer(java.util.Base64.getEncoder()
                .encodeToString(manager().raft().dataKey().raw())));
    }

    /** A caller that is a member, a manager by its certificate, and a manager in the swarm's books now. */
    private PeerIdentity manager(ApiRequest request, String why) {
        PeerIdentity peer = member(request);
        Node node = manager().memory().get(Kind.NODE, peer.nodeId());
        if (!peer.isManager() || !"manager".equals(node.spec.role)) {
            throw new ApiException(403, "node " + peer.nodeId() + " is not a manager: " + why);
        }
        return peer;
    }

    /** Ends every remote session (the manager is stopping): waiting fetches answer at once. */
    public void close() {
        sessions.values().forEach(s -> {
            s.mailbox().close();
            s.session().close();
        });
        sessions.clear();
    }

    private CertificateAuthority ca() {
        return manager().certificateAuthority();
    }

    private ApiResponse join(ApiRequest request) throws Exception {
        CertificateAuthority.JoinRequest join = request.body(CertificateAuthority.JoinRequest.class, "join request");
        FieldChecks.text(join.token(), RequestLimits.NAME_LENGTH, "Token");
        FieldChecks.text(join.nodeId(), RequestLimits.NAME_LENGTH, "NodeId");
        FieldChecks.text(join.availability(), RequestLimits.NAME_LENGTH, "Availability");
        FieldChecks.text(join.addr(), RequestLimits.NAME_LENGTH, "Addr");
        FieldChecks.text(join.clusterAddr(), RequestLimits.NAME_LENGTH, "ClusterAddr");
        checkDescription(join.description(), "Description.");
        checkCsr(join.csr());
        try {
            return ApiResponse.ok(ca().join(join));
        } catch (CertificateAuthority.Refused e) {
            throw new ApiException(403, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        } catch (IllegalStateException e) {
            throw ApiException.conflict(e.getMessage());
        }
    }

    private ApiResponse renew(ApiRequest request) throws java.io.IOException {
        PeerIdentity peer = member(request);
        String csr =
                request.body(ClusterWire.RenewRequest.class, "renewal request").csr();
        checkCsr(csr);
        try {
            return ApiResponse.ok(ca().renew(peer, csr));
        } catch (CertificateAuthority.Refused e) {
            throw new ApiException(403, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** A new session: what the node says of itself; the answer names the session and the heartbeat period. */
    private ApiResponse openSession(ApiRequest request) {
        PeerIdentity peer = member(request);
        Node.Description description = request.body(Node.Description.class, "node description");
        checkDescription(description, "");
        AssignmentMailbox mailbox = new AssignmentMailbox();
        AgentSession session = dispatcher().register(peer.nodeId(), description, mailbox);
        String id = Ids.newId();
        // The node's earlier session (the dispatcher has replaced it): its waiting fetch ends.
        for (Map.Entry<String, RemoteSession> e : sessions.entrySet()) {
            if (e.getValue().nodeId().equals(peer.nodeId()) && sessions.remove(e.getKey(), e.getValue())) {
                e.getValue().mailbox().close();
            }
        }
        sessions.put(
                id,
                new RemoteSession(
                        peer.nodeId(), session, mailbox, new java.util.concurrent.atomic.AtomicReference<>()));
        return ApiResponse.ok(
                new ClusterWire.SessionOpened(id, dispatcher().heartbeatPeriod().toNanos(), managerAddrs()));
    }

    private ApiResponse heartbeat(ApiRequest request) {
        RemoteSession s = session(request);
        s.session().heartbeat();
        Node node = manager().memory().get(Kind.NODE, s.nodeId());
        Cluster c = manager().memory().cluster();
        return ApiResponse.ok(new ClusterWire.HeartbeatAnswer(
                dispatcher().heartbeatPeriod().toNanos(),
                managerAddrs(),
                node == null ? null : node.spec.role,
                c == null ? null : c.trustRootsPem(),
                c == null ? null : c.signingRoot().caCert));
    }

    /**
     * {@code ?after=N}: waits for a task set newer than N, up to {@link #LONG_POLL}. A node always has one such fetch
     * open: if its connection drops, the dispatcher hears of it (a crashed node is found in a second).
     */
    private ApiResponse assignments(ApiRequest request) throws InterruptedException {
        RemoteSession s = session(request);
        s.session().polling();
        CompletionStage<Void> connection = request.connectionClosed();
        if (s.connection().getAndSet(connection) != connection) {
            // Once per connection (fetches on a kept-alive connection share it): its close counts only while it
            // still carries the node's latest fetch.
            connection.thenRun(() -> {
                if (s.connection().get() == connection) {
                    s.session().connectionLost();
                }
            });
        }
        long after;
        try {
            after = Long.parseLong(request.query("after") == null ? "0" : request.query("after"));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid after \"" + request.query("after") + "\": expected a number");
        }
        AssignmentMailbox.Assignments a = s.mailbox().await(after, LONG_POLL);
        if (s.mailbox().isClosed()) {
            throw ApiException.notFound("session ended: open a new one");
        }
        return ApiResponse.ok(a);
    }

    private ApiResponse status(ApiRequest request) {
        member(request); // before its body is read
        ClusterWire.StatusUpdate[] updates = request.body(ClusterWire.StatusUpdate[].class, "task status list");
        for (int i = 0; i < updates.length; i++) {
            checkStatus(updates[i], "[" + i + "]");
        }
        RemoteSession s = session(request);
        for (ClusterWire.StatusUpdate u : updates) {
            io.skep.api.model.Task task = manager().memory().get(Kind.TASK, u.taskId());
            if (task == null || !s.nodeId().equals(task.nodeId)) {
                continue; // a task removed meanwhile, or not this node's: nothing to report on
            }
            s.session().updateTaskStatus(u.taskId(), u.status());
        }
        return ApiResponse.empty(204);
    }

    /**
     * A certificate request the CA can read, checked before the CA takes it: the PEM reader throws more than
     * {@link IllegalArgumentException} on bad input (Bouncy Castle's base64 decoder an {@link IllegalStateException}).
     */
    private static void checkCsr(String csr) {
        FieldChecks.text(csr, RequestLimits.VALUE_LENGTH, "Csr");
        try {
            io.skep.core.pki.CertificateRequest.verifiedKey(csr);
        } catch (IllegalArgumentException e) {
            throw FieldChecks.invalid("Csr", e.getMessage());
        } catch (RuntimeException e) {
            throw FieldChecks.invalid("Csr", "not a readable certificate request: " + e.getMessage());
        }
    }

    /**
     * What a node says of itself (on joining, on opening a session): kept in the store and shown by the API, so its
     * strings and lists are bounded as a spec's are.
     */
    private static void checkDescription(Node.Description d, String prefix) {
        if (d == null) {
            return;
        }
        FieldChecks.text(d.hostname, RequestLimits.NAME_LENGTH, prefix + "Hostname");
        if (d.platform != null) {
            FieldChecks.text(d.platform.architecture, RequestLimits.NAME_LENGTH, prefix + "Platform.Architecture");
            FieldChecks.text(d.platform.OS, RequestLimits.NAME_LENGTH, prefix + "Platform.OS");
        }
        if (d.resources != null) {
            FieldChecks.nonNegative(d.resources.nanoCPUs, prefix + "Resources.NanoCPUs");
            FieldChecks.nonNegative(d.resources.memoryBytes, prefix + "Resources.MemoryBytes");
        }
        if (d.engine != null) {
            FieldChecks.text(d.engine.engineVersion, RequestLimits.NAME_LENGTH, prefix + "Engine.EngineVersion");
            FieldChecks.labels(d.engine.labels, prefix + "Engine.Labels");
            if (d.engine.plugins != null) {
                FieldChecks.entries(d.engine.plugins.size(), prefix + "Engine.Plugins");
                for (int i = 0; i < d.engine.plugins.size(); i++) {
                    Node.PluginDescription p = d.engine.plugins.get(i);
                    String field = prefix + "Engine.Plugins[" + i + "]";
                    if (p == null) {
                        throw FieldChecks.invalid(field, "a plugin is an object, got null");
                    }
                    FieldChecks.text(p.type, RequestLimits.NAME_LENGTH, field + ".Type");
                    FieldChecks.text(p.name, RequestLimits.NAME_LENGTH, field + ".Name");
                }
            }
        }
    }

    /**
     * One task status a node reports: its state must be one of the task states (the store moves a task's state
     * forward by it) and its time a timestamp (the orchestrator reads it).
     */
    private static void checkStatus(ClusterWire.StatusUpdate u, String prefix) {
        if (u == null || u.taskId() == null || u.status() == null) {
            throw ApiException.badRequest("invalid task status " + prefix + ": TaskId and Status are required");
        }
        FieldChecks.text(u.taskId(), RequestLimits.NAME_LENGTH, prefix + "TaskId");
        Task.TaskStatus st = u.status();
        try {
            if (st.state == null || TaskState.fromWire(st.state) == null) {
                throw new IllegalArgumentException("none");
            }
        } catch (IllegalArgumentException e) {
            throw FieldChecks.invalid(
                    prefix + "Status.State",
                    "expected a task state (new, pending, ... running, "
                            + "complete, shutdown, failed, rejected, remove, orphaned), got "
                            + FieldChecks.shown(st.state));
        }
        if (st.timestamp != null) {
            try {
                java.time.Instant.parse(st.timestamp);
            } catch (java.time.format.DateTimeParseException e) {
                throw FieldChecks.invalid(
                        prefix + "Status.Timestamp",
                        "expected an RFC 3339 time, got " + FieldChecks.shown(st.timestamp));
            }
        }
        FieldChecks.text(st.message, RequestLimits.VALUE_LENGTH, prefix + "Status.Message");
        FieldChecks.text(st.err, RequestLimits.VALUE_LENGTH, prefix + "Status.Err");
        if (st.containerStatus != null) {
            FieldChecks.text(
                    st.containerStatus.containerId,
                    RequestLimits.NAME_LENGTH,
                    prefix + "Status.ContainerStatus.ContainerID");
        }
    }

    private ApiResponse closeSession(ApiRequest request) {
        RemoteSession s = session(request);
        sessions.remove(request.param("id"));
        s.mailbox().close();
        s.session().close();
        return ApiResponse.empty(204);
    }

    private Manager manager() {
        Manager m = manager.get();
        if (m == null) {
            throw ApiException.unavailable("this manager is still starting");
        }
        return m;
    }

    /** This manager's dispatcher (the routes that use it are {@link #leaderOnly}). */
    private Dispatcher dispatcher() {
        Dispatcher d = manager().dispatcher();
        if (d == null) {
            throw ApiException.unavailable("this manager stopped leading the swarm: try again");
        }
        return d;
    }

    /** The session named in the path, which must be the caller's own; 404 tells the node to open a new one. */
    private RemoteSession session(ApiRequest request) {
        PeerIdentity peer = member(request);
        RemoteSession s = sessions.get(request.param("id"));
        if (s == null || !s.nodeId().equals(peer.nodeId())) {
            throw ApiException.notFound(
                    "no session " + request.param("id") + " for node " + peer.nodeId() + ": open a new one");
        }
        return s;
    }

    /**
     * The caller, who must have shown a certificate of this swarm (the TLS layer checked it is the CA's) and still be
     * a member: a node removed from the swarm cannot come back with its old certificate.
     */
    private PeerIdentity member(ApiRequest request) {
        PeerIdentity peer = request.peer();
        if (peer == null) {
            throw new ApiException(401, "a node certificate of this swarm is required");
        }
        Cluster c = manager().memory().cluster();
        if (c == null || !c.id.equals(peer.clusterId())) {
            throw new ApiException(403, "node " + peer.nodeId() + " belongs to another swarm");
        }
        if (c.removed(peer.nodeId()) || manager().memory().get(Kind.NODE, peer.nodeId()) == null) {
            throw new ApiException(403, "node " + peer.nodeId() + " is not a member of this swarm");
        }
        return peer;
    }
}

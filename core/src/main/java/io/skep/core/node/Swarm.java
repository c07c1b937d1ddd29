package io.skep.core.node;

import io.skep.api.model.Node;
import io.skep.api.model.SwarmInitRequest;
import io.skep.api.model.SwarmJoinRequest;
import io.skep.core.agent.Agent;
import io.skep.core.api.ApiServer;
import io.skep.core.api.ControlApi;
import io.skep.core.api.Membership;
import io.skep.core.ca.CertificateAuthority;
import io.skep.core.cluster.ClusterClient;
import io.skep.core.cluster.ClusterRoutes;
import io.skep.core.cluster.FollowLeaderDispatcher;
import io.skep.core.cluster.RemoteDispatcher;
import io.skep.core.manager.Manager;
import io.skep.core.pki.NodeCertificate;
import io.skep.core.store.Batch;
import io.skep.core.store.RaftStore;
import io.skep.core.tls.NodeTls;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in a swarm: its certificate and keys, its cluster port and manager (a manager), or its session
 * with the managers (a worker), and its agent; and how each of them starts and stops. The steps of the node's life in
 * a swarm are classes of their own, each changing these parts under this object's lock: {@link SwarmInit} (init and
 * the forced new cluster), {@link SwarmJoin}, {@link SwarmLeave}, {@link CertificateRenewal} and {@link RoleChanges}
 * (promotion, demotion, autolock). The {@link Daemon} owns the process around it: the data directory's lock, the
 * runtimes, the control API.
 */
final class Swarm implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Swarm.class);
    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(60);
    /** How long a restarted manager waits for a leader before it serves anyway. */
    private static final Duration LEADER_WAIT = Duration.ofSeconds(5);

    final Daemon daemon;
    final DaemonConfig config;

    // The node's running parts: changed by the lifecycle's steps of this package, under this object's lock.
    volatile Manager manager;
    Agent agent;
    /** This node's certificate in use: the cluster port's and the cluster client's (null outside a swarm). */
    NodeTls tls;
    /** This node's keys as kept in its data directory (null outside a swarm, and while it is locked). */
    NodeKeys.Keys keys;
    /** The swarm this node is in, while it waits for its unlock key (autolock), or null. */
    volatile NodeFiles.SwarmState locked;
    /** A manager's cluster port (the CA and the dispatcher for other nodes), or null. */
    private ApiServer clusterPort;

    private ClusterRoutes clusterRoutes;
    /** A worker's client of the managers' cluster ports (a manager's too: its agent's), or null. */
    ClusterClient clusterClient;

    volatile Membership membership;

    final CertificateRenewal renewal = new CertificateRenewal(this);
    final RoleChanges roles = new RoleChanges(this);

    Swarm(Daemon daemon, DaemonConfig config) {
        this.daemon = daemon;
        this.config = config;
    }

    /**
     * Takes up the swarm this node was in before it stopped, if any (from its data directory). A manager of an
     * autolocked swarm cannot open its keys yet: it stays {@link #isLocked() locked} until {@link #unlock}.
     */
    synchronized void recover() throws Exception {
        Path dataDir = config.dataDir();
        NodeFiles.SwarmState swarm = NodeFiles.swarm(dataDir);
        if (swarm == null) {
            return;
        }
        if (NodeKeys.locked(dataDir)) {
            locked = swarm;
            LOG.warn("the swarm is autolocked: this manager starts once it is unlocked (skep swarm unlock)");
            return;
        }
        try {
            resume(swarm, NodeKeys.read(dataDir));
        } catch (NodeKeys.LockedException cannotBe) {
            throw new IllegalStateException(cannotBe); // checked just before
        }
    }

    /** Whether this node waits for the swarm's unlock key. */
    boolean isLocked() {
        return locked != null;
    }

    /**
     * Opens this manager's keys with the swarm's unlock key and takes up its swarm.
     *
     * @throws NodeKeys.WrongKeyException when they are not encrypted under {@code unlockKey}
     */
    synchronized void unlock(io.skep.core.pki.UnlockKey unlockKey) throws Exception {
        NodeFiles.SwarmState swarm = locked;
        if (swarm == null) {
            throw new IllegalStateException("swarm is not locked");
        }
        NodeKeys.Keys opened = NodeKeys.unlock(config.dataDir(), unlockKey);
        resume(swarm, opened);
        locked = null;
        LOG.info("swarm unlocked: this manager starts");
    }

    /** Starts this node's part in {@code swarm} with its keys: the manager and cluster port, or the worker. */
    private void resume(NodeFiles.SwarmState swarm, NodeKeys.Keys opened) throws Exception {
        keys = opened;
        tls = new NodeTls(opened.certificate(), opened.roots());
        if (swarm.isManager()) {
            openClusterPort(Addresses.parse(
                    "ListenAddr", swarm.listenAddr() == null ? config.listenAddr() : swarm.listenAddr()));
            startManager(swarm, RaftStart.RECOVER, null, null);
        } else {
            startWorker(swarm);
        }
        renewal.schedule();
    }

    Manager manager() {
        return manager;
    }

    Membership membership() {
        return membership;
    }

    /** Creates a swarm with this node as its only manager (swarm init); returns the node ID. */
    synchronized String initSwarm(SwarmInitRequest request) throws Exception {
        return new SwarmInit(this).init(request);
    }

    /** {@code swarm init --force-new-cluster} on a manager: see {@link SwarmInit#forceNewCluster()}. */
    synchronized String forceNewCluster() throws Exception {
        return new SwarmInit(this).forceNewCluster();
    }

    /** Joins a swarm through one of its managers, as the worker or manager its token says. */
    synchronized void joinSwarm(SwarmJoinRequest request) throws Exception {
        new SwarmJoin(this).join(request);
    }

    /** Leaves the swarm: see {@link SwarmLeave#leave()}. */
    synchronized void leaveSwarm() throws Exception {
        new SwarmLeave(this).leave();
    }

    /** See {@link CertificateRenewal#renewIfDue(Instant)}. */
    boolean renewCertificateIfDue(Instant now) {
        return renewal.renewIfDue(now);
    }

    /** What this node says of itself to the dispatcher. */
    Node.Description describe() {
        Node.Description d =
                ControlApi.describe(daemon, daemon.runtimes().keySet().stream().toList());
        NodeKeys.Keys k = keys;
        if (k != null) {
            // Which root its certificate is of: the swarm's books wait on it during a root rotation.
            for (java.security.cert.X509Certificate root : k.roots()) {
                if (k.certificate().issuedBy(root)) {
                    d.tlsInfo = CertificateAuthority.tlsInfo(NodeCertificate.pemOf(root));
                }
            }
        }
        return d;
    }

    /** The store's data key, from one of {@code managers}, asked with this node's manager certificate. */
    io.skep.core.store.DataKey dataKeyFrom(List<String> managers) throws IOException, InterruptedException {
        try (ClusterClient client = new ClusterClient(tls.clientContext(), managers)) {
            return client.dataKey();
        }
    }

    /** The request's {@code ListenAddr}, or the daemon's {@code --listen-addr}; a bad one is refused, naming it. */
    InetSocketAddress listenAddress(String requested) throws SwarmStateException {
        String given = requested == null ? "" : requested;
        try {
            return Addresses.parse(
                    given.isBlank() ? "--listen-addr" : "ListenAddr", given.isBlank() ? config.listenAddr() : given);
        } catch (IllegalArgumentException e) {
            throw new SwarmStateException(SwarmStateException.Kind.INVALID_ARGUMENT, "invalid " + e.getMessage());
        }
    }

    /**
     * Binds the cluster port (the CA and the dispatcher for other nodes); its routes wait for the manager.
     *
     * @throws SwarmStateException when it cannot listen there ({@code ListenAddr})
     */
    InetSocketAddress openClusterPort(InetSocketAddress listen) throws SwarmStateException {
        clusterRoutes = new ClusterRoutes(() -> manager);
        clusterPort = new ApiServer(clusterRoutes.router(), Map.of("Server", "skep/" + daemon.version() + " (linux)"));
        try {
            InetSocketAddress bound = clusterPort.listen(listen, tls.clusterServer());
            LOG.info("cluster port listening on {}", hostPort(bound));
            return bound;
        } catch (Exception e) {
            closeClusterPort();
            String reason = e instanceof java.net.BindException || e.getCause() instanceof java.net.BindException
                    ? "address already in use"
                    : e.toString();
            throw new SwarmStateException(
                    SwarmStateException.Kind.INVALID_ARGUMENT,
                    "cannot listen on " + hostPort(listen) + " (ListenAddr): " + reason);
        }
    }

    void closeClusterPort() {
        if (clusterRoutes != null) {
            clusterRoutes.close();
            clusterRoutes = null;
        }
        if (clusterPort != null) {
            clusterPort.close();
            clusterPort = null;
        }
    }

    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * Starts this node's agent with {@code dispatcher}. On failure the agent lets go of the runtimes without closing
     * them: they are the node's, for its next swarm.
     */
    private void startAgent(io.skep.core.dispatcher.DispatcherApi dispatcher, NodeFiles.SwarmState swarm) {
        Agent a = new Agent(
                daemon.nodeId(),
                describe(),
                daemon.runtimes(),
                daemon.defaultRuntime(),
                dispatcher,
                NetworkDrivers.open(
                        daemon.plugins(), daemon.nodeId(), config.dataDir(), Addresses.host(swarm.advertiseAddr())));
        try {
            a.start();
        } catch (RuntimeException e) {
            a.detach();
            throw e;
        }
        agent = a;
    }

    /** A worker: the agent, with the managers' dispatcher reached over mutual TLS. */
    void startWorker(NodeFiles.SwarmState swarm) {
        clusterClient = new ClusterClient(tls.clientContext(), swarm.managers());
        try {
            startAgent(new RemoteDispatcher(clusterClient, roles.sessionListener), swarm);
        } catch (RuntimeException e) {
            clusterClient.close();
            clusterClient = null;
            throw e;
        }
        membership = new Membership(false, Addresses.host(swarm.advertiseAddr()), swarm.managers());
    }

    /**
     * @param initial       what a new group's first entry holds (CREATE: the swarm and this node, or the state a
     *                      forced new cluster keeps); null otherwise
     * @param joinedThrough the manager a JOIN went through, for the log
     */
    void startManager(NodeFiles.SwarmState swarm, RaftStart start, Batch initial, String joinedThrough)
            throws Exception {
        Path dir = config.dataDir().resolve("raft");
        RaftStore.Member self =
                new RaftStore.Member(daemon.nodeId(), Addresses.host(swarm.advertiseAddr()) + ":" + swarm.raftPort());
        String bindHost = Addresses.host(swarm.listenAddr());
        // Who may speak Raft is asked at each handshake of the member's own store, once it is open.
        java.util.concurrent.atomic.AtomicReference<RaftStore> opened =
                new java.util.concurrent.atomic.AtomicReference<>();
        RaftStore.Tls raftTls = new RaftStore.Tls(tls.keyManager(), tls.managersOnly(nodeId -> {
            RaftStore r = opened.get();
            return r == null || r.admits(nodeId);
        }));
        RaftStore raft = switch (start) {
            case CREATE ->
                RaftStore.create(
                        dir, self, swarm.raftGroup(), bindHost, swarm.snapshotInterval(), raftTls, keys.dataKey());
            case JOIN ->
                RaftStore.join(
                        dir, self, swarm.raftGroup(), bindHost, swarm.snapshotInterval(), raftTls, keys.dataKey());
            case RECOVER ->
                RaftStore.recover(
                        dir, self, swarm.raftGroup(), bindHost, swarm.snapshotInterval(), raftTls, keys.dataKey());
        };
        opened.set(raft);
        Manager m = new Manager(raft, daemon.plugins(), daemon.ticker());
        ClusterClient client = new ClusterClient(tls.clientContext(), swarm.managers());
        try {
            if (start == RaftStart.JOIN) {
                joinRaft(client, self, swarm.advertiseAddr(), raft);
            }
            m.onLeadershipChange(() -> {
                ClusterRoutes routes = clusterRoutes;
                if (!m.isLeading() && routes != null) {
                    routes.close(); // the nodes' sessions move to the new leader
                }
            });
            m.start();
            if (start == RaftStart.CREATE) {
                m.awaitLeading(LEADER_TIMEOUT);
                m.commit(initial);
            } else {
                awaitLeader(raft, LEADER_WAIT);
            }
        } catch (Exception e) {
            m.close();
            client.close();
            throw e;
        }
        manager = m;
        clusterClient = client;
        roles.follow(m);
        try {
            startAgent(new FollowLeaderDispatcher(m, new RemoteDispatcher(client, roles.sessionListener)), swarm);
        } catch (RuntimeException e) {
            m.close();
            manager = null;
            clusterClient.close();
            clusterClient = null;
            throw e;
        }
        membership = new Membership(true, Addresses.host(swarm.advertiseAddr()), swarm.managers());
        LOG.info(
                "manager {} started ({}; Raft at {}){}",
                daemon.nodeId(),
                start.name().toLowerCase(java.util.Locale.ROOT),
                self.address(),
                joinedThrough == null ? "" : ", joined through " + joinedThrough);
    }

    /** How a manager's Raft member starts: the first of a swarm, a new one, or a restart. */
    enum RaftStart {
        CREATE,
        JOIN,
        RECOVER
    }

    /**
     * A new manager's Raft member asks the leader to add it (the answer comes once the new membership is committed),
     * then waits until it holds the swarm's state.
     */
    private static void joinRaft(ClusterClient client, RaftStore.Member self, String clusterAddr, RaftStore raft)
            throws Exception {
        client.addRaftMember(self.id(), self.address(), clusterAddr);
        long deadline = System.nanoTime() + LEADER_TIMEOUT.toNanos();
        while (raft.memory().cluster() == null) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("this manager received no swarm state within " + LEADER_TIMEOUT);
            }
            Thread.sleep(20); // replication arrives on Raft's threads; polling the store it fills
        }
    }

    /**
     * A restarted manager waits a while for a leader, so that its first answers come from a caught-up store; without a
     * quorum it starts anyway, and answers reads (writes get 503).
     */
    private static void awaitLeader(RaftStore raft, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!raft.hasQuorum() && System.nanoTime() < deadline) {
            Thread.sleep(20); // Raft elects on its own threads; polling its state
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Stops the agent and the manager, leaving the tasks to run and the swarm's state for the next start. */
    @Override
    public synchronized void close() {
        renewal.close();
        roles.close();
        try {
            if (agent != null) {
                agent.close();
            }
            closeClusterPort();
            if (manager != null) {
                manager.close();
            }
        } catch (IOException e) {
            LOG.warn("error while stopping: {}", e.toString());
        } finally {
            if (clusterClient != null) {
                clusterClient.close();
            }
        }
    }
}

package io.skep.core.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.skep.api.model.Cluster;
import io.skep.api.model.Ids;
import io.skep.api.model.Json;
import io.skep.api.model.Node;
import io.skep.core.agent.Agent;
import io.skep.core.api.ApiException;
import io.skep.core.api.ApiServer;
import io.skep.core.api.ControlApi;
import io.skep.core.api.Membership;
import io.skep.core.ca.CertificateAuthority;
import io.skep.core.cluster.ClusterClient;
import io.skep.core.cluster.ClusterRoutes;
import io.skep.core.cluster.FollowLeaderDispatcher;
import io.skep.core.cluster.RemoteDispatcher;
import io.skep.core.manager.Manager;
import io.skep.core.pki.CertificateRequest;
import io.skep.core.pki.JoinToken;
import io.skep.core.pki.NodeCertificate;
import io.skep.core.pki.NodeRole;
import io.skep.core.pki.RootCa;
import io.skep.core.store.Batch;
import io.skep.core.store.DataKey;
import io.skep.core.store.RaftStore;
import io.skep.core.tls.NodeTls;
import io.skep.core.tls.PeerIdentity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in a swarm: its certificate, its cluster port and manager (a manager), or its session with the
 * managers (a worker), and its agent; swarm init, join and leave, the forced new cluster, certificate renewal, and
 * the changes of role (promotion, demotion). The {@link Daemon} owns the process around it: the data directory's
 * lock, the runtimes, the control API.
 */
final class Swarm implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Swarm.class);
    private static final Duration LEADER_TIMEOUT = Duration.ofSeconds(60);
    /** How long a restarted manager waits for a leader before it serves anyway. */
    private static final Duration LEADER_WAIT = Duration.ofSeconds(5);

    private final Daemon daemon;
    private final DaemonConfig config;
    private volatile Manager manager;
    private Agent agent;
    /** This node's certificate in use: the cluster port's and the cluster client's (null outside a swarm). */
    private NodeTls tls;
    /** This node's keys as kept in its data directory (null outside a swarm, and while it is locked). */
    private NodeKeys.Keys keys;
    /** The swarm this node is in, while it waits for its unlock key (autolock), or null. */
    private volatile NodeFiles.SwarmState locked;
    /** A manager's cluster port (the CA and the dispatcher for other nodes), or null. */
    private ApiServer clusterPort;

    private ClusterRoutes clusterRoutes;
    /** A worker's client of the managers' cluster ports, or null. */
    private ClusterClient clusterClient;

    private volatile Membership membership;
    /** Renews this node's certificate when its renewal time comes (one thread, idle in between). */
    private final java.util.concurrent.ScheduledExecutorService renewals =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                    .daemon()
                    .name("skep-certificate-renewal")
                    .factory());
    /** Role changes (promotion, demotion) run here, one at a time, off the threads that notice them. */
    private final java.util.concurrent.ExecutorService roleChanges =
            java.util.concurrent.Executors.newSingleThreadExecutor(
                    Thread.ofPlatform().daemon().name("skep-role-change").factory());
    /** When the current certificate is to be renewed (guarded by this). */
    private Instant renewalTime;

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
        scheduleRenewal();
    }

    Manager manager() {
        return manager;
    }

    Membership membership() {
        return membership;
    }

    /** What this node says of itself to the dispatcher. */
    private Node.Description describe() {
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

    /** Creates a swarm with this node as its only manager (swarm init); returns the node ID. */
    synchronized String initSwarm(JsonNode request) throws Exception {
        if (membership != null) {
            throw new IllegalStateException("this node is already part of a swarm");
        }
        InetSocketAddress listen = listenAddress(request);
        Path raftDir = config.dataDir().resolve("raft");
        deleteTree(raftDir); // a half-made swarm of an init that crashed
        long interval =
                request.path("Spec").path("Raft").path("SnapshotInterval").asLong(0);
        int port = config.raftPort() == 0 ? freePort() : config.raftPort();
        String clusterId = Ids.newId();
        // The swarm's PKI: its root CA, and this first manager's certificate, signed by it.
        SecureRandom random = new SecureRandom();
        RootCa ca = RootCa.create(random, Instant.now());
        Cluster cluster =
                cluster(clusterId, interval > 0 ? interval : RaftStore.DEFAULT_SNAPSHOT_INTERVAL, request, ca, random);
        NodeCertificate certificate =
                ca.issue(daemon.nodeId(), NodeRole.MANAGER, clusterId, cluster.nodeCertExpiry(), random, Instant.now());
        keys = new NodeKeys.Keys(
                certificate,
                ca.certificatePem(),
                DataKey.generate(),
                cluster.unlockKey == null ? null : io.skep.core.pki.UnlockKey.parse(cluster.unlockKey));
        tls = new NodeTls(certificate, ca.certificate());
        InetSocketAddress bound;
        try {
            bound = openClusterPort(listen);
        } catch (RuntimeException e) {
            tls = null;
            keys = null;
            throw e;
        }
        String advertised;
        try {
            advertised = Addresses.advertised(request.path("AdvertiseAddr").asText(""), bound);
        } catch (IllegalArgumentException e) {
            closeClusterPort();
            tls = null;
            keys = null;
            throw ApiException.badRequest("invalid " + e.getMessage());
        }
        NodeFiles.SwarmState swarm = NodeFiles.SwarmState.manager(
                clusterId,
                UUID.randomUUID(),
                port,
                interval > 0 ? interval : RaftStore.DEFAULT_SNAPSHOT_INTERVAL,
                hostPort(bound),
                advertised);
        try {
            NodeKeys.write(config.dataDir(), keys);
            startManager(
                    swarm,
                    RaftStart.CREATE,
                    new Batch().create(cluster).create(self(request, swarm.advertiseAddr())),
                    null);
        } catch (Exception e) {
            closeClusterPort();
            tls = null;
            keys = null;
            throw e;
        }
        NodeFiles.saveSwarm(config.dataDir(), swarm);
        scheduleRenewal();
        LOG.info("swarm {} initialized: node {} is its manager", swarm.clusterId(), daemon.nodeId());
        return daemon.nodeId();
    }

    /**
     * {@code swarm init --force-new-cluster} on a manager (its swarm has lost its quorum, say): a new Raft group with
     * this manager its only member, holding everything the store held here. The other managers are workers in the
     * books from now on (remove them, or let them join again); workers and tasks carry on.
     */
    synchronized String forceNewCluster() throws Exception {
        Manager m = manager;
        if (m == null) {
            throw ApiException.badRequest("--force-new-cluster: this node is not a manager of a swarm");
        }
        Map<io.skep.api.model.Kind, List<io.skep.api.model.StoredObject>> content =
                m.memory().dump();
        NodeFiles.SwarmState before = NodeFiles.swarm(config.dataDir());
        agent.detach();
        agent = null;
        m.close();
        manager = null;
        clusterClient.close();
        clusterClient = null;
        Path raftDir = config.dataDir().resolve("raft");
        deleteTree(raftDir);
        Batch initial = new Batch();
        content.forEach((kind, objects) -> objects.forEach(o -> {
            if (o instanceof Node n && "manager".equals(n.spec.role)) {
                Node kept = Json.copy(n);
                if (n.id.equals(daemon.nodeId())) {
                    kept.managerStatus.leader = true;
                    kept.managerStatus.reachability = "reachable";
                } else {
                    kept.spec.role = "worker";
                    kept.managerStatus = null;
                }
                initial.create(kept);
            } else {
                initial.create(o);
            }
        }));
        NodeFiles.SwarmState swarm = NodeFiles.SwarmState.manager(
                before.clusterId(),
                UUID.randomUUID(),
                before.raftPort(),
                before.snapshotInterval(),
                before.listenAddr(),
                before.advertiseAddr());
        startManager(swarm, RaftStart.CREATE, initial, null);
        NodeFiles.saveSwarm(config.dataDir(), swarm);
        LOG.warn("swarm {} forced into a new cluster: this manager is its only one", swarm.clusterId());
        return daemon.nodeId();
    }

    /**
     * Joins a swarm through one of its managers (Docker's join request: {@code RemoteAddrs}, {@code JoinToken},
     * {@code ListenAddr}, {@code AdvertiseAddr}, {@code Availability}); the node becomes a worker.
     */
    synchronized void joinSwarm(JsonNode request) throws Exception {
        if (membership != null) {
            throw ApiException.unavailable("This node is already part of a swarm. Use \"docker swarm leave\" to "
                    + "leave this swarm and join another one.");
        }
        List<String> managers = new ArrayList<>();
        for (JsonNode r : request.path("RemoteAddrs")) {
            try {
                InetSocketAddress a = Addresses.parse("RemoteAddrs", r.asText());
                managers.add(hostPort(a));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid " + e.getMessage());
            }
        }
        if (managers.isEmpty()) {
            throw ApiException.badRequest("invalid RemoteAddrs: the address of at least one manager is required");
        }
        InetSocketAddress listen = listenAddress(request);
        if (listen.getPort() == 0) {
            // Should the node join as a manager, its cluster port's address is part of the request.
            listen = new InetSocketAddress(listen.getAddress(), freePort());
        }
        String advertised;
        try {
            advertised = Addresses.advertised(request.path("AdvertiseAddr").asText(""), listen);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid " + e.getMessage());
        }
        String availability = request.path("Availability").asText("");
        SwarmJoin.Joined joined;
        try {
            joined = SwarmJoin.join(
                    managers.get(0),
                    request.path("JoinToken").asText(""),
                    daemon.nodeId(),
                    availability,
                    Addresses.host(advertised),
                    advertised,
                    describe());
        } catch (SwarmJoin.Refused e) {
            throw new ApiException(e.status, e.getMessage());
        } catch (java.io.IOException e) {
            throw ApiException.unavailable(e.getMessage());
        }
        tls = new NodeTls(joined.certificate(), RootCa.certificatesOf(joined.rootCaPem()));
        NodeFiles.SwarmState swarm;
        if ("manager".equals(joined.role())) {
            deleteTree(config.dataDir().resolve("raft")); // what a crashed join left
            keys = new NodeKeys.Keys(joined.certificate(), joined.rootCaPem(), dataKeyFrom(managers), null);
            NodeKeys.write(config.dataDir(), keys);
            InetSocketAddress bound = openClusterPort(listen);
            int raftPort = config.raftPort() == 0 ? freePort() : config.raftPort();
            swarm = NodeFiles.SwarmState.manager(
                            joined.clusterId(),
                            UUID.fromString(joined.raftGroup()),
                            raftPort,
                            RaftStore.DEFAULT_SNAPSHOT_INTERVAL,
                            hostPort(bound),
                            advertised)
                    .withManagers(managers);
            try {
                startManager(swarm, RaftStart.JOIN, null, managers.get(0));
            } catch (Exception e) {
                closeClusterPort();
                tls = null;
                keys = null;
                throw e;
            }
        } else {
            keys = new NodeKeys.Keys(joined.certificate(), joined.rootCaPem(), null, null);
            NodeKeys.write(config.dataDir(), keys);
            swarm = NodeFiles.SwarmState.worker(joined.clusterId(), advertised, managers);
            startWorker(swarm);
        }
        NodeFiles.saveSwarm(config.dataDir(), swarm);
        scheduleRenewal();
        LOG.info("node {} joined swarm {} as a {}", daemon.nodeId(), joined.clusterId(), joined.role());
    }

    /** The store's data key, from one of {@code managers}, asked with this node's manager certificate. */
    private io.skep.core.store.DataKey dataKeyFrom(List<String> managers) throws IOException, InterruptedException {
        try (ClusterClient client = new ClusterClient(tls.clientContext(), managers)) {
            return client.dataKey();
        }
    }

    /** The request's {@code ListenAddr}, or the daemon's {@code --listen-addr}; a bad one is a 400 naming it. */
    private InetSocketAddress listenAddress(JsonNode request) {
        String given = request == null ? "" : request.path("ListenAddr").asText("");
        try {
            return Addresses.parse(
                    given.isBlank() ? "--listen-addr" : "ListenAddr", given.isBlank() ? config.listenAddr() : given);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid " + e.getMessage());
        }
    }

    /** Binds the cluster port (the CA and the dispatcher for other nodes); its routes wait for the manager. */
    private InetSocketAddress openClusterPort(InetSocketAddress listen) throws Exception {
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
            throw ApiException.badRequest("cannot listen on " + hostPort(listen) + " (ListenAddr): " + reason);
        }
    }

    private void closeClusterPort() {
        if (clusterRoutes != null) {
            clusterRoutes.close();
            clusterRoutes = null;
        }
        if (clusterPort != null) {
            clusterPort.close();
            clusterPort = null;
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * Starts this node's agent with {@code dispatcher}. On failure the agent lets go of the runtimes without closing
     * them: they are the node's, for its next swarm.
     */
    private void startAgent(io.skep.core.dispatcher.DispatcherApi dispatcher) {
        Agent a = new Agent(daemon.nodeId(), describe(), daemon.runtimes(), daemon.defaultRuntime(), dispatcher);
        try {
            a.start();
        } catch (RuntimeException e) {
            a.detach();
            throw e;
        }
        agent = a;
    }

    /** A worker: the agent, with the managers' dispatcher reached over mutual TLS. */
    private void startWorker(NodeFiles.SwarmState swarm) {
        clusterClient = new ClusterClient(tls.clientContext(), swarm.managers());
        try {
            startAgent(new RemoteDispatcher(clusterClient, sessionListener));
        } catch (RuntimeException e) {
            clusterClient.close();
            clusterClient = null;
            throw e;
        }
        membership = new Membership(false, Addresses.host(swarm.advertiseAddr()), swarm.managers());
    }

    /**
     * Leaves the swarm (the API has checked {@code --force} for a manager): the tasks of this node are stopped and
     * removed, the manager stops, and the Raft log, swarm.json and certificates are deleted. The node ID stays.
     */
    synchronized void leaveSwarm() throws Exception {
        if (locked != null) {
            // A locked manager runs nothing: it only forgets the swarm.
            locked = null;
            forget();
            return;
        }
        if (membership == null) {
            throw new IllegalStateException("this node is not part of a swarm");
        }
        if (agent != null) {
            agent.leave(Duration.ofSeconds(60));
            agent = null;
        }
        closeClusterPort();
        if (manager != null) {
            leaveRaftGroup(manager);
            manager.close();
            manager = null;
        }
        if (clusterClient != null) {
            clusterClient.close();
            clusterClient = null;
        }
        membership = null;
        tls = null;
        keys = null;
        renewalTime = null;
        forget();
    }

    /** Deletes what this node kept of its swarm (Raft log, keys, swarm.json); it takes a new node ID. */
    private void forget() throws IOException {
        Path data = config.dataDir();
        deleteTree(data.resolve("raft"));
        NodeKeys.delete(data);
        Files.deleteIfExists(data.resolve("swarm.json"));
        // As in Swarm, a node that leaves is a new node when it joins again: new ID, daemon.runtimes() opened under it.
        String old = daemon.nodeId();
        daemon.renewIdentity();
        LOG.info("node {} left the swarm; it is node {} from now on", old, daemon.nodeId());
    }

    /**
     * A manager that leaves a group of several: the swarm's books say it is a worker now (so {@code node rm} can take
     * it), and it takes itself out of the Raft group, so the others' quorum no longer counts it. Best effort: without
     * a quorum it leaves anyway, as forced.
     */
    private void leaveRaftGroup(Manager m) {
        try {
            if (m.raft().members().size() <= 1 || !m.raft().hasQuorum()) {
                return;
            }
            Node me = m.memory().get(io.skep.api.model.Kind.NODE, daemon.nodeId());
            if (me != null) {
                Node next = Json.copy(me);
                next.spec.role = "worker";
                next.managerStatus = null;
                m.commit(new Batch().update(next));
            }
            if (daemon.nodeId().equals(m.raft().leaderId())) {
                for (RaftStore.Member other : m.raft().members()) {
                    if (!other.id().equals(daemon.nodeId())) {
                        m.raft().transferLeadership(other.id(), Duration.ofSeconds(5));
                        break;
                    }
                }
            }
            m.raft().removeMember(daemon.nodeId());
        } catch (IOException | RuntimeException e) {
            LOG.warn("this manager leaves without taking itself out of the Raft group: {}", e.toString());
        }
    }

    /** Arms the renewal of the node's certificate for its renewal time (at once if that has passed). */
    private void scheduleRenewal() {
        Instant due;
        synchronized (this) {
            try {
                if (keys == null) {
                    return;
                }
                renewalTime = keys.certificate().renewalTime(new SecureRandom());
                due = renewalTime;
            } catch (IllegalArgumentException e) {
                LOG.warn("cannot read this node's certificate: {}", e.getMessage());
                return;
            }
        }
        long delay = Math.max(0, Duration.between(Instant.now(), due).toMillis());
        try {
            renewals.schedule(
                    () -> {
                        renewCertificateIfDue(Instant.now());
                        scheduleRenewal();
                    },
                    delay,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // the node is stopping
        }
    }

    /**
     * Renews this node's certificate when {@code now} is past its renewal time: a new key pair, and a certificate for
     * it signed by the swarm's CA (this manager's own, or a manager's over the cluster port) for the swarm's current
     * {@code CAConfig.NodeCertExpiry} and the node's role as the store has it.
     *
     * @return whether it renewed
     */
    synchronized boolean renewCertificateIfDue(Instant now) {
        if (tls == null || renewalTime == null || now.isBefore(renewalTime)) {
            return false;
        }
        try {
            CertificateRequest csr = CertificateRequest.create(new SecureRandom());
            CertificateAuthority.Issued issued;
            if (manager != null) {
                NodeCertificate current = tls.certificate();
                issued = manager.certificateAuthority()
                        .renew(new PeerIdentity(current.nodeId(), current.role(), current.clusterId()), csr.pem());
            } else {
                issued = clusterClient.renew(csr.pem());
            }
            NodeCertificate next =
                    NodeCertificate.of(issued.certificate(), csr.keys().getPrivate());
            keys = keys.withCertificate(next, issued.rootCa());
            NodeKeys.write(config.dataDir(), keys);
            tls.renewed(next);
            renewalTime = next.renewalTime(new SecureRandom());
            LOG.info("node certificate renewed: valid until {}", next.notAfter());
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot renew this node's certificate (retrying at its next renewal check): {}", e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * @param initial       what a new group's first entry holds (CREATE: the swarm and this node, or the state a
     *                      forced new cluster keeps); null otherwise
     * @param joinedThrough the manager a JOIN went through, for the log
     */
    private void startManager(NodeFiles.SwarmState swarm, RaftStart start, Batch initial, String joinedThrough)
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
        m.memory().subscribe(events -> {
            for (io.skep.core.store.StoreEvent e : events) {
                if (e.kind() == io.skep.api.model.Kind.NODE
                        && daemon.nodeId().equals(e.object().id)
                        && e.type() != io.skep.core.store.StoreEvent.Type.DELETED
                        && "worker".equals(((Node) e.object()).spec.role)) {
                    changeRole(this::becomeWorker);
                }
                if (e.kind() == io.skep.api.model.Kind.CLUSTER) {
                    changeRole(this::followAutolock);
                    io.skep.api.model.Cluster c = (io.skep.api.model.Cluster) e.object();
                    changeRole(() -> followRootCa(c.trustRootsPem(), c.signingRoot().caCert));
                }
            }
        });
        // what changed while this manager was down
        changeRole(this::followAutolock);
        changeRole(() -> {
            io.skep.api.model.Cluster c = m.memory().cluster();
            if (c != null) {
                followRootCa(c.trustRootsPem(), c.signingRoot().caCert);
            }
        });
        try {
            startAgent(new FollowLeaderDispatcher(m, new RemoteDispatcher(client, sessionListener)));
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
    private enum RaftStart {
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

    /** What this node's dispatcher sessions learn: the managers' addresses, and a promotion. */
    private final RemoteDispatcher.Listener sessionListener = new RemoteDispatcher.Listener() {
        @Override
        public void managers(List<String> managers) {
            managersLearnt(managers);
        }

        @Override
        public void role(String role) {
            if ("manager".equals(role) && manager == null) {
                changeRole(Swarm.this::becomeManager);
            }
        }

        @Override
        public void rootCas(String trustRoots, String signingRoot) {
            if (manager == null) { // a manager follows its own store
                changeRole(() -> followRootCa(trustRoots, signingRoot));
            }
        }
    };

    /**
     * Follows a root CA rotation: trusts the roots the swarm trusts now (both while it runs, the new one alone once it
     * is done), and takes a certificate of the root that signs now when its own is of another; its tasks run on.
     */
    private synchronized void followRootCa(String trustRoots, String signingRoot) {
        NodeKeys.Keys k = keys;
        if (k == null || trustRoots == null || signingRoot == null) {
            return;
        }
        try {
            if (!trustRoots.equals(k.rootCaPem())) {
                tls.trust(RootCa.certificatesOf(trustRoots));
                keys = k.withCertificate(k.certificate(), trustRoots);
                NodeKeys.write(config.dataDir(), keys);
                LOG.info(
                        "this node trusts the swarm's {} now",
                        RootCa.certificatesOf(trustRoots).size() > 1 ? "current and new root CAs" : "root CA");
            }
            if (!keys.certificate().issuedBy(RootCa.certificateOf(signingRoot))) {
                renewalTime = Instant.EPOCH;
                if (!renewCertificateIfDue(Instant.now())) {
                    retryRootCa(trustRoots, signingRoot); // renewCertificateIfDue said why
                    return;
                }
                LOG.info("this node has a certificate of the swarm's new root CA");
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot follow the swarm's root CA rotation (retrying): {}", e.toString());
            retryRootCa(trustRoots, signingRoot);
        }
    }

    private void retryRootCa(String trustRoots, String signingRoot) {
        try {
            renewals.schedule(() -> followRootCa(trustRoots, signingRoot), 2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // the node is stopping
        }
    }

    private void changeRole(Runnable change) {
        try {
            roleChanges.execute(change);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // the node is stopping
        }
    }

    /**
     * A manager demoted: once it is out of the Raft group, it stops its store and cluster port, takes a worker's
     * certificate from the leader, and goes on as a worker. Its tasks run on throughout, adopted by the new agent.
     */
    private synchronized void becomeWorker() {
        Manager m = manager;
        Node me = m == null ? null : m.memory().get(io.skep.api.model.Kind.NODE, daemon.nodeId());
        if (me == null || !"worker".equals(me.spec.role)) {
            return;
        }
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (m.raft().members().stream().anyMatch(x -> x.id().equals(daemon.nodeId()))
                    && System.nanoTime() < deadline) {
                Thread.sleep(50); // the leader takes this member out; polling the membership it replicates
            }
            List<String> managers = m.memory().nodes().stream()
                    .filter(n ->
                            !n.id.equals(daemon.nodeId()) && n.managerStatus != null && n.managerStatus.addr != null)
                    .map(n -> n.managerStatus.addr)
                    .toList();
            NodeFiles.SwarmState before = NodeFiles.swarm(config.dataDir());
            agent.detach();
            agent = null;
            closeClusterPort();
            m.close();
            manager = null;
            clusterClient.close();
            clusterClient = null;
            deleteTree(config.dataDir().resolve("raft"));
            try (ClusterClient leader = new ClusterClient(tls.clientContext(), managers)) {
                keys = new NodeKeys.Keys(keys.certificate(), keys.rootCaPem(), null, null); // a worker's: no store
                renewThrough(leader);
            }
            NodeFiles.SwarmState swarm =
                    NodeFiles.SwarmState.worker(before.clusterId(), before.advertiseAddr(), managers);
            NodeFiles.saveSwarm(config.dataDir(), swarm);
            startWorker(swarm);
            LOG.info("node {} was demoted: it is a worker now", daemon.nodeId());
        } catch (Exception e) {
            LOG.error("node {} could not finish its demotion: {}", daemon.nodeId(), e.toString());
        }
    }

    /**
     * A worker promoted: it takes a manager's certificate, opens its cluster port, joins the Raft group through the
     * leader and goes on as a manager. Its tasks run on throughout, adopted by the new agent.
     */
    private synchronized void becomeManager() {
        if (manager != null || clusterClient == null) {
            return;
        }
        try {
            NodeFiles.SwarmState before = NodeFiles.swarm(config.dataDir());
            CertificateAuthority.Issued issued = renewThrough(clusterClient);
            if (!"manager".equals(issued.role())) {
                return;
            }
            // A new client: the worker's kept-alive connections still show the worker's certificate.
            keys = new NodeKeys.Keys(keys.certificate(), keys.rootCaPem(), dataKeyFrom(clusterClient.managers()), null);
            NodeKeys.write(config.dataDir(), keys);
            InetSocketAddress listen = Addresses.parse("--listen-addr", config.listenAddr());
            if (listen.getPort() == 0) {
                listen = new InetSocketAddress(listen.getAddress(), freePort());
            }
            InetSocketAddress bound = openClusterPort(listen);
            String advertised = Addresses.host(before.advertiseAddr()) + ":" + bound.getPort();
            int raftPort = config.raftPort() == 0 ? freePort() : config.raftPort();
            agent.detach();
            agent = null;
            List<String> managers = clusterClient.managers();
            clusterClient.close();
            clusterClient = null;
            deleteTree(config.dataDir().resolve("raft"));
            NodeFiles.SwarmState swarm = NodeFiles.SwarmState.manager(
                            before.clusterId(),
                            UUID.fromString(issued.raftGroup()),
                            raftPort,
                            RaftStore.DEFAULT_SNAPSHOT_INTERVAL,
                            hostPort(bound),
                            advertised)
                    .withManagers(managers);
            try {
                startManager(swarm, RaftStart.JOIN, null, managers.get(0));
            } catch (Exception e) {
                LOG.error("node {} could not become a manager, it stays a worker: {}", daemon.nodeId(), e.toString());
                closeClusterPort();
                startWorker(before);
                return;
            }
            NodeFiles.saveSwarm(config.dataDir(), swarm);
            LOG.info("node {} was promoted: it is a manager now", daemon.nodeId());
        } catch (Exception e) {
            LOG.error("node {} could not finish its promotion: {}", daemon.nodeId(), e.toString());
        }
    }

    /** A new key and a certificate for it from the leader's CA, with the role the swarm gives this node now. */
    private CertificateAuthority.Issued renewThrough(ClusterClient client) throws IOException, InterruptedException {
        CertificateRequest csr = CertificateRequest.create(new SecureRandom());
        CertificateAuthority.Issued issued = client.renew(csr.pem());
        NodeCertificate next =
                NodeCertificate.of(issued.certificate(), csr.keys().getPrivate());
        keys = keys.withCertificate(next, issued.rootCa());
        NodeKeys.write(config.dataDir(), keys);
        tls.renewed(next);
        renewalTime = next.renewalTime(new SecureRandom());
        return issued;
    }

    /**
     * Keeps this manager's keys as the swarm's autolock asks: encrypted under the swarm's unlock key while
     * {@code AutoLockManagers} is on (a new key re-encrypts them), under a key encryption key in a file beside them
     * when it is off.
     */
    private synchronized void followAutolock() {
        Manager m = manager;
        io.skep.api.model.Cluster cluster = m == null ? null : m.memory().cluster();
        if (cluster == null || keys == null || keys.dataKey() == null) {
            return;
        }
        io.skep.core.pki.UnlockKey wanted;
        try {
            wanted = cluster.autoLockManagers() && cluster.unlockKey != null
                    ? io.skep.core.pki.UnlockKey.parse(cluster.unlockKey)
                    : null;
        } catch (IllegalArgumentException e) {
            LOG.error(
                    "the swarm's unlock key is unreadable: this manager's keys stay as they are ({})", e.getMessage());
            return;
        }
        if (java.util.Objects.equals(wanted, keys.unlockKey())) {
            return;
        }
        try {
            NodeKeys.Keys next = keys.withUnlockKey(wanted);
            NodeKeys.write(config.dataDir(), next);
            keys = next;
            LOG.info(
                    wanted == null
                            ? "autolock is off: this manager's keys are kept with their key encryption key"
                            : "autolock is on: this manager's keys are encrypted under the swarm's unlock key");
        } catch (IOException e) {
            LOG.error("cannot re-encrypt this manager's keys for the swarm's autolock: {}", e.toString());
        }
    }

    /** The managers' addresses a leader sent: kept in swarm.json for the next start. */
    private synchronized void managersLearnt(List<String> managers) {
        try {
            NodeFiles.SwarmState s = NodeFiles.swarm(config.dataDir());
            if (s != null) {
                NodeFiles.saveSwarm(config.dataDir(), s.withManagers(managers));
            }
        } catch (IOException e) {
            LOG.warn("cannot keep the managers' addresses: {}", e.toString());
        }
    }

    /** The swarm object of an init request: its spec with Swarm's defaults filled in (the API checked it). */
    private Cluster cluster(String clusterId, long snapshotInterval, JsonNode request, RootCa ca, SecureRandom random) {
        Cluster c = new Cluster();
        c.id = clusterId;
        c.createdAt = Ids.now();
        JsonNode spec = request == null ? null : request.get("Spec");
        c.spec = spec == null || spec.isNull()
                ? new Cluster.SwarmSpec()
                : Json.MAPPER.convertValue(spec, Cluster.SwarmSpec.class);
        c.spec.name = "default";
        if (c.spec.orchestration == null) {
            c.spec.orchestration = new Cluster.Orchestration();
        }
        if (c.spec.orchestration.taskHistoryRetentionLimit == null
                || c.spec.orchestration.taskHistoryRetentionLimit == 0) {
            c.spec.orchestration.taskHistoryRetentionLimit = io.skep.api.model.Defaults.TASK_HISTORY_RETENTION_LIMIT;
        }
        c.spec.other(
                "Raft",
                Map.of(
                        "SnapshotInterval",
                        snapshotInterval,
                        "KeepOldSnapshots",
                        0,
                        "LogEntriesForSlowFollowers",
                        500,
                        "ElectionTick",
                        10,
                        "HeartbeatTick",
                        1));
        c.spec.other("Dispatcher", Map.of("HeartbeatPeriod", c.heartbeatPeriod().toNanos()));
        c.spec.other("CAConfig", Map.of("NodeCertExpiry", c.nodeCertExpiry().toNanos()));
        c.spec.other("TaskDefaults", Map.of());
        boolean autolock = request != null
                && (request.path("AutoLockManagers").asBoolean(false)
                        || request.path("Spec")
                                .path("EncryptionConfig")
                                .path("AutoLockManagers")
                                .asBoolean(false));
        c.spec.other("EncryptionConfig", Map.of("AutoLockManagers", autolock));
        c.unlockKey = autolock ? io.skep.core.pki.UnlockKey.generate(random).text() : null;
        c.rootCa = new Cluster.CaKeys();
        c.rootCa.caCert = ca.certificatePem();
        c.rootCa.caKey = ca.keyPem();
        c.tlsInfo = CertificateAuthority.tlsInfo(ca.certificatePem());
        if (request != null && request.path("DefaultAddrPool").size() > 0) { // the API checked them
            c.defaultAddrPool = new ArrayList<>();
            request.get("DefaultAddrPool").forEach(pool -> c.defaultAddrPool.add(pool.asText()));
        }
        if (request != null && request.path("SubnetSize").asLong(0) > 0) {
            c.subnetSize = request.path("SubnetSize").asLong();
        }
        c.joinTokens = Map.of(
                "Worker",
                JoinToken.generate(ca, random).toString(),
                "Manager",
                JoinToken.generate(ca, random).toString());
        return c;
    }

    private Node self(JsonNode request, String advertised) {
        Node n = new Node();
        n.id = daemon.nodeId();
        n.createdAt = Ids.now();
        n.spec.role = "manager";
        String availability =
                request == null ? "" : request.path("Availability").asText("");
        n.spec.availability = availability.isEmpty() ? "active" : availability;
        n.description = describe();
        n.status.state = "unknown";
        n.status.addr = Addresses.host(advertised);
        n.managerStatus = new Node.ManagerStatus();
        n.managerStatus.leader = true;
        n.managerStatus.reachability = "reachable";
        n.managerStatus.addr = advertised;
        return n;
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
        renewals.shutdownNow();
        roleChanges.shutdownNow();
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

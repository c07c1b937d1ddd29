package io.skep.core.node;

import io.skep.api.model.Cluster;
import io.skep.api.model.Ids;
import io.skep.api.model.Json;
import io.skep.api.model.Node;
import io.skep.api.model.SwarmInitRequest;
import io.skep.core.ca.CertificateAuthority;
import io.skep.core.manager.Manager;
import io.skep.core.pki.JoinToken;
import io.skep.core.pki.NodeCertificate;
import io.skep.core.pki.NodeRole;
import io.skep.core.pki.RootCa;
import io.skep.core.store.Batch;
import io.skep.core.store.DataKey;
import io.skep.core.store.RaftStore;
import io.skep.core.tls.NodeTls;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A new swarm with this node its only manager ({@code swarm init}), and the forced new cluster of a manager. */
final class SwarmInit {
    private static final Logger LOG = LoggerFactory.getLogger(SwarmInit.class);

    private final Swarm swarm;

    /** Runs under {@code swarm}'s lock (its callers hold it). */
    SwarmInit(Swarm swarm) {
        this.swarm = swarm;
    }

    /** Creates a swarm with this node as its only manager (swarm init); returns the node ID. */
    String init(SwarmInitRequest request) throws Exception {
        if (swarm.membership != null) {
            // the API checked; only an init that raced this one comes here
            throw new IllegalStateException("this node is already part of a swarm");
        }
        DaemonConfig config = swarm.config;
        Daemon daemon = swarm.daemon;
        InetSocketAddress listen = swarm.listenAddress(request.listenAddr);
        Path raftDir = config.dataDir().resolve("raft");
        Swarm.deleteTree(raftDir); // a half-made swarm of an init that crashed
        long interval = snapshotInterval(request);
        int port = config.raftPort() == 0 ? Swarm.freePort() : config.raftPort();
        String clusterId = Ids.newId();
        // The swarm's PKI: its root CA, and this first manager's certificate, signed by it.
        SecureRandom random = new SecureRandom();
        RootCa ca = RootCa.create(random, Instant.now());
        Cluster cluster =
                cluster(clusterId, interval > 0 ? interval : RaftStore.DEFAULT_SNAPSHOT_INTERVAL, request, ca, random);
        NodeCertificate certificate =
                ca.issue(daemon.nodeId(), NodeRole.MANAGER, clusterId, cluster.nodeCertExpiry(), random, Instant.now());
        swarm.keys = new NodeKeys.Keys(
                certificate,
                ca.certificatePem(),
                DataKey.generate(),
                cluster.unlockKey == null ? null : io.skep.core.pki.UnlockKey.parse(cluster.unlockKey));
        swarm.tls = new NodeTls(certificate, ca.certificate());
        InetSocketAddress bound;
        try {
            bound = swarm.openClusterPort(listen);
        } catch (SwarmStateException | RuntimeException e) {
            swarm.tls = null;
            swarm.keys = null;
            throw e;
        }
        String advertised;
        try {
            advertised = Addresses.advertised(request.advertiseAddr == null ? "" : request.advertiseAddr, bound);
        } catch (IllegalArgumentException e) {
            swarm.closeClusterPort();
            swarm.tls = null;
            swarm.keys = null;
            throw new SwarmStateException(SwarmStateException.Kind.INVALID_ARGUMENT, "invalid " + e.getMessage());
        }
        NodeFiles.SwarmState state = NodeFiles.SwarmState.manager(
                clusterId,
                UUID.randomUUID(),
                port,
                interval > 0 ? interval : RaftStore.DEFAULT_SNAPSHOT_INTERVAL,
                Swarm.hostPort(bound),
                advertised);
        try {
            NodeKeys.write(config.dataDir(), swarm.keys);
            swarm.startManager(
                    state,
                    Swarm.RaftStart.CREATE,
                    new Batch().create(cluster).create(self(request, state.advertiseAddr())),
                    null);
        } catch (Exception e) {
            swarm.closeClusterPort();
            swarm.tls = null;
            swarm.keys = null;
            throw e;
        }
        NodeFiles.saveSwarm(config.dataDir(), state);
        swarm.renewal.schedule();
        LOG.info("swarm {} initialized: node {} is its manager", state.clusterId(), daemon.nodeId());
        return daemon.nodeId();
    }

    /**
     * {@code swarm init --force-new-cluster} on a manager (its swarm has lost its quorum, say): a new Raft group with
     * this manager its only member, holding everything the store held here. The other managers are workers in the
     * books from now on (remove them, or let them join again); workers and tasks carry on.
     */
    String forceNewCluster() throws Exception {
        Manager m = swarm.manager;
        if (m == null) {
            throw new SwarmStateException(
                    SwarmStateException.Kind.NOT_A_MANAGER,
                    "--force-new-cluster: this node is not a manager of a swarm");
        }
        DaemonConfig config = swarm.config;
        String nodeId = swarm.daemon.nodeId();
        Map<io.skep.api.model.Kind, List<io.skep.api.model.StoredObject>> content =
                m.memory().dump();
        NodeFiles.SwarmState before = NodeFiles.swarm(config.dataDir());
        swarm.agent.detach();
        swarm.agent = null;
        m.close();
        swarm.manager = null;
        swarm.clusterClient.close();
        swarm.clusterClient = null;
        Path raftDir = config.dataDir().resolve("raft");
        Swarm.deleteTree(raftDir);
        Batch initial = new Batch();
        content.forEach((kind, objects) -> objects.forEach(o -> {
            if (o instanceof Node n && "manager".equals(n.spec.role)) {
                Node kept = Json.copy(n);
                if (n.id.equals(nodeId)) {
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
        NodeFiles.SwarmState state = NodeFiles.SwarmState.manager(
                before.clusterId(),
                UUID.randomUUID(),
                before.raftPort(),
                before.snapshotInterval(),
                before.listenAddr(),
                before.advertiseAddr());
        swarm.startManager(state, Swarm.RaftStart.CREATE, initial, null);
        NodeFiles.saveSwarm(config.dataDir(), state);
        LOG.warn("swarm {} forced into a new cluster: this manager is its only one", state.clusterId());
        return nodeId;
    }

    /** {@code Spec.Raft.SnapshotInterval}, or 0 when the request leaves it out (the API checked it is an integer). */
    private static long snapshotInterval(SwarmInitRequest request) {
        return raftSetting(request.spec, "SnapshotInterval") instanceof Number n ? n.longValue() : 0;
    }

    private static Object raftSetting(Cluster.SwarmSpec spec, String field) {
        Object raft = spec == null ? null : spec.other().get("Raft");
        return raft instanceof Map<?, ?> m ? m.get(field) : null;
    }

    /** Whether the request asks for autolock: its {@code AutoLockManagers}, or its spec's. */
    private static boolean autolock(SwarmInitRequest request) {
        Object encryption = request.spec == null ? null : request.spec.other().get("EncryptionConfig");
        return request.autoLockManagers
                || (encryption instanceof Map<?, ?> m && Boolean.TRUE.equals(m.get("AutoLockManagers")));
    }

    /** The swarm object of an init request: its spec with Swarm's defaults filled in (the API checked it). */
    private static Cluster cluster(
            String clusterId, long snapshotInterval, SwarmInitRequest request, RootCa ca, SecureRandom random) {
        boolean autolock = autolock(request); // read before the request's spec is filled in below
        Cluster c = new Cluster();
        c.id = clusterId;
        c.createdAt = Ids.now();
        // The request's spec becomes the swarm's (the request is this init's own), with Swarm's defaults filled in.
        c.spec = request.spec == null ? new Cluster.SwarmSpec() : request.spec;
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
        c.spec.other("EncryptionConfig", Map.of("AutoLockManagers", autolock));
        c.unlockKey = autolock ? io.skep.core.pki.UnlockKey.generate(random).text() : null;
        c.rootCa = new Cluster.CaKeys();
        c.rootCa.caCert = ca.certificatePem();
        c.rootCa.caKey = ca.keyPem();
        c.tlsInfo = CertificateAuthority.tlsInfo(ca.certificatePem());
        if (request != null && request.defaultAddrPool != null && !request.defaultAddrPool.isEmpty()) {
            c.defaultAddrPool = new java.util.ArrayList<>(request.defaultAddrPool); // the API checked them
        }
        if (request != null && request.subnetSize != null && request.subnetSize > 0) {
            c.subnetSize = request.subnetSize;
        }
        c.joinTokens = Map.of(
                "Worker",
                JoinToken.generate(ca, random).toString(),
                "Manager",
                JoinToken.generate(ca, random).toString());
        return c;
    }

    /** This first manager as the swarm's books hold it: the leader, reachable at {@code advertised}. */
    private Node self(SwarmInitRequest request, String advertised) {
        Node n = new Node();
        n.id = swarm.daemon.nodeId();
        n.createdAt = Ids.now();
        n.spec.role = "manager";
        String availability = request.availability == null ? "" : request.availability;
        n.spec.availability = availability.isEmpty() ? "active" : availability;
        n.description = swarm.describe();
        n.status.state = "unknown";
        n.status.addr = Addresses.host(advertised);
        n.managerStatus = new Node.ManagerStatus();
        n.managerStatus.leader = true;
        n.managerStatus.reachability = "reachable";
        n.managerStatus.addr = advertised;
        return n;
    }
}

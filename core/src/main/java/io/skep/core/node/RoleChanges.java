package io.skep.core.node;

import io.skep.api.model.Node;
import io.skep.core.ca.CertificateAuthority;
import io.skep.core.cluster.ClusterClient;
import io.skep.core.cluster.RemoteDispatcher;
import io.skep.core.manager.Manager;
import io.skep.core.store.RaftStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node follows of the swarm's books while it is in one: its promotion and demotion, the swarm's autolock
 * and root CA, and the managers' addresses; each change runs on a thread of its own, one at a time.
 */
final class RoleChanges implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoleChanges.class);

    /** Its state is the swarm's parts: read and changed under {@code swarm}'s lock. */
    private final Swarm swarm;
    /** Role changes (promotion, demotion) run here, one at a time, off the threads that notice them. */
    private final ExecutorService roleChanges = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("skep-role-change").factory());

    /** What this node's dispatcher sessions learn: the managers' addresses, and a promotion. */
    final RemoteDispatcher.Listener sessionListener = new RemoteDispatcher.Listener() {
        @Override
        public void managers(List<String> managers) {
            managersLearnt(managers);
        }

        @Override
        public void role(String role) {
            if ("manager".equals(role) && swarm.manager == null) {
                changeRole(RoleChanges.this::becomeManager);
            }
        }

        @Override
        public void rootCas(String trustRoots, String signingRoot) {
            if (swarm.manager == null) { // a manager follows its own store
                changeRole(() -> swarm.renewal.followRootCa(trustRoots, signingRoot));
            }
        }
    };

    RoleChanges(Swarm swarm) {
        this.swarm = swarm;
    }

    /**
     * A manager follows its own store: its demotion, the swarm's autolock and root CA, from now on and as they are
     * (what changed while it was down).
     */
    void follow(Manager m) {
        m.memory().subscribe(events -> {
            for (io.skep.core.store.StoreEvent e : events) {
                if (e.kind() == io.skep.api.model.Kind.NODE
                        && swarm.daemon.nodeId().equals(e.object().id)
                        && e.type() != io.skep.core.store.StoreEvent.Type.DELETED
                        && "worker".equals(((Node) e.object()).spec.role)) {
                    changeRole(this::becomeWorker);
                }
                if (e.kind() == io.skep.api.model.Kind.CLUSTER) {
                    changeRole(this::followAutolock);
                    io.skep.api.model.Cluster c = (io.skep.api.model.Cluster) e.object();
                    changeRole(() -> swarm.renewal.followRootCa(c.trustRootsPem(), c.signingRoot().caCert));
                }
            }
        });
        // what changed while this manager was down
        changeRole(this::followAutolock);
        changeRole(() -> {
            io.skep.api.model.Cluster c = m.memory().cluster();
            if (c != null) {
                swarm.renewal.followRootCa(c.trustRootsPem(), c.signingRoot().caCert);
            }
        });
    }

    private void changeRole(Runnable change) {
        try {
            roleChanges.execute(change);
        } catch (RejectedExecutionException closing) {
            // the node is stopping
        }
    }

    /**
     * A manager demoted: once it is out of the Raft group, it stops its store and cluster port, takes a worker's
     * certificate from the leader, and goes on as a worker. Its tasks run on throughout, adopted by the new agent.
     */
    private void becomeWorker() {
        synchronized (swarm) {
            String nodeId = swarm.daemon.nodeId();
            Manager m = swarm.manager;
            Node me = m == null ? null : m.memory().get(io.skep.api.model.Kind.NODE, nodeId);
            if (me == null || !"worker".equals(me.spec.role)) {
                return;
            }
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (m.raft().members().stream().anyMatch(x -> x.id().equals(nodeId))
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50); // the leader takes this member out; polling the membership it replicates
                }
                List<String> managers = m.memory().nodes().stream()
                        .filter(n -> !n.id.equals(nodeId) && n.managerStatus != null && n.managerStatus.addr != null)
                        .map(n -> n.managerStatus.addr)
                        .toList();
                NodeFiles.SwarmState before = NodeFiles.swarm(swarm.config.dataDir());
                swarm.agent.detach();
                swarm.agent = null;
                swarm.closeClusterPort();
                m.close();
                swarm.manager = null;
                swarm.clusterClient.close();
                swarm.clusterClient = null;
                Swarm.deleteTree(swarm.config.dataDir().resolve("raft"));
                try (ClusterClient leader = new ClusterClient(swarm.tls.clientContext(), managers)) {
                    // a worker's keys: no store
                    swarm.keys = new NodeKeys.Keys(swarm.keys.certificate(), swarm.keys.rootCaPem(), null, null);
                    swarm.renewal.renewThrough(leader);
                }
                NodeFiles.SwarmState state =
                        NodeFiles.SwarmState.worker(before.clusterId(), before.advertiseAddr(), managers);
                NodeFiles.saveSwarm(swarm.config.dataDir(), state);
                swarm.startWorker(state);
                LOG.info("node {} was demoted: it is a worker now", nodeId);
            } catch (Exception e) {
                LOG.error("node {} could not finish its demotion: {}", nodeId, e.toString());
            }
        }
    }

    /**
     * A worker promoted: it takes a manager's certificate, opens its cluster port, joins the Raft group through the
     * leader and goes on as a manager. Its tasks run on throughout, adopted by the new agent.
     */
    private void becomeManager() {
        synchronized (swarm) {
            if (swarm.manager != null || swarm.clusterClient == null) {
                return;
            }
            String nodeId = swarm.daemon.nodeId();
            DaemonConfig config = swarm.config;
            try {
                NodeFiles.SwarmState before = NodeFiles.swarm(config.dataDir());
                CertificateAuthority.Issued issued = swarm.renewal.renewThrough(swarm.clusterClient);
                if (!"manager".equals(issued.role())) {
                    return;
                }
                // A new client: the worker's kept-alive connections still show the worker's certificate.
                swarm.keys = new NodeKeys.Keys(
                        swarm.keys.certificate(),
                        swarm.keys.rootCaPem(),
                        swarm.dataKeyFrom(swarm.clusterClient.managers()),
                        null);
                NodeKeys.write(config.dataDir(), swarm.keys);
                InetSocketAddress listen = Addresses.parse("--listen-addr", config.listenAddr());
                if (listen.getPort() == 0) {
                    listen = new InetSocketAddress(listen.getAddress(), Swarm.freePort());
                }
                InetSocketAddress bound = swarm.openClusterPort(listen);
                String advertised = Addresses.host(before.advertiseAddr()) + ":" + bound.getPort();
                int raftPort = config.raftPort() == 0 ? Swarm.freePort() : config.raftPort();
                swarm.agent.detach();
                swarm.agent = null;
                List<String> managers = swarm.clusterClient.managers();
                swarm.clusterClient.close();
                swarm.clusterClient = null;
                Swarm.deleteTree(config.dataDir().resolve("raft"));
                NodeFiles.SwarmState state = NodeFiles.SwarmState.manager(
                                before.clusterId(),
                                UUID.fromString(issued.raftGroup()),
                                raftPort,
                                RaftStore.DEFAULT_SNAPSHOT_INTERVAL,
                                Swarm.hostPort(bound),
                                advertised)
                        .withManagers(managers);
                try {
                    swarm.startManager(state, Swarm.RaftStart.JOIN, null, managers.get(0));
                } catch (Exception e) {
                    LOG.error("node {} could not become a manager, it stays a worker: {}", nodeId, e.toString());
                    swarm.closeClusterPort();
                    swarm.startWorker(before);
                    return;
                }
                NodeFiles.saveSwarm(config.dataDir(), state);
                LOG.info("node {} was promoted: it is a manager now", nodeId);
            } catch (Exception e) {
                LOG.error("node {} could not finish its promotion: {}", nodeId, e.toString());
            }
        }
    }

    /**
     * Keeps this manager's keys as the swarm's autolock asks: encrypted under the swarm's unlock key while
     * {@code AutoLockManagers} is on (a new key re-encrypts them), under a key encryption key in a file beside them
     * when it is off.
     */
    private void followAutolock() {
        synchronized (swarm) {
            Manager m = swarm.manager;
            io.skep.api.model.Cluster cluster = m == null ? null : m.memory().cluster();
            NodeKeys.Keys keys = swarm.keys;
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
                        "the swarm's unlock key is unreadable: this manager's keys stay as they are ({})",
                        e.getMessage());
                return;
            }
            if (java.util.Objects.equals(wanted, keys.unlockKey())) {
                return;
            }
            try {
                NodeKeys.Keys next = keys.withUnlockKey(wanted);
                NodeKeys.write(swarm.config.dataDir(), next);
                swarm.keys = next;
                LOG.info(
                        wanted == null
                                ? "autolock is off: this manager's keys are kept with their key encryption key"
                                : "autolock is on: this manager's keys are encrypted under the swarm's unlock key");
            } catch (IOException e) {
                LOG.error("cannot re-encrypt this manager's keys for the swarm's autolock: {}", e.toString());
            }
        }
    }

    /** The managers' addresses a leader sent: kept in swarm.json for the next start. */
    private void managersLearnt(List<String> managers) {
        synchronized (swarm) {
            try {
                NodeFiles.SwarmState s = NodeFiles.swarm(swarm.config.dataDir());
                if (s != null) {
                    NodeFiles.saveSwarm(swarm.config.dataDir(), s.withManagers(managers));
                }
            } catch (IOException e) {
                LOG.warn("cannot keep the managers' addresses: {}", e.toString());
            }
        }
    }

    /** Stops taking changes: the node is stopping. */
    @Override
    public void close() {
        roleChanges.shutdownNow();
    }
}

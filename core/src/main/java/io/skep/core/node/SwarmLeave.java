package io.skep.core.node;

import io.skep.api.model.Json;
import io.skep.api.model.Node;
import io.skep.core.manager.Manager;
import io.skep.core.store.Batch;
import io.skep.core.store.RaftStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A node's leaving of its swarm ({@code swarm leave}): its tasks stopped, its manager out, its swarm forgotten. */
final class SwarmLeave {
    private static final Logger LOG = LoggerFactory.getLogger(SwarmLeave.class);

    private final Swarm swarm;

    /** Runs under {@code swarm}'s lock (its callers hold it). */
    SwarmLeave(Swarm swarm) {
        this.swarm = swarm;
    }

    /**
     * Leaves the swarm (the API has checked {@code --force} for a manager): the tasks of this node are stopped and
     * removed, the manager stops, and the Raft log, swarm.json and certificates are deleted. The node takes a new ID.
     */
    void leave() throws Exception {
        if (swarm.locked != null) {
            // A locked manager runs nothing: it only forgets the swarm.
            swarm.locked = null;
            forget();
            return;
        }
        if (swarm.membership == null) {
            throw new IllegalStateException("this node is not part of a swarm"); // the API checked
        }
        if (swarm.agent != null) {
            swarm.agent.leave(Duration.ofSeconds(60));
            swarm.agent = null;
        }
        swarm.closeClusterPort();
        if (swarm.manager != null) {
            leaveRaftGroup(swarm.manager);
            swarm.manager.close();
            swarm.manager = null;
        }
        if (swarm.clusterClient != null) {
            swarm.clusterClient.close();
            swarm.clusterClient = null;
        }
        swarm.membership = null;
        swarm.tls = null;
        swarm.keys = null;
        swarm.renewal.forget();
        forget();
    }

    /** Deletes what this node kept of its swarm (Raft log, keys, swarm.json); it takes a new node ID. */
    private void forget() throws IOException {
        Path data = swarm.config.dataDir();
        Swarm.deleteTree(data.resolve("raft"));
        NodeKeys.delete(data);
        Files.deleteIfExists(data.resolve("swarm.json"));
        // As in Swarm, a node that leaves is a new node when it joins again: new ID, daemon.runtimes() opened under it.
        Daemon daemon = swarm.daemon;
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
        String nodeId = swarm.daemon.nodeId();
        try {
            if (m.raft().members().size() <= 1 || !m.raft().hasQuorum()) {
                return;
            }
            Node me = m.memory().get(io.skep.api.model.Kind.NODE, nodeId);
            if (me != null) {
                Node next = Json.copy(me);
                next.spec.role = "worker";
                next.managerStatus = null;
                m.commit(new Batch().update(next));
            }
            if (nodeId.equals(m.raft().leaderId())) {
                for (RaftStore.Member other : m.raft().members()) {
                    if (!other.id().equals(nodeId)) {
                        m.raft().transferLeadership(other.id(), Duration.ofSeconds(5));
                        break;
                    }
                }
            }
            m.raft().removeMember(nodeId);
        } catch (IOException | RuntimeException e) {
            LOG.warn("this manager leaves without taking itself out of the Raft group: {}", e.toString());
        }
    }
}

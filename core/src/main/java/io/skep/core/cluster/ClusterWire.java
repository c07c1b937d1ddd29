package io.skep.core.cluster;

import io.skep.api.model.Task;

/** The bodies of the cluster port's calls that are not store objects (both ends read and write these). */
final class ClusterWire {
    private ClusterWire() {}

    /** {@code GET /ca}: the swarm's root CA certificate, PEM. */
    record RootCaAnswer(String rootCa) {}

    /** {@code POST /certificates/renew}: a certificate request for the node's new key. */
    record RenewRequest(String csr) {}

    /**
     * {@code POST /dispatcher/sessions}: the new session, how often the node must say it is alive, and the managers'
     * cluster addresses, the leader's first.
     */
    record SessionOpened(String sessionId, long heartbeatPeriod, java.util.List<String> managers) {}

    /**
     * {@code POST /dispatcher/sessions/{id}/heartbeat}: the period until the next one (the swarm's, may change), the
     * managers, the role the swarm gives the node now (a promoted worker learns it so), the root CAs to trust (PEM;
     * two during a root rotation) and the one whose certificates nodes are to have (a rotation's new root).
     */
    record HeartbeatAnswer(
            long heartbeatPeriod,
            java.util.List<String> managers,
            String role,
            String trustRoots,
            String signingRoot) {}

    /**
     * {@code POST /raft/members}: a manager that joined (or was promoted) asks to become a member of the Raft group:
     * its Raft address, and its cluster port's.
     */
    record RaftMember(String id, String addr, String clusterAddr) {}

    /** {@code GET /raft/key}: the store's data key, base64, for a manager about to open its Raft member. */
    record DataKeyAnswer(String key) {}

    /** One task's observed status, as a node reports it ({@code POST /dispatcher/sessions/{id}/status} takes a list). */
    record StatusUpdate(String taskId, Task.TaskStatus status) {}
}

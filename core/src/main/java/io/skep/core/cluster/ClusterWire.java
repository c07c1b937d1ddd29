package io.skep.core.cluster;

import io.skep.core.model.Task;

/** The bodies of the cluster port's calls that are not store objects (both ends read and write these). */
final class ClusterWire {
    private ClusterWire() {
    }

    /** {@code GET /ca}: the swarm's root CA certificate, PEM. */
    record RootCaAnswer(String rootCa) {
    }

    /** {@code POST /certificates/renew}: a certificate request for the node's new key. */
    record RenewRequest(String csr) {
    }

    /** {@code POST /dispatcher/sessions}: the new session, and how often the node must say it is alive. */
    record SessionOpened(String sessionId, long heartbeatPeriod) {
    }

    /** {@code POST /dispatcher/sessions/{id}/heartbeat}: the period until the next one (the swarm's, may change). */
    record HeartbeatAnswer(long heartbeatPeriod) {
    }

    /** One task's observed status, as a node reports it ({@code POST /dispatcher/sessions/{id}/status} takes a list). */
    record StatusUpdate(String taskId, Task.TaskStatus status) {
    }
}

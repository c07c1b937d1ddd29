package io.skep.core.api;

import io.skep.api.model.Json;
import io.skep.api.model.Node;
import io.skep.core.manager.Manager;
import io.skep.core.store.Batch;
import io.skep.core.store.CommitResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code /nodes}: list, inspect, update of the spec (labels, availability, role). */
final class NodeRoutes {
    private static final Set<String> FILTERS = Set.of("id", "name", "role", "membership", "label", "node.label");
    private static final Set<String> AVAILABILITY = Set.of("active", "pause", "drain");
    private static final Set<String> ROLES = Set.of("worker", "manager");

    private final NodeContext node;

    NodeRoutes(NodeContext node) {
        this.node = node;
    }

    void register(Router router) {
        router.add("GET", "/nodes", this::list)
                .add("GET", "/nodes/{id}", this::inspect)
                .add("POST", "/nodes/{id}/update", this::update)
                .add("DELETE", "/nodes/{id}", this::remove);
    }

    private ApiResponse list(ApiRequest request) {
        Manager manager = node.requireManager();
        Filters f = Filters.parse(request.query("filters"), FILTERS);
        List<Node> out = new ArrayList<>();
        for (Node n : manager.memory().nodes()) {
            if (f.matches("id", n.id::startsWith)
                    && f.matches("name", v -> v.equals(n.hostname()) || v.equals(n.spec.name))
                    && f.matches("role", v -> v.equals(n.spec.role))
                    && f.matches("membership", "accepted"::equals)
                    && f.matchesLabels("node.label", n.spec.labels)
                    && f.matchesLabels(
                            "label",
                            n.description == null || n.description.engine == null
                                    ? null
                                    : n.description.engine.labels)) {
                out.add(n);
            }
        }
        return ApiResponse.ok(out);
    }

    private ApiResponse inspect(ApiRequest request) {
        Manager manager = node.requireManager();
        return ApiResponse.ok(Resolve.node(manager.memory(), request.param("id")));
    }

    /**
     * {@code DELETE /nodes/{id}?force=B}: Swarm's rules and words: a manager must be demoted first, and a node that
     * is not down goes only when forced. Its tasks are replaced elsewhere; its certificate opens nothing from now on.
     */
    private ApiResponse remove(ApiRequest request) throws Exception {
        Manager manager = node.requireManager();
        Node target = Resolve.node(manager.memory(), request.param("id"));
        if ("manager".equals(target.spec.role)) {
            throw new ApiException(
                    400,
                    "rpc error: code = FailedPrecondition desc = node " + target.id + " is a "
                            + "cluster manager and is a member of the raft cluster. It must be demoted to worker before removal");
        }
        if (!request.flag("force") && !"down".equals(target.status.state)) {
            throw new ApiException(
                    400,
                    "rpc error: code = FailedPrecondition desc = node " + target.id
                            + " is not down and can't be removed");
        }
        io.skep.api.model.Cluster cluster = manager.memory().cluster();
        CommitResult result = manager.commit(
                new Batch().delete(io.skep.api.model.Kind.NODE, target.id).update(removing(cluster, target.id)));
        if (!result.applied()) {
            throw ApiException.conflict(result.conflict());
        }
        return ApiResponse.empty(200);
    }

    /**
     * The swarm with {@code nodeId} among its removed nodes until every certificate it may hold has expired (the
     * longest a certificate is signed for: the swarm's expiry now, or 90 days), and without those whose time is over.
     */
    private static io.skep.api.model.Cluster removing(io.skep.api.model.Cluster cluster, String nodeId) {
        io.skep.api.model.Cluster next = Json.copy(cluster);
        java.time.Instant now = java.time.Instant.now();
        java.util.Map<String, String> removed = new java.util.TreeMap<>();
        if (cluster.removedNodes != null) {
            cluster.removedNodes.forEach((id, until) -> {
                if (now.isBefore(java.time.Instant.parse(until))) {
                    removed.put(id, until);
                }
            });
        }
        java.time.Duration longest = cluster.nodeCertExpiry().compareTo(io.skep.api.model.Defaults.NODE_CERT_EXPIRY) > 0
                ? cluster.nodeCertExpiry()
                : io.skep.api.model.Defaults.NODE_CERT_EXPIRY;
        removed.put(nodeId, now.plus(longest).toString());
        next.removedNodes = removed;
        return next;
    }

    private ApiResponse update(ApiRequest request) throws Exception {
        Manager manager = node.requireManager();
        Node current = Resolve.node(manager.memory(), request.param("id"));
        String version = request.query("version");
        if (version == null) {
            throw ApiException.badRequest("invalid node version: the version query parameter is required");
        }
        long versionIndex;
        try {
            versionIndex = Long.parseLong(version);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(
                    "invalid node version \"" + FieldChecks.shown(version) + "\": expected a number");
        }
        Node.Spec spec = request.body(Node.Spec.class, "NodeSpec");
        FieldChecks.text(spec.name, RequestLimits.NAME_LENGTH, "Name");
        FieldChecks.labels(spec.labels, "Labels");
        if (spec.availability != null && !AVAILABILITY.contains(spec.availability)) {
            throw ApiException.badRequest("invalid Availability \"" + FieldChecks.shown(spec.availability)
                    + "\": expected active, pause or drain");
        }
        if (spec.role != null && !ROLES.contains(spec.role)) {
            throw ApiException.badRequest(
                    "invalid Role \"" + FieldChecks.shown(spec.role) + "\": expected worker or manager");
        }
        boolean demote = "worker".equals(spec.role) && "manager".equals(current.spec.role);
        if (demote) {
            checkDemotion(manager, current);
        }
        Node next = Json.copy(current);
        next.spec = spec;
        if (demote) {
            next.managerStatus = null;
        }
        next.version.index = versionIndex;
        CommitResult result = manager.commit(new Batch().update(next));
        if (!result.applied()) {
            throw ApiException.conflict(result.conflict());
        }
        if (demote) {
            leaveRaft(manager, current.id);
        }
        // A promoted worker learns its new role from its dispatcher session, and joins the Raft group itself.
        return ApiResponse.empty(200);
    }

    /**
     * Swarm's rules for taking a manager out of the Raft group: never the last one, and never when the managers left
     * would not make a majority of the group that remains.
     */
    private static void checkDemotion(Manager manager, Node target) throws java.io.IOException {
        List<io.skep.core.store.RaftStore.Member> members = manager.raft().members();
        List<String> remaining = members.stream()
                .map(io.skep.core.store.RaftStore.Member::id)
                .filter(id -> !id.equals(target.id))
                .toList();
        if (remaining.isEmpty()) {
            throw new ApiException(
                    400,
                    "rpc error: code = FailedPrecondition desc = attempting to demote the last "
                            + "manager of the swarm");
        }
        long reachable = remaining.stream()
                .filter(id -> {
                    Node n = manager.memory().get(io.skep.api.model.Kind.NODE, id);
                    return n != null && n.managerStatus != null && "reachable".equals(n.managerStatus.reachability);
                })
                .count();
        if (reachable * 2 <= remaining.size()) {
            throw new ApiException(
                    400,
                    "rpc error: code = FailedPrecondition desc = can't remove member from the raft: "
                            + "this would result in a loss of quorum");
        }
    }

    /** Takes a demoted manager out of the Raft group (leadership first goes elsewhere, if it led). */
    private static void leaveRaft(Manager manager, String nodeId) throws java.io.IOException {
        if (nodeId.equals(manager.raft().leaderId())) {
            for (io.skep.core.store.RaftStore.Member m : manager.raft().members()) {
                Node n = manager.memory().get(io.skep.api.model.Kind.NODE, m.id());
                if (!m.id().equals(nodeId)
                        && n != null
                        && n.managerStatus != null
                        && "reachable".equals(n.managerStatus.reachability)) {
                    manager.raft().transferLeadership(m.id(), java.time.Duration.ofSeconds(10));
                    break;
                }
            }
        }
        manager.raft().removeMember(nodeId);
    }
}

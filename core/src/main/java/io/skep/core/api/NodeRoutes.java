package io.skep.core.api;

import io.skep.core.manager.Manager;
import io.skep.core.model.Json;
import io.skep.core.model.Node;
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
                    && f.matchesLabels("label", n.description == null || n.description.engine == null ? null : n.description.engine.labels)) {
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
            throw new ApiException(400, "rpc error: code = FailedPrecondition desc = node " + target.id + " is a "
                    + "cluster manager and is a member of the raft cluster. It must be demoted to worker before removal");
        }
        if (!request.flag("force") && !"down".equals(target.status.state)) {
            throw new ApiException(400, "rpc error: code = FailedPrecondition desc = node " + target.id
                    + " is not down and can't be removed");
        }
        CommitResult result = manager.commit(new Batch().delete(io.skep.core.model.Kind.NODE, target.id));
        if (!result.applied()) {
            throw ApiException.conflict(result.conflict());
        }
        return ApiResponse.empty(200);
    }

    private ApiResponse update(ApiRequest request) throws Exception {
        Manager manager = node.requireManager();
        Node current = Resolve.node(manager.memory(), request.param("id"));
        String version = request.query("version");
        if (version == null) {
            throw ApiException.badRequest("invalid node version: the version query parameter is required");
        }
        Node.Spec spec = request.body(Node.Spec.class, "NodeSpec");
        if (spec.availability != null && !AVAILABILITY.contains(spec.availability)) {
            throw ApiException.badRequest("invalid Availability \"" + spec.availability + "\": expected active, pause or drain");
        }
        if (spec.role != null && !ROLES.contains(spec.role)) {
            throw ApiException.badRequest("invalid Role \"" + spec.role + "\": expected worker or manager");
        }
        if ("worker".equals(spec.role) && "manager".equals(current.spec.role)) {
            throw ApiException.badRequest("invalid Role: demoting the only manager would leave the swarm without one");
        }
        Node next = Json.copy(current);
        next.spec = spec;
        try {
            next.version.index = Long.parseLong(version);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid node version \"" + version + "\": expected a number");
        }
        CommitResult result = manager.commit(new Batch().update(next));
        if (!result.applied()) {
            throw ApiException.conflict(result.conflict());
        }
        return ApiResponse.empty(200);
    }
}

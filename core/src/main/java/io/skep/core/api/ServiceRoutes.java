package io.skep.core.api;

import io.skep.api.model.Defaults;
import io.skep.api.model.Ids;
import io.skep.api.model.Json;
import io.skep.api.model.Kind;
import io.skep.api.model.Service;
import io.skep.api.model.ServiceSpec;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import io.skep.core.manager.Manager;
import io.skep.core.store.Batch;
import io.skep.core.store.CommitResult;
import io.skep.core.store.MemoryStore;
import io.skep.core.store.ServicePatch;
import io.skep.core.store.TaskPatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /services}: create, list, inspect, update (with {@code ?version=}, rollback), remove; and skep's
 * {@code POST /services/{id}/rebalance}.
 */
final class ServiceRoutes {
    private static final Set<String> FILTERS = Set.of("id", "name", "label", "mode");

    private final NodeContext node;

    ServiceRoutes(NodeContext node) {
        this.node = node;
    }

    void register(Router router) {
        router.add("POST", "/services/create", this::create)
                .add("GET", "/services", this::list)
                .add("GET", "/services/{id}", this::inspect)
                .add("POST", "/services/{id}/update", this::update)
                .add("POST", "/services/{id}/rebalance", this::rebalance)
                .add("DELETE", "/services/{id}", this::remove);
    }

    private ApiResponse create(ApiRequest request) throws Exception {
        Manager manager = node.requireManager();
        ServiceSpecValidator.checkSize(request.body());
        ServiceSpec spec = request.body(ServiceSpec.class, "ServiceSpec");
        if (spec.name == null || spec.name.isEmpty()) {
            do {
                spec.name = ServiceSpecValidator.randomName();
            } while (manager.memory().serviceByName(spec.name) != null);
        }
        ServiceSpecValidator.validate(spec, node, manager.memory().nodes());
        ServiceSpecValidator.resolveNetworks(spec, manager.memory());
        if (manager.memory().serviceByName(spec.name) != null) {
            throw ApiException.conflict(
                    "name conflicts with an existing object: service " + spec.name + " already exists");
        }
        ServiceSpecValidator.checkRoom(spec, null, manager.memory());
        ServiceSpecValidator.checkPortConflicts(spec, null, manager.memory());
        Service s = new Service();
        s.id = Ids.newId();
        s.createdAt = Ids.now();
        s.spec = spec;
        s.specVersion = 1L;
        s.digestTemplate();
        s.endpoint = new Service.Endpoint();
        s.endpoint.spec =
                spec.endpointSpec == null ? new io.skep.api.model.EndpointSpec() : Json.copy(spec.endpointSpec);
        if (s.endpoint.spec.mode == null) {
            s.endpoint.spec.mode = "vip";
        }
        s.endpoint.ports = s.endpoint.spec.ports;
        commit(manager, new Batch().create(s));
        return ApiResponse.json(201, Map.of("ID", s.id));
    }

    private ApiResponse list(ApiRequest request) {
        Manager manager = node.requireManager();
        Filters f = Filters.parse(request.query("filters"), FILTERS);
        MemoryStore m = manager.memory();
        List<Service> out = new ArrayList<>();
        for (Service s : m.services()) {
            boolean match = f.matches("id", s.id::startsWith)
                    && f.matches("name", v -> s.name().startsWith(v))
                    && f.matchesLabels("label", s.spec.labels)
                    && f.matches("mode", v -> v.equals(s.isGlobal() ? "global" : "replicated"));
            if (match) {
                Service view = Json.copy(s);
                if (request.flag("status")) {
                    view.serviceStatus = status(s, m.tasksOfService(s.id));
                }
                out.add(view);
            }
        }
        out.sort(java.util.Comparator.comparing(s -> s.createdAt));
        return ApiResponse.ok(out);
    }

    /** Running and desired task counts, as {@code service ls} shows them. */
    static Service.ServiceStatus status(Service s, List<Task> tasks) {
        Service.ServiceStatus st = new Service.ServiceStatus();
        st.runningTasks = tasks.stream()
                .filter(t -> t.isWanted() && t.state() == TaskState.RUNNING)
                .count();
        st.desiredTasks = s.isGlobal() ? tasks.stream().filter(Task::isWanted).count() : s.replicas();
        return st;
    }

    private ApiResponse inspect(ApiRequest request) {
        Manager manager = node.requireManager();
        Service s = Json.copy(Resolve.service(manager.memory(), request.param("id")));
        if (!"false".equals(request.query("insertDefaults")) && request.query("insertDefaults") != null) {
            s.spec = Defaults.withDefaults(s.spec);
            if (s.previousSpec != null) {
                s.previousSpec = Defaults.withDefaults(s.previousSpec);
            }
        }
        return ApiResponse.ok(s);
    }

    private ApiResponse update(ApiRequest request) throws Exception {
        Manager manager = node.requireManager();
        Service current = Resolve.service(manager.memory(), request.param("id"));
        String versionParam = request.query("version");
        if (versionParam == null) {
            throw ApiException.badRequest("invalid service version: the version query parameter is required");
        }
        long version;
        try {
            version = Long.parseLong(versionParam);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid service version \"" + versionParam + "\": expected a number");
        }
        Service next = Json.copy(current);
        boolean rollback = "previous".equals(request.query("rollback"));
        if (rollback) {
            if (current.previousSpec == null) {
                throw ApiException.badRequest("service " + current.name() + " does not have a previous spec");
            }
            next.spec = Json.copy(current.previousSpec);
            Service.UpdateStatus u = new Service.UpdateStatus();
            u.state = "rollback_started";
            u.startedAt = Ids.now();
            u.message = "manually requested rollback";
            next.updateStatus = u;
        } else {
            ServiceSpecValidator.checkSize(request.body());
            ServiceSpec spec = request.body(ServiceSpec.class, "ServiceSpec");
            if (spec.name == null || spec.name.isEmpty()) {
                spec.name = current.name();
            }
            if (!spec.name.equals(current.name())) {
                throw ApiException.badRequest("invalid Name: renaming services is not supported (" + current.name()
                        + " → " + spec.name + ")");
            }
            ServiceSpecValidator.validate(spec, node, manager.memory().nodes());
            ServiceSpecValidator.resolveNetworks(spec, manager.memory());
            ServiceSpecValidator.checkRoom(spec, current.id, manager.memory());
            ServiceSpecValidator.checkPortConflicts(spec, current.id, manager.memory());
            next.spec = spec;
            next.updateStatus = null;
        }
        next.previousSpec = current.spec;
        next.specVersion = (current.specVersion == null ? 1 : current.specVersion) + 1;
        next.digestTemplate();
        next.version.index = version;
        next.endpoint = current.endpoint;
        commit(manager, new Batch().update(next));
        return ApiResponse.ok(Map.of("Warnings", List.of()));
    }

    /**
     * skep's own call: move the service's tasks once until its spread is even (the orchestrator does it within
     * the update parallelism and marks the request completed). Global services have one task per node already.
     */
    private ApiResponse rebalance(ApiRequest request) throws Exception {
        Manager manager = node.requireManager();
        Service s = Resolve.service(manager.memory(), request.param("id"));
        if (s.isGlobal()) {
            throw ApiException.badRequest("service " + s.name() + " is global: it has one task on each node already");
        }
        ServicePatch p = new ServicePatch();
        p.rebalanceStatus = new Service.RebalanceStatus();
        p.rebalanceStatus.state = "requested";
        p.rebalanceStatus.requestedAt = Ids.now();
        p.rebalanceStatus.message = "rebalance requested";
        commit(manager, new Batch().patchService(s.id, p));
        return ApiResponse.empty(200);
    }

    private ApiResponse remove(ApiRequest request) throws Exception {
        Manager manager = node.requireManager();
        Service s = Resolve.service(manager.memory(), request.param("id"));
        Batch batch = new Batch().delete(Kind.SERVICE, s.id);
        for (Task t : manager.memory().tasksOfService(s.id)) {
            batch.patchTask(t.id, TaskPatch.desired(TaskState.REMOVE.wire()));
        }
        commit(manager, batch);
        return ApiResponse.empty(200);
    }

    private static void commit(Manager manager, Batch batch) throws Exception {
        CommitResult result = manager.commit(batch);
        if (!result.applied()) {
            throw ApiException.conflict(result.conflict());
        }
    }
}

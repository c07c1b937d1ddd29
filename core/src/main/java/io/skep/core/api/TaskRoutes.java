package io.skep.core.api;

import io.skep.api.model.Kind;
import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.core.manager.Manager;
import io.skep.core.orchestrator.Tasks;
import io.skep.core.store.MemoryStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code /tasks}: list with Docker's filters (and the hidden {@code _up-to-date}), inspect. */
final class TaskRoutes {
    private static final Set<String> FILTERS =
            Set.of("id", "name", "service", "node", "label", "desired-state", "_up-to-date");

    private final NodeContext node;

    TaskRoutes(NodeContext node) {
        this.node = node;
    }

    void register(Router router) {
        router.add("GET", "/tasks", this::list).add("GET", "/tasks/{id}", this::inspect);
    }

    private ApiResponse list(ApiRequest request) {
        Manager manager = node.requireManager();
        MemoryStore m = manager.memory();
        Filters f = Filters.parse(request.query("filters"), FILTERS);
        boolean upToDate = f.has("_up-to-date");
        List<Task> out = new ArrayList<>();
        for (Task t : m.tasks()) {
            Service s = m.get(Kind.SERVICE, t.serviceId);
            boolean match = f.matches("id", t.id::startsWith)
                    && f.matches("name", v -> t.name().startsWith(v))
                    && f.matches("service", v -> v.equals(t.serviceId) || v.equals(t.serviceName()))
                    && f.matches("node", v -> v.equals(t.nodeId) || (t.nodeId != null && nodeNamed(m, t.nodeId, v)))
                    && f.matches(
                            "desired-state",
                            v -> v.equalsIgnoreCase(t.desiredState) || (v.equals("accepted") && t.isWanted()))
                    && f.matchesLabels("label", t.serviceAnnotations == null ? null : t.serviceAnnotations.labels)
                    && (!upToDate || (s != null && Tasks.upToDate(t, s)));
            if (match) {
                out.add(t);
            }
        }
        out.sort(Tasks.NEWEST_FIRST.reversed());
        return ApiResponse.ok(out);
    }

    private static boolean nodeNamed(MemoryStore m, String nodeId, String name) {
        var n = m.<io.skep.api.model.Node>get(Kind.NODE, nodeId);
        return n != null && name.equals(n.hostname());
    }

    private ApiResponse inspect(ApiRequest request) {
        Manager manager = node.requireManager();
        return ApiResponse.ok(Resolve.task(manager.memory(), request.param("id")));
    }
}

package io.skep.core.orchestrator;

import io.skep.api.model.Ids;
import io.skep.api.model.Json;
import io.skep.api.model.Service;
import io.skep.api.model.Task;
import io.skep.api.model.TaskState;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Making tasks of a service, and judging them against it. */
public final class Tasks {
    /** Newest first, by creation time then ID (IDs break ties deterministically). */
    public static final Comparator<Task> NEWEST_FIRST = Comparator.comparing(
                    (Task t) -> t.createdAt == null ? "" : t.createdAt)
            .thenComparing(t -> t.id)
            .reversed();

    private Tasks() {}

    /**
     * A new task of {@code service}: in a slot (replicated) or on a node (global), for the runtime the
     * service resolves to.
     */
    public static Task create(Service service, long slot, String nodeId, String runtime, TaskState desired) {
        Task t = new Task();
        t.id = Ids.newId();
        t.createdAt = Ids.now();
        t.serviceId = service.id;
        t.slot = slot;
        t.nodeId = nodeId;
        t.spec = Json.copy(service.spec.taskTemplate);
        t.labels = Map.of();
        t.serviceAnnotations = new Task.Annotations();
        t.serviceAnnotations.name = service.spec.name;
        t.serviceAnnotations.labels = service.spec.labels == null ? null : new HashMap<>(service.spec.labels);
        t.runtime = runtime;
        t.specVersion = service.specVersion;
        t.templateDigest = service.templateDigest;
        t.desiredState = desired.wire();
        t.status = new Task.TaskStatus();
        t.status.state = TaskState.NEW.wire();
        t.status.message = "created";
        t.status.timestamp = t.createdAt;
        return t;
    }

    /**
     * Whether a task was made from the service's current task template and runtime: the digests made when the
     * spec was written match (this runs for every task on every pass of the orchestrators).
     */
    public static boolean upToDate(Task task, Service service) {
        return Objects.equals(task.templateDigest, service.templateDigest);
    }

    /** The newest of some tasks, or null. */
    public static Task newest(List<Task> tasks) {
        return tasks.stream().min(NEWEST_FIRST).orElse(null);
    }
}

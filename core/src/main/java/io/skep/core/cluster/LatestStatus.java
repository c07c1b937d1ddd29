package io.skep.core.cluster;

import io.skep.api.model.Task;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The latest status this node reported for each task assigned to it: a new session (another manager took over, or
 * leadership moved) hears all of it first, as the manager before may have lost what it had not written yet.
 */
final class LatestStatus {
    private final Map<String, Task.TaskStatus> latest = new LinkedHashMap<>();

    synchronized void put(String taskId, Task.TaskStatus status) {
        latest.put(taskId, status);
    }

    /** Forgets the tasks no longer assigned ({@code tasks} is the node's whole task set). */
    synchronized void retainAssigned(List<Task> tasks) {
        Set<String> ids = new HashSet<>();
        tasks.forEach(t -> ids.add(t.id));
        latest.keySet().retainAll(ids);
    }

    synchronized void forEach(BiConsumer<String, Task.TaskStatus> action) {
        latest.forEach(action);
    }
}

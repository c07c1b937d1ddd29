package io.skep.core.dispatcher;

import io.skep.api.model.Task;
import java.util.List;

/**
 * What the dispatcher sends a node, whole each time: its tasks, and a {@link NetworkView} of each network they are
 * on.
 *
 * @param tasks    every task placed on the node that the managers still track, by ID
 * @param networks one view per network of those tasks, by network ID
 */
public record NodeAssignments(List<Task> tasks, List<NetworkView> networks) {

    /** Nothing assigned. */
    public static final NodeAssignments NONE = new NodeAssignments(List.of(), List.of());

    public NodeAssignments {
        tasks = tasks == null ? List.of() : List.copyOf(tasks);
        networks = networks == null ? List.of() : List.copyOf(networks);
    }
}

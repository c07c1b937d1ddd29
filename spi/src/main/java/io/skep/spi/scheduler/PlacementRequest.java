package io.skep.spi.scheduler;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A batch of identical tasks of one service to place.
 *
 * @param serviceId          the service the tasks belong to
 * @param taskCount          how many tasks to place, at least 1
 * @param spreadDescriptors  the service's placement preferences in decreasing precedence, each a node
 *                           attribute such as {@code node.labels.az} ({@code --placement-pref spread=...});
 *                           empty when the service has none
 * @param reservations       what each task reserves ({@code --reserve-cpu}, {@code --reserve-memory})
 * @param serviceLabels      the service's labels ({@code --label})
 */
public record PlacementRequest(
        String serviceId,
        int taskCount,
        List<String> spreadDescriptors,
        Resources reservations,
        Map<String, String> serviceLabels) {

    public PlacementRequest {
        Objects.requireNonNull(serviceId, "serviceId");
        if (taskCount < 1) {
            throw new IllegalArgumentException("taskCount must be at least 1, was " + taskCount);
        }
        spreadDescriptors = List.copyOf(spreadDescriptors);
        Objects.requireNonNull(reservations, "reservations");
        serviceLabels = Map.copyOf(serviceLabels);
    }

    /** A request of tasks that reserve nothing, of a service without labels. */
    public PlacementRequest(String serviceId, int taskCount, List<String> spreadDescriptors) {
        this(serviceId, taskCount, spreadDescriptors, Resources.NONE, Map.of());
    }
}

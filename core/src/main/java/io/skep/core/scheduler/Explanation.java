package io.skep.core.scheduler;

import io.skep.spi.scheduler.SchedulerFilter;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Why no node takes a group's tasks: how many nodes each filter turned away, and which reserved resources ran
 * short, as one message ({@code no suitable node (1 node not available for new tasks; insufficient resources on
 * 2 nodes: memory)}). The core's filters come first, then the vendors' ({@link SchedulerFilter}), in pipeline order.
 */
final class Explanation {
    private final Map<NodeFilter, Integer> failures = new EnumMap<>(NodeFilter.class);
    private final Map<SchedulerFilter, Integer> vendorFailures = new LinkedHashMap<>();
    private final Set<String> shortResources = new TreeSet<>();

    void count(SchedulerFilter refusing) {
        vendorFailures.merge(refusing, 1, Integer::sum);
    }

    void count(NodeFilter failing, Demand demand, NodeInfo node) {
        failures.merge(failing, 1, Integer::sum);
        if (failing == NodeFilter.RESOURCES) {
            shortResources.addAll(NodeFilter.shortOf(demand, node));
        }
    }

    String message(Demand demand) {
        if (failures.isEmpty() && vendorFailures.isEmpty()) {
            return "no suitable node (no nodes in the swarm)";
        }
        Stream<String> core = failures.entrySet().stream().map(e -> {
            String why = e.getKey().explain(demand, e.getValue());
            return e.getKey() == NodeFilter.RESOURCES ? why + ": " + String.join(", ", shortResources) : why;
        });
        Stream<String> vendors = vendorFailures.entrySet().stream().map(e -> explain(e.getKey(), e.getValue()));
        return Stream.concat(core, vendors).collect(Collectors.joining("; ", "no suitable node (", ")"));
    }

    /** A vendor filter's part, as swarmkit's filters word theirs: {@code <explanation> on 2 nodes}. */
    static String explain(SchedulerFilter filter, int nodes) {
        return filter.explanation() + " on " + nodes + (nodes == 1 ? " node" : " nodes");
    }
}

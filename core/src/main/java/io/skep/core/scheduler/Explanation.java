package io.skep.core.scheduler;

import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Why no node takes a group's tasks: how many nodes each filter turned away, and which reserved resources ran
 * short, as one message ({@code no suitable node (1 node not available for new tasks; insufficient resources on
 * 2 nodes: memory)}).
 */
final class Explanation {
    private final Map<NodeFilter, Integer> failures = new EnumMap<>(NodeFilter.class);
    private final Set<String> shortResources = new TreeSet<>();

    void count(NodeFilter failing, Demand demand, NodeInfo node) {
        failures.merge(failing, 1, Integer::sum);
        if (failing == NodeFilter.RESOURCES) {
            shortResources.addAll(NodeFilter.shortOf(demand, node));
        }
    }

    String message(Demand demand) {
        if (failures.isEmpty()) {
            return "no suitable node (no nodes in the swarm)";
        }
        return failures.entrySet().stream().map(e -> {
            String why = e.getKey().explain(demand, e.getValue());
            return e.getKey() == NodeFilter.RESOURCES ? why + ": " + String.join(", ", shortResources) : why;
        }).collect(Collectors.joining("; ", "no suitable node (", ")"));
    }
}

package io.skep.spi.scheduler;

import java.util.Map;
import java.util.Objects;

/**
 * A node that passed every filter for a placement request, with its current load.
 *
 * @param nodeId         the node's ID
 * @param attributes     the node's attributes by constraint name: {@code node.id}, {@code node.hostname},
 *                       {@code node.role}, {@code node.platform.os}, {@code node.platform.arch}, and one
 *                       {@code node.labels.<key>} per node label
 * @param serviceTasks   active tasks of the request's service already on the node
 * @param totalTasks     active tasks of all services on the node
 * @param capacity       how many more tasks of this request the node can take ({@link Integer#MAX_VALUE}
 *                       when nothing limits it)
 * @param recentFailures failures of this service's tasks on this node in the last few minutes; a strategy
 *                       should avoid nodes where a service keeps failing
 * @param free           what the node has left: its total less the reservations of the tasks that hold a place
 *                       on it (none below zero)
 * @param total          what the node reports ({@code Description.Resources}); {@link Resources#NONE} when it
 *                       reports nothing
 */
public record NodeCandidate(
        String nodeId,
        Map<String, String> attributes,
        int serviceTasks,
        int totalTasks,
        int capacity,
        int recentFailures,
        Resources free,
        Resources total) {

    public NodeCandidate {
        Objects.requireNonNull(nodeId, "nodeId");
        attributes = Map.copyOf(attributes);
        Objects.requireNonNull(free, "free");
        Objects.requireNonNull(total, "total");
        if (serviceTasks < 0 || totalTasks < 0 || capacity < 0 || recentFailures < 0) {
            throw new IllegalArgumentException("negative count in candidate " + nodeId);
        }
    }

    /** A candidate whose resources are not known ({@link Resources#NONE}). */
    public NodeCandidate(
            String nodeId,
            Map<String, String> attributes,
            int serviceTasks,
            int totalTasks,
            int capacity,
            int recentFailures) {
        this(nodeId, attributes, serviceTasks, totalTasks, capacity, recentFailures, Resources.NONE, Resources.NONE);
    }

    /** The value of an attribute such as {@code node.labels.az}, or {@code null} when the node has none. */
    public String attribute(String name) {
        return attributes.get(name);
    }
}

package io.skep.spi.scheduler;

import java.util.Objects;

/**
 * A move of one running task of a service from a node to another, as the rebalancer makes it: the task on
 * {@code fromNodeId} is stopped and a new one of its slot is scheduled, for {@code toNodeId}.
 */
public record TaskMove(String fromNodeId, String toNodeId) {

    public TaskMove {
        Objects.requireNonNull(fromNodeId, "fromNodeId");
        Objects.requireNonNull(toNodeId, "toNodeId");
        if (fromNodeId.equals(toNodeId)) {
            throw new IllegalArgumentException("a move from node " + fromNodeId + " to itself");
        }
    }
}

package io.skep.example.binpack;

import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.SchedulerStrategy;
import io.skep.spi.scheduler.TaskMove;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Bin-pack: each task goes to the node with the least free resources (memory, then CPU, then node ID) that still
 * has room for it, so nodes fill one after another and the others stay free for large tasks. A service asks for it
 * with the label {@code io.skep.scheduler=binpack}.
 */
public final class BinpackStrategy implements SchedulerStrategy {
    private static final Comparator<NodeCandidate> FULLEST_FIRST = Comparator.comparingLong(
                    (NodeCandidate c) -> c.free().memoryBytes())
            .thenComparingLong(c -> c.free().nanoCpus())
            .thenComparing(NodeCandidate::nodeId);

    @Override
    public String name() {
        return "binpack";
    }

    @Override
    public String description() {
        return "bin-pack: fill the node with the least free resources that still fits (io.skep.scheduler=binpack)";
    }

    /** Below the built-in spread (0): only the services that name it are packed. */
    @Override
    public int weight() {
        return -10;
    }

    @Override
    public boolean appliesTo(PlacementRequest request) {
        return true;
    }

    @Override
    public List<String> place(PlacementRequest request, List<NodeCandidate> candidates) {
        // A task only lowers its node's free resources: the fullest node stays the fullest until it is full.
        List<NodeCandidate> fullestFirst = candidates.stream()
                .filter(c -> c.capacity() > 0)
                .sorted(FULLEST_FIRST)
                .toList();
        List<String> placed = new ArrayList<>(request.taskCount());
        for (NodeCandidate node : fullestFirst) {
            int take = Math.min(node.capacity(), request.taskCount() - placed.size());
            placed.addAll(Collections.nCopies(take, node.nodeId()));
        }
        return placed;
    }

    /** A packed service is never spread out again by the rebalancer. */
    @Override
    public Optional<TaskMove> nextMove(PlacementRequest request, List<NodeCandidate> nodes) {
        return Optional.empty();
    }
}

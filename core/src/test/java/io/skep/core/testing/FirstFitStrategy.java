package io.skep.core.testing;

import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.SchedulerContext;
import io.skep.spi.scheduler.SchedulerStrategy;
import io.skep.spi.scheduler.TaskMove;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A vendor strategy of the tests, {@code first-fit}: every task on the first node by ID that has room, and a
 * rebalancing move brings a task there from any later node. Weight -1: only services that name it get it. It
 * remembers what it was told (the candidates of its last placement, its context).
 */
public final class FirstFitStrategy implements SchedulerStrategy {
    public List<NodeCandidate> candidates = List.of();
    public SchedulerContext context;

    @Override
    public String name() {
        return "first-fit";
    }

    @Override
    public int weight() {
        return -1;
    }

    @Override
    public boolean appliesTo(PlacementRequest request) {
        return true;
    }

    @Override
    public void init(SchedulerContext context) {
        this.context = context;
    }

    @Override
    public List<String> place(PlacementRequest request, List<NodeCandidate> candidates) {
        this.candidates = candidates;
        List<String> placed = new ArrayList<>();
        for (NodeCandidate c : candidates.stream()
                .sorted(Comparator.comparing(NodeCandidate::nodeId))
                .toList()) {
            for (int i = 0; i < c.capacity() && placed.size() < request.taskCount(); i++) {
                placed.add(c.nodeId());
            }
        }
        return placed;
    }

    @Override
    public Optional<TaskMove> nextMove(PlacementRequest request, List<NodeCandidate> nodes) {
        return nodes.stream()
                .filter(n -> n.capacity() > 0)
                .min(Comparator.comparing(NodeCandidate::nodeId))
                .flatMap(target -> nodes.stream()
                        .filter(n -> n.serviceTasks() > 0 && n.nodeId().compareTo(target.nodeId()) > 0)
                        .map(n -> new TaskMove(n.nodeId(), target.nodeId()))
                        .findFirst());
    }
}

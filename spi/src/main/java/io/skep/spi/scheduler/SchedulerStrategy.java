package io.skep.spi.scheduler;

import io.skep.spi.Plugin;

import java.util.List;

/**
 * Ranks nodes for a group of identical tasks of one service.
 *
 * <p>The core has already filtered the nodes (ready, available, runtime present, constraints, resources):
 * every candidate can run the tasks, up to its {@link NodeCandidate#capacity()}. A strategy decides only
 * where each task goes. Strategies must be deterministic for the same input, and fast: the core calls them
 * on the leader for every batch it schedules.
 */
public interface SchedulerStrategy extends Plugin {

    /**
     * Whether this strategy places this request. When several apply, the one with the highest
     * {@link #weight()} is used.
     */
    boolean appliesTo(PlacementRequest request);

    /** Precedence among strategies that apply; the built-in spread strategy weighs 0. */
    default int weight() {
        return 0;
    }

    /**
     * Chooses a node for each task of the request.
     *
     * @param request    the tasks to place
     * @param candidates the feasible nodes, with their current load
     * @return one node ID per task placed, in task order; shorter than {@code request.taskCount()} only when
     *         the candidates' capacity runs out. Never places more tasks on a node than its capacity.
     */
    List<String> place(PlacementRequest request, List<NodeCandidate> candidates);
}

package io.skep.spi.scheduler;

import io.skep.spi.Plugin;
import java.util.List;
import java.util.Optional;

/**
 * Ranks nodes for a group of identical tasks of one service.
 *
 * <p>The core has already filtered the nodes (ready, available, runtime present, constraints, resources):
 * every candidate can run the tasks, up to its {@link NodeCandidate#capacity()}. A strategy decides only
 * where each task goes. Strategies must be deterministic for the same input, and fast: the core calls them
 * on the leader for every batch it schedules.
 *
 * <p>A service picks a strategy by name with the label {@value #SERVICE_LABEL}; without it, the strategy of highest
 * weight that applies places its tasks.
 */
public interface SchedulerStrategy extends Plugin {

    /** The service label that names the strategy for a service's tasks: {@code io.skep.scheduler=binpack}. */
    String SERVICE_LABEL = "io.skep.scheduler";

    /**
     * Called by the core once it has loaded the node's strategies, before any {@link #place}: a strategy that hands
     * work to others (as {@code topology} does inside each group) finds them here, drop-in plugins included. May be
     * called again with the same strategies; does nothing by default.
     */
    default void init(SchedulerContext context) {}

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

    /**
     * What "even" means for this strategy, as skep's rebalancer ({@code io.skep.rebalance}) asks it: the next move
     * of one of the service's running tasks that brings the placement nearer to what this strategy aims at, or
     * empty when none does. The rebalancer makes the move, counts it in {@code nodes}, and asks again, up to the
     * service's update parallelism; a move it is given must never be undone by a later answer.
     *
     * <p>By default, the HA spread's rule: the service's placement preferences form a tree of label values
     * (unlabelled nodes a branch of their own), the nodes its leaves; a task moves from node X to node Y only when
     * Y's branch, where the two part, holds at least two of the service's tasks fewer than X's. The source is the
     * most loaded node that has such a target (branch counts compared from the top level down, then node ID); the
     * target the least loaded one, then the one with fewest tasks in all, then the first node ID.
     *
     * @param request the service; {@code taskCount} is the number of its running tasks
     * @param nodes   the nodes that run some of the service's tasks or could take one: {@code serviceTasks} counts
     *                the service's running tasks there, {@code capacity} how many more it may take (0 for a node
     *                that any filter refuses)
     */
    default Optional<TaskMove> nextMove(PlacementRequest request, List<NodeCandidate> nodes) {
        return EvenSpread.nextMove(request.spreadDescriptors(), nodes);
    }
}

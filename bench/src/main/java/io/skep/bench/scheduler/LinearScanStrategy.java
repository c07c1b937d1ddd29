package io.skep.bench.scheduler;

import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.SchedulerStrategy;
import java.util.ArrayList;
import java.util.List;

/**
 * The baseline for {@link SchedulerBenchmark}: the same ranking as the {@code spread} plugin (swarmkit's
 * {@code nodeLess}), done the way swarmkit did before its PR #193 put the nodes in a heap: for every task, rescan
 * every node for the best one. O(n·m) for n tasks on m nodes. It places exactly as {@code spread} does (a test
 * checks that), so the two times compare like for like.
 *
 * <p>Not a plugin: nothing registers it.
 */
public final class LinearScanStrategy implements SchedulerStrategy {

    /** Recent failures from which a node goes last, as in swarmkit ({@code maxFailures}). */
    static final int MAX_FAILURES = 5;

    @Override
    public String name() {
        return "linear-scan";
    }

    @Override
    public boolean appliesTo(PlacementRequest request) {
        return true;
    }

    @Override
    public List<String> place(PlacementRequest request, List<NodeCandidate> candidates) {
        List<NodeInfo> nodes = new ArrayList<>(candidates.size());
        for (NodeCandidate candidate : candidates) {
            nodes.add(new NodeInfo(candidate));
        }
        List<String> placed = new ArrayList<>();
        for (int task = 0; task < request.taskCount(); task++) {
            NodeInfo best = null;
            for (NodeInfo node : nodes) {
                if (node.room > 0 && (best == null || node.lessThan(best))) {
                    best = node;
                }
            }
            if (best == null) {
                break;
            }
            placed.add(best.candidate.nodeId());
            best.serviceTasks++;
            best.totalTasks++;
            best.room--;
        }
        return placed;
    }

    /** A node and what the batch has added to it so far. */
    private static final class NodeInfo {
        final NodeCandidate candidate;
        long serviceTasks;
        long totalTasks;
        int room;

        NodeInfo(NodeCandidate candidate) {
            this.candidate = candidate;
            this.serviceTasks = candidate.serviceTasks();
            this.totalTasks = candidate.totalTasks();
            this.room = candidate.capacity();
        }

        boolean lessThan(NodeInfo other) {
            int failures = candidate.recentFailures();
            int otherFailures = other.candidate.recentFailures();
            if ((failures >= MAX_FAILURES || otherFailures >= MAX_FAILURES) && failures != otherFailures) {
                return failures < otherFailures;
            }
            if (serviceTasks != other.serviceTasks) {
                return serviceTasks < other.serviceTasks;
            }
            if (totalTasks != other.totalTasks) {
                return totalTasks < other.totalTasks;
            }
            return candidate.nodeId().compareTo(other.candidate.nodeId()) < 0;
        }
    }
}

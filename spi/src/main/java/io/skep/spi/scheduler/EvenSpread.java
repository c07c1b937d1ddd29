package io.skep.spi.scheduler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The HA spread's idea of "even", the default of {@link SchedulerStrategy#nextMove}: the service's tasks counted per
 * branch of the preference tree, at every level, and per node; a move only where it strictly evens the level where
 * source and target part. So a move never undoes another, and a spread as even as it can be is left alone.
 */
final class EvenSpread {
    private final List<String> descriptors;
    /** Branch (a node's label values down to a level; the node's ID appended at the last) → tasks in it. */
    private final Map<List<String>, Integer> counts = new HashMap<>();

    private final Map<String, List<List<String>>> branchesByNode = new HashMap<>();

    private EvenSpread(List<String> descriptors, List<NodeCandidate> nodes) {
        this.descriptors = descriptors;
        for (NodeCandidate n : nodes) {
            branchesByNode.put(n.nodeId(), branchesOf(n));
            if (n.serviceTasks() > 0) {
                branchesByNode.get(n.nodeId()).forEach(b -> counts.merge(b, n.serviceTasks(), Integer::sum));
            }
        }
    }

    static Optional<TaskMove> nextMove(List<String> descriptors, List<NodeCandidate> nodes) {
        return Optional.ofNullable(new EvenSpread(descriptors, nodes).bestMove(nodes));
    }

    /** The branches a node is in, from the top level down to the node itself. */
    private List<List<String>> branchesOf(NodeCandidate n) {
        String[] path = new String[descriptors.size() + 1];
        for (int i = 0; i < descriptors.size(); i++) {
            path[i] = n.attribute(descriptors.get(i));
        }
        path[descriptors.size()] = n.nodeId();
        List<List<String>> out = new ArrayList<>(path.length);
        for (int level = 1; level <= path.length; level++) {
            out.add(Arrays.asList(Arrays.copyOf(path, level)));
        }
        return out;
    }

    /** The counts of a node's branches, top level first: the order in which spreads are compared. */
    private int[] load(String nodeId) {
        return branchesByNode.get(nodeId).stream()
                .mapToInt(b -> counts.getOrDefault(b, 0))
                .toArray();
    }

    /**
     * The move that evens the spread most, or null: from the most loaded node that has a better place for a task,
     * to that place's least loaded node (fewest tasks in all, then ID, on ties).
     */
    private TaskMove bestMove(List<NodeCandidate> nodes) {
        List<String> sources = nodes.stream()
                .filter(n -> n.serviceTasks() > 0)
                .map(NodeCandidate::nodeId)
                .sorted(Comparator.comparing(this::load, Arrays::compare)
                        .reversed()
                        .thenComparing(Comparator.naturalOrder()))
                .toList();
        for (String from : sources) {
            List<List<String>> fromBranches = branchesByNode.get(from);
            NodeCandidate best = null;
            int[] bestLoad = null;
            for (NodeCandidate to : nodes) {
                if (to.nodeId().equals(from) || to.capacity() <= 0) {
                    continue;
                }
                List<List<String>> toBranches = branchesByNode.get(to.nodeId());
                int level = 0;
                while (level < fromBranches.size() - 1
                        && fromBranches.get(level).equals(toBranches.get(level))) {
                    level++;
                }
                if (counts.getOrDefault(toBranches.get(level), 0) + 1 >= counts.get(fromBranches.get(level))) {
                    continue; // no evener where they part
                }
                int[] toLoad = load(to.nodeId());
                int c = bestLoad == null ? -1 : Arrays.compare(toLoad, bestLoad);
                if (best == null
                        || c < 0
                        || (c == 0
                                && (to.totalTasks() < best.totalTasks()
                                        || (to.totalTasks() == best.totalTasks()
                                                && to.nodeId().compareTo(best.nodeId()) < 0)))) {
                    best = to;
                    bestLoad = toLoad;
                }
            }
            if (best != null) {
                return new TaskMove(from, best.nodeId());
            }
        }
        return null;
    }
}

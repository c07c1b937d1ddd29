package io.skep.scheduler.topology;

import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.SchedulerContext;
import io.skep.spi.scheduler.SchedulerStrategy;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Swarm's placement preferences: the nodes form a tree, one level per preference ({@code node.labels.az}, then
 * {@code node.labels.rack}, ...), one branch per value of the label; nodes without the label form a branch of their
 * own. At each level the tasks go to the branches so that the service's tasks per branch (those it has there, and
 * those this batch puts there) are as even as they can be, the branch with the fewest first (ties by the label's
 * value, the unlabelled branch last); a branch takes no more than its nodes' capacity, and what it cannot take goes
 * to the others. Inside each leaf the nodes are ranked by the heaviest other strategy the node loaded (image or
 * drop-in), as the core tells it ({@link #init}): the built-in HA spread (fewest tasks of the service, then fewest in
 * all); before it is told, or when there is none, the least loaded node.
 *
 * <p>A batch of n tasks over g branches costs O(n log g) at each level, plus the leaf strategy's own cost.
 */
public final class TopologyStrategy implements SchedulerStrategy {
    /** Above the built-in spread (0): it places every request that names preferences. */
    public static final int WEIGHT = 10;

    private volatile SchedulerStrategy within = new LeastLoaded();

    /** For {@link java.util.ServiceLoader}: the strategy inside each group comes with {@link #init}. */
    public TopologyStrategy() {}

    /** With a given strategy inside each group (tests). */
    public TopologyStrategy(SchedulerStrategy within) {
        this.within = Objects.requireNonNull(within, "within");
    }

    @Override
    public String name() {
        return "topology";
    }

    @Override
    public String description() {
        return "placement preferences (--placement-pref spread=node.labels.X): tasks spread evenly over each "
                + "label's values in turn, then by the HA spread within each group";
    }

    @Override
    public boolean appliesTo(PlacementRequest request) {
        return !request.spreadDescriptors().isEmpty();
    }

    @Override
    public int weight() {
        return WEIGHT;
    }

    @Override
    public List<String> place(PlacementRequest request, List<NodeCandidate> candidates) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(candidates, "candidates");
        List<NodeCandidate> usable =
                candidates.stream().filter(c -> c.capacity() > 0).toList();
        Branch root = Branch.of("", usable, request.spreadDescriptors(), 0);
        int tasks = (int) Math.min(request.taskCount(), root.capacity);
        List<String> placed = new ArrayList<>(tasks);
        if (tasks > 0) {
            root.place(request.serviceId(), tasks, inside(), placed);
        }
        return placed;
    }

    /** Inside each group: the heaviest other strategy the node loaded that places plain requests. */
    @Override
    public void init(SchedulerContext context) {
        PlacementRequest plain = new PlacementRequest("probe", 1, List.of());
        within = context.strategies().stream()
                .filter(s -> !(s instanceof TopologyStrategy)) // never itself, nor another of its kind
                .filter(s -> s.appliesTo(plain))
                .max(Comparator.comparingInt(SchedulerStrategy::weight)
                        .thenComparing(SchedulerStrategy::name, Comparator.reverseOrder()))
                .orElseGet(LeastLoaded::new);
    }

    /** The strategy for the nodes of one group. */
    private SchedulerStrategy inside() {
        return within;
    }

    /** A group of nodes that share the values of the first {@code level} preferences. */
    private static final class Branch {
        /** The key of the branch of nodes without the label: after every real value. */
        private static final String UNLABELLED = "\uffff";

        final String value;
        final long serviceTasks;
        final long capacity;
        final List<Branch> children;
        final List<NodeCandidate> nodes;

        private Branch(String value, List<Branch> children, List<NodeCandidate> nodes) {
            this.value = value;
            this.children = children;
            this.nodes = nodes;
            long tasks = 0;
            long room = 0;
            for (NodeCandidate n : nodes) {
                tasks += n.serviceTasks();
                room += n.capacity();
            }
            this.serviceTasks = tasks;
            this.capacity = room;
        }

        static Branch of(String value, List<NodeCandidate> nodes, List<String> descriptors, int level) {
            if (level == descriptors.size()) {
                return new Branch(value, List.of(), nodes);
            }
            String descriptor = descriptors.get(level);
            Map<String, List<NodeCandidate>> byValue = new TreeMap<>();
            for (NodeCandidate n : nodes) {
                String v = n.attribute(descriptor);
                byValue.computeIfAbsent(v == null ? UNLABELLED : v, k -> new ArrayList<>())
                        .add(n);
            }
            List<Branch> children = new ArrayList<>(byValue.size());
            byValue.forEach((v, members) -> children.add(of(v, members, descriptors, level + 1)));
            return new Branch(value, children, nodes);
        }

        /** Puts {@code n} tasks (at most this branch's capacity) on its nodes. */
        void place(String serviceId, int n, SchedulerStrategy inside, List<String> placed) {
            if (children.isEmpty()) {
                placed.addAll(inside.place(new PlacementRequest(serviceId, n, List.of()), nodes));
                return;
            }
            int[] given = new int[children.size()];
            // The branch with the fewest of the service's tasks so far takes the next task; ties by value.
            PriorityQueue<Integer> next = new PriorityQueue<>((a, b) -> {
                long ca = children.get(a).serviceTasks + given[a];
                long cb = children.get(b).serviceTasks + given[b];
                return ca != cb ? Long.compare(ca, cb) : Integer.compare(a, b);
            });
            for (int i = 0; i < children.size(); i++) {
                if (children.get(i).capacity > 0) {
                    next.add(i);
                }
            }
            for (int t = 0; t < n && !next.isEmpty(); t++) {
                int i = next.poll();
                given[i]++;
                if (given[i] < children.get(i).capacity) {
                    next.add(i);
                }
            }
            for (int i = 0; i < children.size(); i++) {
                if (given[i] > 0) {
                    children.get(i).place(serviceId, given[i], inside, placed);
                }
            }
        }
    }

    /**
     * Inside a group when no other strategy is installed: each task to the node with the fewest of the service's
     * tasks, then the fewest in all, then the first node ID.
     */
    static final class LeastLoaded implements SchedulerStrategy {
        @Override
        public String name() {
            return "least-loaded";
        }

        @Override
        public boolean appliesTo(PlacementRequest request) {
            return true;
        }

        @Override
        public List<String> place(PlacementRequest request, List<NodeCandidate> candidates) {
            List<NodeCandidate> nodes = new ArrayList<>(candidates);
            nodes.sort(Comparator.comparing(NodeCandidate::nodeId));
            long[] service = new long[nodes.size()];
            long[] total = new long[nodes.size()];
            int[] room = new int[nodes.size()];
            for (int i = 0; i < nodes.size(); i++) {
                service[i] = nodes.get(i).serviceTasks();
                total[i] = nodes.get(i).totalTasks();
                room[i] = nodes.get(i).capacity();
            }
            List<String> placed = new ArrayList<>();
            for (int t = 0; t < request.taskCount(); t++) {
                int best = -1;
                for (int i = 0; i < nodes.size(); i++) {
                    if (room[i] > 0
                            && (best < 0
                                    || service[i] < service[best]
                                    || service[i] == service[best] && total[i] < total[best])) {
                        best = i;
                    }
                }
                if (best < 0) {
                    break;
                }
                placed.add(nodes.get(best).nodeId());
                service[best]++;
                total[best]++;
                room[best]--;
            }
            return placed;
        }
    }
}

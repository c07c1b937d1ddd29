package io.skep.scheduler.spread;

import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.SchedulerStrategy;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * swarmkit's HA spread ({@code nodeLess} in {@code manager/scheduler/scheduler.go}): each task of the batch goes,
 * one at a time, to the node that is best right now, where a node is better than another when
 * <ol>
 *   <li>the service has failed on it fewer times, if either of the two has failed at least {@value #MAX_FAILURES}
 *       times recently: nodes below that threshold all rank alike here, nodes at or above it go after them,
 *       fewer failures first;</li>
 *   <li>it runs fewer tasks of the service (counting the ones this batch has put there);</li>
 *   <li>it runs fewer tasks in total (likewise);</li>
 *   <li>its node ID sorts first, so that the result never depends on the order of the candidates.</li>
 * </ol>
 * A node takes no more tasks than its {@link NodeCandidate#capacity() capacity}; when all capacity is used
 * up, the result is shorter than the request.
 *
 * <p>The nodes sit in a binary min-heap over plain arrays: the best node is the root; after a task lands on it,
 * its counts only grow, so one sift-down restores the heap (or the root is removed when the node is full).
 * When a node's whole key (failures, service tasks, total tasks, position in node ID order), as large as this
 * batch can make it, fits in 63 bits, which it does for any realistic cluster, the heap holds those keys packed
 * into longs and compares them in one instruction; otherwise it holds node indexes and compares field by field.
 * Both give the same placement. A batch of n tasks on m nodes costs O(m log m) to sort the node IDs, O(m) to
 * build the heap and O(n log m) to place, and allocates a few arrays of m and one of n (the result).
 */
public final class SpreadStrategy implements SchedulerStrategy {

    /** Recent failures of a service on a node from which the node goes after every node with fewer. */
    public static final int MAX_FAILURES = 5;

    private static final Comparator<NodeCandidate> BY_NODE_ID = Comparator.comparing(NodeCandidate::nodeId);

    /** For {@link java.util.ServiceLoader}. */
    public SpreadStrategy() {}

    @Override
    public String name() {
        return "spread";
    }

    @Override
    public String description() {
        return "HA spread: fewest tasks of the service, then fewest tasks in all; failing nodes last";
    }

    /** The default strategy: it places every request (strategies for placement preferences weigh more). */
    @Override
    public boolean appliesTo(PlacementRequest request) {
        Objects.requireNonNull(request, "request");
        return true;
    }

    @Override
    public int weight() {
        return 0;
    }

    @Override
    public List<String> place(PlacementRequest request, List<NodeCandidate> candidates) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(candidates, "candidates");

        // The nodes that can take a task, sorted by node ID: a node's position is its final tiebreak.
        NodeCandidate[] nodes = new NodeCandidate[candidates.size()];
        int m = 0;
        long room = 0;
        for (NodeCandidate candidate : candidates) {
            if (candidate.capacity() > 0) {
                nodes[m++] = candidate;
                room += candidate.capacity();
            }
        }
        int tasks = (int) Math.min(request.taskCount(), room);
        if (tasks == 0) {
            return List.of();
        }
        Arrays.sort(nodes, 0, m, BY_NODE_ID);

        String[] ids = new String[m];
        int[] failures = new int[m];
        long[] serviceTasks = new long[m];
        long[] totalTasks = new long[m];
        int[] capacity = new int[m];
        int maxFailures = 0;
        long maxServiceTasks = 0;
        long maxTotalTasks = 0;
        for (int i = 0; i < m; i++) {
            NodeCandidate node = nodes[i];
            if (i > 0 && ids[i - 1].equals(node.nodeId())) {
                throw new IllegalArgumentException("node " + node.nodeId() + " is a candidate twice");
            }
            ids[i] = node.nodeId();
            failures[i] = node.recentFailures() >= MAX_FAILURES ? node.recentFailures() : 0;
            serviceTasks[i] = node.serviceTasks();
            totalTasks[i] = node.totalTasks();
            capacity[i] = node.capacity();
            maxFailures = Math.max(maxFailures, failures[i]);
            maxServiceTasks = Math.max(maxServiceTasks, serviceTasks[i]);
            maxTotalTasks = Math.max(maxTotalTasks, totalTasks[i]);
        }

        String[] placed = new String[tasks];
        // The whole key of a node, as high as it can grow in this batch, usually fits in a long's 63 bits:
        // then the heap holds just those longs. Otherwise it holds node indexes and compares field by field.
        int indexBits = bits(m - 1);
        int totalBits = bits(maxTotalTasks + tasks);
        int serviceBits = bits(maxServiceTasks + tasks);
        if (bits(maxFailures) + serviceBits + totalBits + indexBits <= 63) {
            int totalShift = indexBits;
            int serviceShift = totalShift + totalBits;
            int failureShift = serviceShift + serviceBits;
            long[] keys = new long[m];
            for (int i = 0; i < m; i++) {
                keys[i] = (long) failures[i] << failureShift
                        | serviceTasks[i] << serviceShift
                        | totalTasks[i] << totalShift
                        | i;
            }
            placePacked(keys, (1L << serviceShift) + (1L << totalShift), (1L << indexBits) - 1, ids, capacity, placed);
        } else {
            placeByFields(new Heap(m, failures, serviceTasks, totalTasks), ids, capacity, placed);
        }
        return Collections.unmodifiableList(Arrays.asList(placed));
    }

    /** How many bits {@code value} (at least 0) takes. */
    private static int bits(long value) {
        return Long.SIZE - Long.numberOfLeadingZeros(value);
    }

    /**
     * Places one task after another on the best node, with each node's key packed as
     * (failures, service tasks, total tasks, index) into one long: one comparison orders two nodes, the low bits
     * name the node, and one addition of {@code step} counts a task on it.
     */
    private static void placePacked(
            long[] heap, long step, long indexMask, String[] ids, int[] capacity, String[] placed) {
        int size = heap.length;
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            long key = heap[i];
            int hole = i;
            int child;
            while ((child = (hole << 1) + 1) < size) {
                if (child + 1 < size && heap[child + 1] < heap[child]) {
                    child++;
                }
                if (heap[child] >= key) {
                    break;
                }
                heap[hole] = heap[child];
                hole = child;
            }
            heap[hole] = key;
        }
        for (int t = 0; t < placed.length; t++) {
            long key = heap[0];
            int best = (int) (key & indexMask);
            placed[t] = ids[best];
            if (capacity[best] != Integer.MAX_VALUE && --capacity[best] == 0) {
                key = heap[--size];
            } else {
                key += step;
            }
            // Floyd's bottom-up sift-down of the new root (see Heap.topGrew).
            int hole = 0;
            int child;
            while ((child = (hole << 1) + 1) < size) {
                if (child + 1 < size && heap[child + 1] < heap[child]) {
                    child++;
                }
                heap[hole] = heap[child];
                hole = child;
            }
            while (hole > 0) {
                int parent = (hole - 1) >>> 1;
                if (heap[parent] <= key) {
                    break;
                }
                heap[hole] = heap[parent];
                hole = parent;
            }
            heap[hole] = key;
        }
    }

    /** Places one task after another on the best node, with keys too large to pack. */
    private static void placeByFields(Heap heap, String[] ids, int[] capacity, String[] placed) {
        for (int t = 0; t < placed.length; t++) {
            int best = heap.top();
            placed[t] = ids[best];
            heap.countTask(best);
            if (capacity[best] != Integer.MAX_VALUE && --capacity[best] == 0) {
                heap.removeTop();
            } else {
                heap.topGrew();
            }
        }
    }

    /**
     * A binary min-heap of node indexes 0..m-1 ordered by (failures, service tasks, total tasks, index), reading
     * the keys from the strategy's arrays. Index order is node ID order, so the order is total.
     */
    private static final class Heap {
        private final int[] heap;
        private final int[] failures;
        private final long[] serviceTasks;
        private final long[] totalTasks;
        private int size;

        Heap(int m, int[] failures, long[] serviceTasks, long[] totalTasks) {
            this.failures = failures;
            this.serviceTasks = serviceTasks;
            this.totalTasks = totalTasks;
            this.heap = new int[m];
            for (int i = 0; i < m; i++) {
                heap[i] = i;
            }
            this.size = m;
            for (int i = (m >>> 1) - 1; i >= 0; i--) {
                siftDown(i);
            }
        }

        int top() {
            return heap[0];
        }

        void countTask(int node) {
            serviceTasks[node]++;
            totalTasks[node]++;
        }

        /**
         * The root's keys have grown: move it down to its place. A node that just took a task usually sinks to
         * the bottom level (it now has more tasks of the service than most), so this walks the hole down along
         * the smaller children to a leaf, one comparison a level, and then lets the node climb back, which is
         * rarely more than a step (Floyd's bottom-up sift-down: about half the comparisons of the classic one).
         */
        void topGrew() {
            int node = heap[0];
            int hole = 0;
            int child;
            while ((child = (hole << 1) + 1) < size) {
                int right = child + 1;
                if (right < size && less(heap[right], heap[child])) {
                    child = right;
                }
                heap[hole] = heap[child];
                hole = child;
            }
            while (hole > 0) {
                int parent = (hole - 1) >>> 1;
                if (!less(node, heap[parent])) {
                    break;
                }
                heap[hole] = heap[parent];
                hole = parent;
            }
            heap[hole] = node;
        }

        void removeTop() {
            heap[0] = heap[--size];
            if (size > 0) {
                siftDown(0);
            }
        }

        private void siftDown(int pos) {
            int node = heap[pos];
            int half = size >>> 1;
            while (pos < half) {
                int child = (pos << 1) + 1;
                int right = child + 1;
                if (right < size && less(heap[right], heap[child])) {
                    child = right;
                }
                if (!less(heap[child], node)) {
                    break;
                }
                heap[pos] = heap[child];
                pos = child;
            }
            heap[pos] = node;
        }

        private boolean less(int a, int b) {
            if (failures[a] != failures[b]) {
                return failures[a] < failures[b];
            }
            if (serviceTasks[a] != serviceTasks[b]) {
                return serviceTasks[a] < serviceTasks[b];
            }
            if (totalTasks[a] != totalTasks[b]) {
                return totalTasks[a] < totalTasks[b];
            }
            return a < b;
        }
    }
}

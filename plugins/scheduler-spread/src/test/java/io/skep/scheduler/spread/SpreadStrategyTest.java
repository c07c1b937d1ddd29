package io.skep.scheduler.spread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.SchedulerStrategy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SpreadStrategyTest {

    private static final int UNLIMITED = Integer.MAX_VALUE;

    private final SpreadStrategy spread = new SpreadStrategy();

    private static NodeCandidate node(String id, int serviceTasks, int totalTasks, int capacity, int failures) {
        return new NodeCandidate(id, Map.of("node.id", id), serviceTasks, totalTasks, capacity, failures);
    }

    private static NodeCandidate empty(String id) {
        return node(id, 0, 0, UNLIMITED, 0);
    }

    private static PlacementRequest tasks(int n) {
        return new PlacementRequest("svc", n, List.of());
    }

    private static Map<String, Integer> counts(List<String> placed) {
        Map<String, Integer> counts = new TreeMap<>();
        placed.forEach(id -> counts.merge(id, 1, Integer::sum));
        return counts;
    }

    @Test
    void spreadsEvenlyOverEmptyNodes() {
        List<String> placed = spread.place(tasks(9), List.of(empty("c"), empty("a"), empty("b")));

        assertEquals(List.of("a", "b", "c", "a", "b", "c", "a", "b", "c"), placed);
        assertEquals(Map.of("a", 3, "b", 3, "c", 3), counts(placed));
    }

    @Test
    void nodeWithMoreTasksOfTheServiceGetsFewerNew() {
        List<NodeCandidate> nodes =
                List.of(node("a", 3, 3, UNLIMITED, 0), node("b", 0, 0, UNLIMITED, 0), node("c", 1, 1, UNLIMITED, 0));

        List<String> placed = spread.place(tasks(5), nodes);

        // 4 existing + 5 new = 9 = 3 per node
        assertEquals(Map.of("b", 3, "c", 2), counts(placed));
        assertEquals(List.of("b", "b", "c", "b", "c"), placed);
    }

    @Test
    void serviceTasksCountBeforeTotalTasks() {
        // a is busy with other services but runs none of this one: it still wins over b.
        List<NodeCandidate> nodes = List.of(node("a", 0, 50, UNLIMITED, 0), node("b", 1, 1, UNLIMITED, 0));

        assertEquals(List.of("a"), spread.place(tasks(1), nodes));
    }

    @Test
    void totalTasksBreakTiesBetweenEqualServiceLoad() {
        List<NodeCandidate> nodes =
                List.of(node("a", 2, 10, UNLIMITED, 0), node("b", 2, 4, UNLIMITED, 0), node("c", 2, 7, UNLIMITED, 0));

        // b (4 in all), then c (7): now b and c have 3 of the service, a 2, so a; then b (5 in all) before c (8).
        assertEquals(List.of("b", "c", "a", "b"), spread.place(tasks(4), nodes));
    }

    @Test
    void nodeIdBreaksFullTies() {
        List<NodeCandidate> nodes = List.of(
                node("n2", 1, 5, UNLIMITED, 0), node("n10", 1, 5, UNLIMITED, 0), node("n1", 1, 5, UNLIMITED, 0));

        assertEquals(List.of("n1", "n10", "n2"), spread.place(tasks(3), nodes));
    }

    @Test
    void capacityIsHonouredAndTheResultIsShorterWhenItRunsOut() {
        List<NodeCandidate> nodes = List.of(node("a", 0, 0, 1, 0), node("b", 0, 0, 2, 0), node("c", 0, 0, 0, 0));

        List<String> placed = spread.place(tasks(10), nodes);

        assertEquals(List.of("a", "b", "b"), placed);
    }

    @Test
    void fullNodeMakesRoomForWorseNodes() {
        // a is the best node throughout but can take only one task
        List<NodeCandidate> nodes = List.of(node("a", 0, 0, 1, 0), node("b", 5, 5, UNLIMITED, 0));

        assertEquals(List.of("a", "b", "b"), spread.place(tasks(3), nodes));
    }

    @Test
    void nodesWithoutCapacityYieldNothing() {
        List<NodeCandidate> nodes = List.of(node("a", 0, 0, 0, 0), node("b", 0, 0, 0, 0));

        assertEquals(List.of(), spread.place(tasks(3), nodes));
        assertEquals(List.of(), spread.place(tasks(3), List.of()));
    }

    @Test
    void nodesWhereTheServiceKeepsFailingAreUsedLast() {
        List<NodeCandidate> nodes = List.of(
                node("bad", 0, 0, UNLIMITED, SpreadStrategy.MAX_FAILURES),
                node("busy", 20, 40, 2, 0),
                node("flaky", 3, 3, 18, SpreadStrategy.MAX_FAILURES - 1));

        // Below the threshold failures don't count: flaky (3 of the service) beats busy (20) until both have 20,
        // then wins on total tasks once more and is full. bad runs none of the service, yet it is used only
        // once nothing else has room.
        List<String> placed = spread.place(tasks(25), nodes);

        List<String> expected = new ArrayList<>(Collections.nCopies(18, "flaky"));
        expected.addAll(List.of("busy", "busy"));
        expected.addAll(Collections.nCopies(5, "bad"));
        assertEquals(expected, placed);
    }

    @Test
    void amongFailingNodesFewerFailuresWin() {
        List<NodeCandidate> nodes = List.of(node("x", 0, 0, UNLIMITED, 7), node("y", 9, 9, 2, 5));

        // failures decide before the service's task count, as in swarmkit's nodeLess
        assertEquals(List.of("y", "y", "x", "x"), spread.place(tasks(4), nodes));
    }

    @Test
    void sameInputGivesTheSameOutputWhateverTheCandidateOrder() {
        Random random = new Random(42);
        List<NodeCandidate> nodes = randomNodes(random, 200);
        PlacementRequest request = tasks(1500);

        List<String> first = spread.place(request, nodes);
        assertEquals(first, spread.place(request, nodes));
        for (int i = 0; i < 5; i++) {
            List<NodeCandidate> shuffled = new ArrayList<>(nodes);
            Collections.shuffle(shuffled, random);
            assertEquals(first, spread.place(request, shuffled));
        }
    }

    @Test
    void agreesWithAPlainLinearScanOnRandomInputs() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            List<NodeCandidate> nodes = randomNodes(random, 1 + random.nextInt(40));
            PlacementRequest request = tasks(1 + random.nextInt(300));

            assertEquals(linearScan(request, nodes), spread.place(request, nodes), "round " + round);
        }
    }

    @Test
    void agreesWithAPlainLinearScanWhenCountsAreTooLargeToPack() {
        // Counts near 2^30 need 31 bits each for service and total tasks: with the node index the key no longer
        // fits in a long, and the strategy compares field by field.
        Random random = new Random(9);
        for (int round = 0; round < 100; round++) {
            List<NodeCandidate> nodes = new ArrayList<>();
            int count = 3 + random.nextInt(30);
            for (int i = 0; i < count; i++) {
                int service = (1 << 30) + random.nextInt(4);
                int capacity = random.nextBoolean() ? UNLIMITED : random.nextInt(5);
                int failures = random.nextInt(4) == 0 ? random.nextInt(9) : 0;
                nodes.add(node("n" + i, service, service + random.nextInt(4), capacity, failures));
            }
            PlacementRequest request = tasks(1 + random.nextInt(200));

            assertEquals(linearScan(request, nodes), spread.place(request, nodes), "round " + round);
        }
    }

    @Test
    void countsBeyondIntegerRangeDoNotOverflow() {
        List<NodeCandidate> nodes = List.of(
                node("a", Integer.MAX_VALUE, Integer.MAX_VALUE, UNLIMITED, 0),
                node("b", Integer.MAX_VALUE - 1, Integer.MAX_VALUE, UNLIMITED, 0));

        // b catches up with a after one task; from then on they alternate, a first (node ID)
        assertEquals(List.of("b", "a", "b", "a", "b"), spread.place(tasks(5), nodes));
    }

    @Test
    void tenThousandTasksOnAThousandEmptyNodesGiveTenEach() {
        List<NodeCandidate> nodes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            nodes.add(empty("node-%04d".formatted(i)));
        }

        List<String> placed = spread.place(tasks(10_000), nodes);

        assertEquals(10_000, placed.size());
        Map<String, Integer> counts = counts(placed);
        assertEquals(1000, counts.size());
        assertTrue(counts.values().stream().allMatch(c -> c == 10), counts::toString);
    }

    @Test
    void duplicateNodeIdsAreRefused() {
        List<NodeCandidate> nodes = List.of(empty("a"), empty("b"), empty("a"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spread.place(tasks(1), nodes));
        assertTrue(e.getMessage().contains("a"), e.getMessage());
    }

    @Test
    void resultIsUnmodifiable() {
        List<String> placed = spread.place(tasks(2), List.of(empty("a")));

        assertThrows(UnsupportedOperationException.class, () -> placed.set(0, "b"));
    }

    @Test
    void appliesToEveryRequestAtWeightZero() {
        assertTrue(spread.appliesTo(tasks(1)));
        assertTrue(spread.appliesTo(new PlacementRequest("svc", 3, List.of("node.labels.az"))));
        assertEquals(0, spread.weight());
        assertEquals("spread", spread.name());
    }

    @Test
    void serviceLoaderFindsItByName() {
        // the test classes are patched into the plugin's module, which declares no `uses` of its own
        SpreadStrategyTest.class.getModule().addUses(SchedulerStrategy.class);

        List<SchedulerStrategy> found = ServiceLoader.load(SchedulerStrategy.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(strategy -> strategy.name().equals("spread"))
                .toList();

        assertEquals(1, found.size());
        assertTrue(found.getFirst() instanceof SpreadStrategy);
        assertEquals(List.of("a", "b"), found.getFirst().place(tasks(2), List.of(empty("b"), empty("a"))));
    }

    private static List<NodeCandidate> randomNodes(Random random, int count) {
        List<NodeCandidate> nodes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int service = random.nextInt(6);
            int total = service + random.nextInt(6);
            int capacity = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextInt(5);
                default -> UNLIMITED;
            };
            int failures = random.nextInt(4) == 0 ? random.nextInt(9) : 0;
            nodes.add(node("n" + random.nextInt(1_000_000) + "-" + i, service, total, capacity, failures));
        }
        return nodes;
    }

    /** The obvious O(n·m) reading of the rules: rescan every node for every task. */
    private static List<String> linearScan(PlacementRequest request, List<NodeCandidate> nodes) {
        int m = nodes.size();
        long[] service = new long[m];
        long[] total = new long[m];
        int[] room = new int[m];
        for (int i = 0; i < m; i++) {
            service[i] = nodes.get(i).serviceTasks();
            total[i] = nodes.get(i).totalTasks();
            room[i] = nodes.get(i).capacity();
        }
        List<String> placed = new ArrayList<>();
        for (int t = 0; t < request.taskCount(); t++) {
            int best = -1;
            for (int i = 0; i < m; i++) {
                if (room[i] == 0) {
                    continue;
                }
                if (best < 0 || better(nodes, service, total, i, best)) {
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

    private static boolean better(List<NodeCandidate> nodes, long[] service, long[] total, int a, int b) {
        int fa = nodes.get(a).recentFailures();
        int fb = nodes.get(b).recentFailures();
        if ((fa >= SpreadStrategy.MAX_FAILURES || fb >= SpreadStrategy.MAX_FAILURES) && fa != fb) {
            return fa < fb;
        }
        if (service[a] != service[b]) {
            return service[a] < service[b];
        }
        if (total[a] != total[b]) {
            return total[a] < total[b];
        }
        return nodes.get(a).nodeId().compareTo(nodes.get(b).nodeId()) < 0;
    }
}

package io.skep.spi.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.Resources;
import io.skep.spi.scheduler.SchedulerStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The conformance kit of the {@link io.skep.spi.scheduler scheduler SPI}: what every {@link SchedulerStrategy}
 * must do with any request it applies to, whatever its ranking. A vendor extends this class in its own tests and
 * provides the strategy:
 *
 * <pre>{@code
 * class MyStrategyConformanceTest extends SchedulerStrategyConformance {
 *     protected SchedulerStrategy strategy() { return new MyStrategy(); }
 * }
 * }</pre>
 *
 * <p>The kit checks only what {@link SchedulerStrategy#place} promises: at most {@code taskCount} node IDs, each a
 * candidate's; never more tasks on a node than its capacity (so a node of capacity 0 gets none); exactly
 * {@code taskCount} when the candidates have room for them, and otherwise as many as they have room for ("shorter
 * only when the candidates' capacity runs out"); the same result for the same input; the candidates left as they
 * were. It does not judge where the tasks go. Whether the result may depend on the order of the candidates is the
 * strategy's own business: a strategy that promises it does not overrides {@link #independentOfCandidateOrder()}.
 *
 * <p>The inputs are pseudo-random with fixed seeds, so a failure repeats. A strategy that applies only to some
 * requests (e.g. those with placement preferences) overrides {@link #request} and {@link #attributes} so that the
 * kit's requests are ones it applies to.
 */
public abstract class SchedulerStrategyConformance {

    /** Capacity of a node nothing limits. */
    protected static final int UNLIMITED = Integer.MAX_VALUE;

    private static final int SCENARIOS = 300;

    // ---------------------------------------------------------------- what a vendor provides

    /** The strategy under test. It may return the same instance every time, or a new one. */
    protected abstract SchedulerStrategy strategy();

    /**
     * The request the kit places: by default one without placement preferences, each task reserving a tenth of a
     * CPU and 64 MiB (the kit's candidates have room for them: see {@link #candidate}).
     */
    protected PlacementRequest request(String serviceId, int taskCount) {
        return new PlacementRequest(serviceId, taskCount, List.of(), new Resources(100_000_000L, 64L << 20), Map.of());
    }

    /**
     * The attributes of the kit's {@code index}-th candidate: {@code node.id}, {@code node.hostname},
     * {@code node.role}, {@code node.platform.os}, {@code node.platform.arch}, and the labels {@code az} (3 values)
     * and {@code rack} (7 values).
     */
    protected Map<String, String> attributes(String nodeId, int index) {
        Map<String, String> attributes = new HashMap<>();
        attributes.put("node.id", nodeId);
        attributes.put("node.hostname", "host-" + index);
        attributes.put("node.role", index % 5 == 0 ? "manager" : "worker");
        attributes.put("node.platform.os", "linux");
        attributes.put("node.platform.arch", index % 4 == 0 ? "aarch64" : "x86_64");
        attributes.put("node.labels.az", "az-" + index % 3);
        attributes.put("node.labels.rack", "rack-" + index % 7);
        return attributes;
    }

    /**
     * Whether the strategy promises that the order of the candidates does not change its placement (the SPI
     * promises only determinism for the same input, order included). When true, the kit checks it.
     */
    protected boolean independentOfCandidateOrder() {
        return false;
    }

    /** How long the large batch (1,000 nodes, 10,000 tasks) may take: generous, not a benchmark. */
    protected Duration largeBatchTimeout() {
        return Duration.ofSeconds(60);
    }

    // ---------------------------------------------------------------- inputs

    /** A request and its candidates. */
    protected record Scenario(String name, PlacementRequest request, List<NodeCandidate> candidates) {

        @Override
        public String toString() {
            if (candidates.size() > 40) {
                return name + ": " + request.taskCount() + " tasks of " + request.serviceId() + " on "
                        + candidates.size() + " nodes";
            }
            return name + ": " + request.taskCount() + " tasks of " + request.serviceId() + " on "
                    + candidates.stream()
                            .map(c -> c.nodeId() + "(svc " + c.serviceTasks() + ", total "
                                    + c.totalTasks() + ", cap " + (c.capacity() == UNLIMITED ? "∞" : c.capacity())
                                    + ", fail "
                                    + c.recentFailures() + ")")
                            .collect(Collectors.joining(" "));
        }
    }

    /**
     * The kit's {@code index}-th candidate: 2 to 5 CPUs and 1 to 8 GiB in all, of which its tasks took a tenth of a
     * CPU and 64 MiB each (free never below zero).
     */
    protected final NodeCandidate candidate(
            String nodeId, int index, int serviceTasks, int totalTasks, int capacity, int recentFailures) {
        Resources total = new Resources((2 + index % 4) * 1_000_000_000L, (1 + index % 8) * (1L << 30));
        Resources free = new Resources(
                Math.max(0, total.nanoCpus() - totalTasks * 100_000_000L),
                Math.max(0, total.memoryBytes() - totalTasks * (64L << 20)));
        return new NodeCandidate(
                nodeId, attributes(nodeId, index), serviceTasks, totalTasks, capacity, recentFailures, free, total);
    }

    private static String nodeId(Random random, int index) {
        // not in index order: a strategy must not lean on the kit's listing order to look right
        return Integer.toString(random.nextInt(1 << 20), 36) + "-n" + index;
    }

    /** Pseudo-random scenarios from a fixed seed: 1 to 16 nodes, 1 to 40 tasks, every kind of capacity. */
    protected final List<Scenario> scenarios(long seed, int count) {
        Random random = new Random(seed);
        List<Scenario> scenarios = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            int nodes = 1 + random.nextInt(16);
            List<NodeCandidate> candidates = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                int service = random.nextInt(4) == 0 ? 0 : random.nextInt(6);
                int total = service + random.nextInt(12);
                int capacity = switch (random.nextInt(10)) {
                    case 0, 1 -> 0;
                    case 2, 3, 4 -> 1 + random.nextInt(3);
                    case 5, 6 -> 4 + random.nextInt(8);
                    default -> UNLIMITED;
                };
                int failures = random.nextInt(5) == 0 ? random.nextInt(10) : 0;
                candidates.add(candidate(nodeId(random, i), i, service, total, capacity, failures));
            }
            PlacementRequest request = request("svc-" + seed + "-" + s, 1 + random.nextInt(40));
            scenarios.add(new Scenario("scenario " + s + " of seed " + seed, request, List.copyOf(candidates)));
        }
        return scenarios;
    }

    private static long room(List<NodeCandidate> candidates) {
        return candidates.stream().mapToLong(NodeCandidate::capacity).sum();
    }

    // ---------------------------------------------------------------- checks

    /** Places the scenario and checks every promise of {@link SchedulerStrategy#place}; returns the placement. */
    protected final List<String> placeAndCheck(SchedulerStrategy strategy, Scenario scenario) {
        assertTrue(
                strategy.appliesTo(scenario.request()),
                "the strategy applies to the kit's request (override" + " request() if it applies only to some): "
                        + scenario.request());
        List<String> placed = strategy.place(scenario.request(), scenario.candidates());
        check(scenario, placed);
        return placed;
    }

    private static void check(Scenario scenario, List<String> placed) {
        assertNotNull(placed, () -> "place() returned null for " + scenario);
        int taskCount = scenario.request().taskCount();
        assertTrue(
                placed.size() <= taskCount,
                () -> "placed " + placed.size() + " tasks, more than the " + taskCount + " asked for, in " + scenario);
        Map<String, NodeCandidate> byId = new LinkedHashMap<>();
        scenario.candidates().forEach(c -> byId.put(c.nodeId(), c));
        Map<String, Integer> counts = new HashMap<>();
        for (int t = 0; t < placed.size(); t++) {
            String nodeId = placed.get(t);
            int task = t;
            assertNotNull(nodeId, () -> "task " + task + " placed on null in " + scenario);
            assertTrue(
                    byId.containsKey(nodeId),
                    () -> "task " + task + " placed on " + nodeId + ", which is no candidate, in " + scenario);
            counts.merge(nodeId, 1, Integer::sum);
        }
        counts.forEach((nodeId, count) -> assertTrue(
                count <= byId.get(nodeId).capacity(),
                () -> count
                        + " tasks placed on " + nodeId + ", whose capacity is "
                        + byId.get(nodeId).capacity() + ", in "
                        + scenario));
        long expected = Math.min(taskCount, room(scenario.candidates()));
        assertEquals(
                expected,
                placed.size(),
                () -> "placed " + placed.size() + " tasks where the candidates had"
                        + " room for " + room(scenario.candidates()) + " of the " + taskCount
                        + " asked for (shorter only"
                        + " when the capacity runs out): " + scenario);
    }

    // ---------------------------------------------------------------- the strategy as a plugin

    @Test
    void theStrategyLoadsThroughServiceLoaderAndNamesItself() {
        // the kit may run inside a named module that declares no `uses` (addUses does nothing in an unnamed one)
        SchedulerStrategyConformance.class.getModule().addUses(SchedulerStrategy.class);
        SchedulerStrategy strategy = strategy();
        assertNotNull(strategy, "strategy() returned null");

        List<SchedulerStrategy> loaded = ServiceLoader.load(SchedulerStrategy.class).stream()
                .filter(p -> p.type() == strategy.getClass())
                .map(ServiceLoader.Provider::get)
                .toList();

        assertEquals(
                1,
                loaded.size(),
                "ServiceLoader finds " + strategy.getClass().getName() + " once (a `provides`"
                        + " in the plugin's module-info, or META-INF/services on the class path)");
        String name = loaded.getFirst().name();
        assertNotNull(name, "name()");
        assertFalse(name.isBlank(), "name() is empty");
        assertEquals(name.toLowerCase(Locale.ROOT), name, "name() is lower case");
        assertEquals(strategy.name(), name, "every instance names the strategy alike");
        assertNotNull(loaded.getFirst().description(), "description()");
        assertEquals(strategy.weight(), loaded.getFirst().weight(), "every instance weighs alike");
    }

    // ---------------------------------------------------------------- what place() promises

    @Test
    void placesAtMostTaskCountTasksAndOnlyOnCandidates() {
        SchedulerStrategy strategy = strategy();
        for (Scenario scenario : scenarios(1, SCENARIOS)) {
            placeAndCheck(strategy, scenario);
        }
    }

    @Test
    void neverPlacesMoreThanANodesCapacityAndNothingOnANodeWithoutRoom() {
        SchedulerStrategy strategy = strategy();
        // the emptiest nodes have no room: a strategy that ignores capacity would pick them first
        List<NodeCandidate> nodes = List.of(
                candidate("full-a", 0, 0, 0, 0, 0),
                candidate("one-b", 1, 5, 20, 1, 0),
                candidate("full-c", 2, 0, 0, 0, 0),
                candidate("two-d", 3, 5, 20, 2, 0),
                candidate("full-e", 4, 0, 0, 0, 0));
        for (int n = 1; n <= 5; n++) {
            placeAndCheck(strategy, new Scenario("capacity 1 + 2 among full nodes", request("svc-cap", n), nodes));
        }
        List<NodeCandidate> full = List.of(candidate("full-a", 0, 0, 0, 0, 0), candidate("full-b", 1, 0, 0, 0, 0));
        assertEquals(List.of(), placeAndCheck(strategy, new Scenario("no room", request("svc-full", 3), full)));
        for (Scenario scenario : scenarios(2, SCENARIOS)) {
            placeAndCheck(strategy, scenario);
        }
    }

    @Test
    void placesEveryTaskWhenTheCapacityAllowsAndAsManyAsItAllowsOtherwise() {
        SchedulerStrategy strategy = strategy();
        // room for exactly 6: all go; 7 asked: 6 go
        List<NodeCandidate> six =
                List.of(candidate("a", 0, 0, 0, 1, 0), candidate("b", 1, 2, 9, 2, 0), candidate("c", 2, 1, 1, 3, 0));
        assertEquals(
                6,
                placeAndCheck(strategy, new Scenario("room for 6", request("svc-6", 6), six))
                        .size());
        assertEquals(
                6,
                placeAndCheck(strategy, new Scenario("room for 6, 7 asked", request("svc-7", 7), six))
                        .size());
        // capacities whose sum overflows an int
        List<NodeCandidate> unlimited = List.of(
                candidate("u1", 0, 0, 0, UNLIMITED, 0),
                candidate("u2", 1, 0, 0, UNLIMITED, 0),
                candidate("u3", 2, 0, 0, 5, 0));
        assertEquals(
                50,
                placeAndCheck(strategy, new Scenario("unlimited", request("svc-u", 50), unlimited))
                        .size());
        // failing nodes still take tasks when nothing else has room
        List<NodeCandidate> failing = List.of(candidate("f1", 0, 0, 0, 2, 50), candidate("f2", 1, 0, 0, 2, 9));
        assertEquals(
                4,
                placeAndCheck(strategy, new Scenario("failing", request("svc-f", 4), failing))
                        .size());
        for (Scenario scenario : scenarios(3, SCENARIOS)) {
            placeAndCheck(strategy, scenario);
        }
    }

    @Test
    void placesOnASingleCandidate() {
        SchedulerStrategy strategy = strategy();
        List<NodeCandidate> unlimited = List.of(candidate("only", 0, 3, 8, UNLIMITED, 0));
        assertEquals(
                Collections.nCopies(7, "only"),
                placeAndCheck(strategy, new Scenario("one unlimited node", request("svc-1", 7), unlimited)));

        List<NodeCandidate> limited = List.of(candidate("only", 0, 3, 8, 4, 0));
        assertEquals(
                Collections.nCopies(4, "only"),
                placeAndCheck(strategy, new Scenario("one node with room for 4", request("svc-1", 7), limited)));

        List<NodeCandidate> full = List.of(candidate("only", 0, 3, 8, 0, 0));
        assertEquals(
                List.of(), placeAndCheck(strategy, new Scenario("one node without room", request("svc-1", 7), full)));

        List<NodeCandidate> failing = List.of(candidate("only", 0, 0, 0, UNLIMITED, 100));
        assertEquals(
                List.of("only"),
                placeAndCheck(strategy, new Scenario("one failing node", request("svc-1", 1), failing)));
    }

    @Test
    void placesNothingWithoutCandidates() {
        assertEquals(
                List.of(), placeAndCheck(strategy(), new Scenario("no candidates", request("svc-0", 5), List.of())));
    }

    @Test
    void isDeterministicForTheSameInput() {
        List<Scenario> scenarios = scenarios(4, SCENARIOS);
        SchedulerStrategy strategy = strategy();
        List<List<String>> first = new ArrayList<>();
        for (Scenario scenario : scenarios) {
            first.add(placeAndCheck(strategy, scenario));
        }
        // again, in reverse order, with equal but distinct inputs, on the same and on a fresh instance: a strategy
        // that keeps state between calls (a round-robin cursor, a random source) gives itself away
        for (SchedulerStrategy again : List.of(strategy, strategy())) {
            for (int i = scenarios.size() - 1; i >= 0; i--) {
                Scenario scenario = scenarios.get(i);
                Scenario copy = new Scenario(
                        scenario.name() + " (copy)",
                        new PlacementRequest(
                                scenario.request().serviceId(),
                                scenario.request().taskCount(),
                                new ArrayList<>(scenario.request().spreadDescriptors()),
                                scenario.request().reservations(),
                                new HashMap<>(scenario.request().serviceLabels())),
                        scenario.candidates().stream()
                                .map(c -> new NodeCandidate(
                                        c.nodeId(),
                                        new HashMap<>(c.attributes()),
                                        c.serviceTasks(),
                                        c.totalTasks(),
                                        c.capacity(),
                                        c.recentFailures(),
                                        c.free(),
                                        c.total()))
                                .collect(Collectors.toCollection(ArrayList::new)));
                assertEquals(first.get(i), placeAndCheck(again, copy), () -> "a second placement of " + scenario);
            }
        }
    }

    @Test
    void leavesTheCandidatesAsTheyAreAndTakesThemUnmodifiable() {
        SchedulerStrategy strategy = strategy();
        for (Scenario scenario : scenarios(5, SCENARIOS / 3)) {
            List<NodeCandidate> mutable = new ArrayList<>(scenario.candidates());
            List<String> fromMutable =
                    placeAndCheck(strategy, new Scenario(scenario.name(), scenario.request(), mutable));
            assertEquals(scenario.candidates(), mutable, () -> "place() changed the candidate list of " + scenario);

            List<String> fromUnmodifiable = placeAndCheck(
                    strategy,
                    new Scenario(
                            scenario.name(),
                            scenario.request(),
                            Collections.unmodifiableList(new ArrayList<>(scenario.candidates()))));
            assertEquals(fromMutable, fromUnmodifiable, () -> "the same input, in another kind of list: " + scenario);
        }
    }

    @Test
    void keepsItsPromisesWhateverTheOrderOfTheCandidates() {
        SchedulerStrategy strategy = strategy();
        Random random = new Random(6);
        for (Scenario scenario : scenarios(6, SCENARIOS / 3)) {
            List<String> original = placeAndCheck(strategy, scenario);
            Map<String, Long> originalCounts = counts(original);
            for (int shuffle = 0; shuffle < 4; shuffle++) {
                List<NodeCandidate> shuffled = new ArrayList<>(scenario.candidates());
                Collections.shuffle(shuffled, random);
                Scenario other = new Scenario(scenario.name() + " shuffled", scenario.request(), List.copyOf(shuffled));
                List<String> placed = placeAndCheck(strategy, other);
                assertEquals(placed, placeAndCheck(strategy, other), () -> "a second placement of " + other);
                if (independentOfCandidateOrder()) {
                    assertEquals(
                            original,
                            placed,
                            () -> "the strategy says the order of the candidates does not" + " matter, but " + other
                                    + " placed differently from " + scenario);
                    assertEquals(originalCounts, counts(placed));
                }
            }
        }
    }

    private static Map<String, Long> counts(List<String> placed) {
        return placed.stream().collect(Collectors.groupingBy(id -> id, Collectors.counting()));
    }

    // ---------------------------------------------------------------- scale

    @Test
    void placesALargeBatchOnManyNodes() {
        SchedulerStrategy strategy = strategy();
        Random random = new Random(7);
        List<NodeCandidate> loaded = new ArrayList<>();
        List<NodeCandidate> tight = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            String id = nodeId(random, i);
            int service = random.nextInt(20);
            int capacity = switch (random.nextInt(10)) {
                case 0 -> 0;
                case 1, 2, 3 -> 1 + random.nextInt(30);
                default -> UNLIMITED;
            };
            int failures = random.nextInt(20) == 0 ? random.nextInt(10) : 0;
            loaded.add(candidate(id, i, service, service + random.nextInt(100), capacity, failures));
            tight.add(candidate(id, i, 0, random.nextInt(100), 10, 0));
        }
        Set<String> ids = loaded.stream().map(NodeCandidate::nodeId).collect(Collectors.toSet());
        assertEquals(1_000, ids.size());
        Scenario loadedScenario = new Scenario("1,000 loaded nodes", request("svc-large", 10_000), List.copyOf(loaded));
        Scenario tightScenario =
                new Scenario("1,000 nodes with room for 10 each", request("svc-tight", 10_000), List.copyOf(tight));

        List<String> placed = assertTimeoutPreemptively(
                largeBatchTimeout(),
                () -> placeAndCheck(strategy, loadedScenario),
                "placing 10,000 tasks on 1,000 nodes");
        assertEquals(10_000, placed.size());
        List<String> filled = assertTimeoutPreemptively(
                largeBatchTimeout(),
                () -> placeAndCheck(strategy, tightScenario),
                "placing 10,000 tasks on 1,000 nodes with room for 10");
        counts(filled).forEach((id, count) -> assertEquals(10L, count, id));
        assertEquals(1_000, counts(filled).size(), "every node is filled");
    }

    // ---------------------------------------------------------------- rebalancing

    @Test
    void rebalancingMovesATaskFromANodeThatHasOneToANodeWithRoomAndComesToAnEnd() {
        SchedulerStrategy strategy = strategy();
        for (Scenario scenario : scenarios(8, SCENARIOS / 10)) {
            List<NodeCandidate> nodes = new ArrayList<>(scenario.candidates());
            int running = nodes.stream().mapToInt(NodeCandidate::serviceTasks).sum();
            if (running == 0) {
                continue;
            }
            PlacementRequest request = request(scenario.request().serviceId(), running);
            // a strategy that undoes its own moves never stops: allow far more moves than any evening needs
            int limit = running * nodes.size() + 1;
            for (int moves = 0; ; moves++) {
                assertTrue(moves < limit, () -> "the rebalancing of " + scenario + " never ends");
                var next = strategy.nextMove(request, List.copyOf(nodes));
                assertNotNull(next, "nextMove() returned null");
                if (next.isEmpty()) {
                    break;
                }
                String from = next.get().fromNodeId();
                String to = next.get().toNodeId();
                int f = indexOf(nodes, from);
                int t = indexOf(nodes, to);
                assertTrue(
                        f >= 0 && nodes.get(f).serviceTasks() > 0,
                        () -> "a move from " + from + ", which runs none of the service's tasks, in " + scenario);
                assertTrue(
                        t >= 0 && nodes.get(t).capacity() > 0,
                        () -> "a move to " + to + ", which has no room, in " + scenario);
                nodes.set(f, counted(nodes.get(f), -1, 0));
                nodes.set(t, counted(nodes.get(t), 1, -1));
            }
        }
    }

    private static int indexOf(List<NodeCandidate> nodes, String id) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).nodeId().equals(id)) {
                return i;
            }
        }
        return -1;
    }

    private static NodeCandidate counted(NodeCandidate c, int tasks, int room) {
        int capacity = c.capacity() == UNLIMITED ? UNLIMITED : c.capacity() + room;
        return new NodeCandidate(
                c.nodeId(),
                c.attributes(),
                c.serviceTasks() + tasks,
                c.totalTasks() + tasks,
                capacity,
                c.recentFailures(),
                c.free(),
                c.total());
    }

    /** Fails with a clear message when the kit's request is not one the strategy applies to. */
    @Test
    void appliesToTheKitsRequests() {
        SchedulerStrategy strategy = strategy();
        for (int n : new int[] {1, 2, 10, 10_000}) {
            PlacementRequest request = request("svc-applies", n);
            if (!strategy.appliesTo(request)) {
                fail("the strategy does not apply to the kit's request " + request + ": override request() (and"
                        + " attributes()) to make requests it places");
            }
        }
    }
}

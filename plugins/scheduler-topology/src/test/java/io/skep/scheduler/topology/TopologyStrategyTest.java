package io.skep.scheduler.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Placement preferences on in-memory clusters: even groups, unlabelled nodes, existing tasks, capacity, two levels. */
class TopologyStrategyTest {
    private static final int UNLIMITED = Integer.MAX_VALUE;
    private final TopologyStrategy strategy = TopologyStrategyConformanceTest.asLoaded(); // with the spread inside

    private static NodeCandidate node(String id, Map<String, String> labels, int serviceTasks, int capacity) {
        Map<String, String> attributes = new HashMap<>();
        attributes.put("node.id", id);
        labels.forEach((k, v) -> attributes.put("node.labels." + k, v));
        return new NodeCandidate(id, attributes, serviceTasks, serviceTasks, capacity, 0);
    }

    private static PlacementRequest spreadOver(int tasks, String... labels) {
        List<String> descriptors = new ArrayList<>();
        for (String l : labels) {
            descriptors.add("node.labels." + l);
        }
        return new PlacementRequest("svc", tasks, descriptors);
    }

    /** Tasks placed per node, in node ID order. */
    private static Map<String, Integer> count(List<String> placed) {
        Map<String, Integer> out = new TreeMap<>();
        placed.forEach(id -> out.merge(id, 1, Integer::sum));
        return out;
    }

    /** The cluster: az=1,1,2,2 and one node without the label. */
    private static List<NodeCandidate> fiveNodes() {
        return List.of(
                node("a1", Map.of("az", "1"), 0, UNLIMITED),
                node("a2", Map.of("az", "1"), 0, UNLIMITED),
                node("b1", Map.of("az", "2"), 0, UNLIMITED),
                node("b2", Map.of("az", "2"), 0, UNLIMITED),
                node("n1", Map.of(), 0, UNLIMITED));
    }

    @Test
    void appliesOnlyToRequestsWithPreferencesAndOutweighsTheSpread() {
        assertTrue(strategy.appliesTo(spreadOver(1, "az")));
        assertFalse(strategy.appliesTo(new PlacementRequest("svc", 1, List.of())));
        assertEquals(TopologyStrategy.WEIGHT, strategy.weight());
        assertTrue(strategy.weight() > 0, "above the built-in spread");
    }

    @Test
    void sixReplicasOverTwoZonesAndTheUnlabelledNodePutTwoInEachGroup() {
        Map<String, Integer> placed = count(strategy.place(spreadOver(6, "az"), fiveNodes()));
        assertEquals(Map.of("a1", 1, "a2", 1, "b1", 1, "b2", 1, "n1", 2), placed);
    }

    @Test
    void losingAZoneKeepsEveryReplicaInTheGroupsLeft() {
        List<NodeCandidate> left =
                fiveNodes().stream().filter(n -> !n.nodeId().startsWith("a")).toList();
        Map<String, Integer> placed = count(strategy.place(spreadOver(6, "az"), left));
        assertEquals(6, placed.values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(3, placed.get("b1") + placed.get("b2"), "half in zone 2");
        assertEquals(3, placed.get("n1"), "half on the unlabelled node");
    }

    @Test
    void theGroupWithFewerTasksOfTheServiceTakesTheNewOnesFirst() {
        List<NodeCandidate> nodes = List.of(
                node("a1", Map.of("az", "1"), 2, UNLIMITED),
                node("a2", Map.of("az", "1"), 1, UNLIMITED),
                node("b1", Map.of("az", "2"), 0, UNLIMITED));
        assertEquals(Map.of("b1", 3), count(strategy.place(spreadOver(3, "az"), nodes)));
        assertEquals(Map.of("a2", 1, "b1", 4), count(strategy.place(spreadOver(5, "az"), nodes)));
    }

    @Test
    void whatAFullGroupCannotTakeGoesToTheOthersAndNothingBeyondAllCapacity() {
        List<NodeCandidate> nodes = List.of(
                node("a1", Map.of("az", "1"), 0, 1),
                node("b1", Map.of("az", "2"), 0, 3),
                node("b2", Map.of("az", "2"), 0, 0));
        assertEquals(Map.of("a1", 1, "b1", 3), count(strategy.place(spreadOver(10, "az"), nodes)));
    }

    @Test
    void twoLevelsSpreadOverZonesThenOverRacksWithinEach() {
        List<NodeCandidate> nodes = List.of(
                node("a-r1", Map.of("az", "1", "rack", "1"), 0, UNLIMITED),
                node("a-r2", Map.of("az", "1", "rack", "2"), 0, UNLIMITED),
                node("a-r2b", Map.of("az", "1", "rack", "2"), 0, UNLIMITED),
                node("b-r1", Map.of("az", "2", "rack", "1"), 0, UNLIMITED));
        Map<String, Integer> placed = count(strategy.place(spreadOver(8, "az", "rack"), nodes));
        assertEquals(4, placed.get("b-r1"), "zone 2 has one rack of one node");
        assertEquals(2, placed.get("a-r1"), "zone 1's 4 split over its two racks");
        assertEquals(1, placed.get("a-r2"));
        assertEquals(1, placed.get("a-r2b"));
    }

    @Test
    void tiesGoToTheFirstValueAndTheUnlabelledGroupComesLast() {
        List<NodeCandidate> nodes = List.of(
                node("n1", Map.of(), 0, UNLIMITED),
                node("z1", Map.of("az", "z"), 0, UNLIMITED),
                node("a1", Map.of("az", "a"), 0, UNLIMITED));
        assertEquals(List.of("a1"), strategy.place(spreadOver(1, "az"), nodes));
        assertEquals(Map.of("a1", 1, "z1", 1), count(strategy.place(spreadOver(2, "az"), nodes)));
    }

    @Test
    void withoutAnotherStrategyTheLeastLoadedNodeOfAGroupTakesTheTask() {
        TopologyStrategy alone = new TopologyStrategy(new TopologyStrategy.LeastLoaded());
        Map<String, Integer> placed = count(alone.place(spreadOver(6, "az"), fiveNodes()));
        assertEquals(Map.of("a1", 1, "a2", 1, "b1", 1, "b2", 1, "n1", 2), placed);
    }
}

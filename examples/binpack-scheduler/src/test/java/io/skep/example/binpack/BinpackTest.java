package io.skep.example.binpack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.Resources;
import io.skep.spi.scheduler.SchedulerStrategy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the bin-pack strategy and its filter do beyond the conformance kit. */
class BinpackTest {
    private static final long GIB = 1L << 30;
    private final BinpackStrategy binpack = new BinpackStrategy();
    private final SkipFilter skip = new SkipFilter();

    private static NodeCandidate node(String id, long freeGib, int capacity, String... labels) {
        Map<String, String> attributes = labels.length == 0
                ? Map.of("node.id", id)
                : Map.of("node.id", id, "node.labels." + labels[0], labels[1]);
        return new NodeCandidate(
                id,
                attributes,
                0,
                0,
                capacity,
                0,
                new Resources(4_000_000_000L, freeGib * GIB),
                new Resources(4_000_000_000L, 8 * GIB));
    }

    private static PlacementRequest request(int tasks, String strategy) {
        return new PlacementRequest(
                "svc",
                tasks,
                List.of(),
                new Resources(0, GIB),
                strategy == null ? Map.of() : Map.of(SchedulerStrategy.SERVICE_LABEL, strategy));
    }

    @Test
    void fillsTheNodeWithTheLeastFreeResourcesFirstThenTheNext() {
        List<NodeCandidate> nodes =
                List.of(node("roomy", 8, 8), node("half", 4, 4), node("full", 0, 0), node("tight", 2, 2));
        assertEquals(List.of("tight", "tight", "half", "half", "half"), binpack.place(request(5, "binpack"), nodes));
        assertEquals(
                List.of("tight", "tight", "half", "half", "half", "half", "roomy"),
                binpack.place(request(7, "binpack"), nodes));
    }

    @Test
    void weighsBelowTheSpreadAndNeverRebalances() {
        assertTrue(binpack.weight() < 0, "only services that name it are packed");
        assertEquals(
                Optional.empty(), binpack.nextMove(request(3, "binpack"), List.of(node("a", 1, 5), node("b", 8, 5))));
    }

    @Test
    void theFilterKeepsBinPackedServicesOffSkippedNodesAndSaysSo() {
        assertTrue(skip.appliesTo(request(1, "binpack")));
        assertFalse(skip.appliesTo(request(1, null)), "other services are not its business");
        assertFalse(skip.appliesTo(request(1, "spread")));
        assertFalse(skip.accepts(request(1, "binpack"), node("a", 4, 4, "binpack.skip", "true")));
        assertTrue(skip.accepts(request(1, "binpack"), node("b", 4, 4, "binpack.skip", "false")));
        assertTrue(skip.accepts(request(1, "binpack"), node("c", 4, 4)));
        assertEquals("node labelled binpack.skip=true", skip.explanation());
    }
}

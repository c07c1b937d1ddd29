package io.skep.bench.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skep.spi.scheduler.NodeCandidate;
import io.skep.spi.scheduler.PlacementRequest;
import io.skep.spi.scheduler.SchedulerStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The baseline must place exactly as the spread plugin does, or the benchmark's ratio compares unlike work. */
class LinearScanStrategyTest {

    private final SchedulerStrategy spread = SchedulerBenchmark.strategy("spread");
    private final SchedulerStrategy baseline = new LinearScanStrategy();

    @Test
    void placesAsSpreadDoesOnTheBenchmarkNodes() {
        PlacementRequest request = new PlacementRequest("service-1", 10_000, List.of());
        List<NodeCandidate> candidates = SchedulerBenchmark.candidates(1000, 1);

        List<String> placed = spread.place(request, candidates);

        assertEquals(10_000, placed.size());
        assertEquals(placed, baseline.place(request, candidates));
    }

    @Test
    void placesAsSpreadDoesOnRandomNodes() {
        Random random = new Random(11);
        for (int round = 0; round < 100; round++) {
            List<NodeCandidate> candidates = new ArrayList<>();
            int count = 1 + random.nextInt(50);
            for (int i = 0; i < count; i++) {
                int service = random.nextInt(5);
                int capacity = random.nextBoolean() ? Integer.MAX_VALUE : random.nextInt(6);
                int failures = random.nextInt(3) == 0 ? random.nextInt(9) : 0;
                candidates.add(new NodeCandidate(
                        "n" + random.nextInt(100_000) + "-" + i,
                        Map.of(),
                        service,
                        service + random.nextInt(5),
                        capacity,
                        failures));
            }
            PlacementRequest request = new PlacementRequest("svc", 1 + random.nextInt(400), List.of());

            assertEquals(spread.place(request, candidates), baseline.place(request, candidates), "round " + round);
        }
    }

    @Test
    void benchmarkNodesAreTheSameForTheSameSeed() {
        assertEquals(SchedulerBenchmark.candidates(500, 3), SchedulerBenchmark.candidates(500, 3));
    }

    @Test
    void aMissingStrategyIsANamedError() {
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> SchedulerBenchmark.strategy("no-such-strategy"));
        assertTrue(e.getMessage().contains("'no-such-strategy' is not installed"), e.getMessage());
    }
}
